"""Row 2: one message posted to a room of ``members`` through an ``@connections`` stand-in that
takes 20 ms per post: ours (the functions' concurrent ``ConnectionsApi``) against posting one
after another."""

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3

from bench.rows import Row
from serverless_chat.adapters.connections_api import ConnectionsApi

POST_DELAY_S = 0.020
POOL_SIZE = 64  # FANOUT_CONCURRENCY's default


def measure(members: int) -> Row:
    stand_in = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("connections_stand_in.py")),
            str(POST_DELAY_S),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = f"http://127.0.0.1:{stand_in.stdout.readline().strip()}/bench"  # type: ignore[union-attr]
        posts = [(f"member-{n:05d}AAAA=", b'{"type":"message"}') for n in range(members)]
        with ThreadPoolExecutor(max_workers=POOL_SIZE) as executor:
            ours_api = ConnectionsApi(endpoint, executor, POOL_SIZE)
            ours_api.send(posts[:POOL_SIZE])  # open the pooled connections, as a warm function has
            started = time.perf_counter()
            gone = ours_api.send(posts)
            ours = time.perf_counter() - started
        if gone:
            raise RuntimeError(f"{len(gone)} posts were refused by the stand-in")

        client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
        started = time.perf_counter()
        for connection_id, data in posts:
            client.post_to_connection(ConnectionId=connection_id, Data=data)
        baseline = time.perf_counter() - started
    finally:
        stand_in.kill()
        stand_in.wait()
    return Row(
        name=f"fan-out of one message to {members:,} members (20 ms per post)",
        unit="s",
        ours=ours,
        baseline=baseline,
        goal="at least 20x faster, under 1.5 s",
        met=ours * 20 <= baseline and ours < 1.5,
    )
