"""Row 3: end-to-end latency and throughput of one room through the local stack (the real functions
on moto, through the local data plane), against a bare ``websockets`` broadcast server (the raw
limit) and serverless-offline (the peer), with the same clients in the same run.

For each room size the harness (``bench.room_load``) sends ``messages`` paced at 20 a second, then
some all at once (saturation); larger rooms get fewer, to bound the run. Ours also gets a measure
of its own DynamoDB work per message: the send path with its posts left out, on a room of the
same size in the stack's tables.
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from bench import serverless_offline
from bench.dynamodb_reads import chat_without_posts, stored
from bench.room_load import PACED_RATE, Load, measure_load
from bench.rows import Row
from local_stack.stack import LocalStack

PACED_DELIVERIES = 20_000  # at most, per paced run
SATURATION_DELIVERIES = 5_000  # per saturation run, unless that is too few messages:
SATURATION_MIN_MESSAGES = 16  # enough to keep every worker of the function busy
GOAL_ROOM_SIZE = 100
UNTHROTTLED = {"RATE_LIMIT_PER_SECOND": "1000", "RATE_LIMIT_BURST": "1000"}
DYNAMODB_WORK_SAMPLES = 20
SCRIPTS = Path(__file__).resolve().parents[1]  # where the bench package is


@dataclass(frozen=True)
class RoomLoads:
    """Every server's loads on one room size; the peer's when it is installed."""

    clients: int
    ours: Load
    raw: Load
    peer: Load | None
    dynamodb_ms: float  # our send path's DynamoDB work per message, median


@dataclass(frozen=True)
class Messages:
    paced: int
    at_once: int

    @classmethod
    def bounded(cls, clients: int, messages: int) -> "Messages":
        return cls(
            paced=min(messages, PACED_DELIVERIES // clients),
            at_once=min(messages, max(SATURATION_MIN_MESSAGES, SATURATION_DELIVERIES // clients)),
        )


def measure(
    stack: LocalStack,
    tables: dict[str, str],
    room_sizes: tuple[int, ...],
    messages: int,
    peer_dir: Path,
) -> list[Row]:
    counts = {n: Messages.bounded(n, messages) for n in room_sizes}
    raw = _raw_limit(counts)
    peer: dict[int, Load] = {}
    if serverless_offline.installed(peer_dir):
        with serverless_offline.running(peer_dir, peer_dir / "offline.log") as url:
            peer = {n: _load(url, n, m) for n, m in counts.items()}
    else:
        print(
            f"serverless-offline is not installed in {peer_dir} (npm could not install it): "
            "the peer's rows are left out",
            flush=True,
        )
    with unthrottled_senders(stack):
        ours = {n: _load(stack.options.websocket_url, n, m) for n, m in counts.items()}
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.emulator_endpoint)
    rows = []
    for n in room_sizes:
        loads = RoomLoads(
            clients=n,
            ours=ours[n],
            raw=raw[n],
            peer=peer.get(n),
            dynamodb_ms=_dynamodb_work_ms(dynamodb, tables, n),
        )
        rows += raw_limit_rows(loads)
        if loads.peer is not None:
            rows += peer_rows(loads, loads.peer)
    return rows


def raw_limit_rows(loads: RoomLoads) -> list[Row]:
    ours, raw = loads.ours, loads.raw
    paced, at_once = _paced(loads), _at_once(loads)
    delivered = _delivered_percent(ours)
    all_delivered = delivered == 100
    if loads.clients == GOAL_ROOM_SIZE:
        p50_goal = "within 10x, 100 % delivered"
        p50_met = ours.paced.p50_ms <= 10 * raw.paced.p50_ms and all_delivered
    else:
        p50_goal, p50_met = "reported; 100 % delivered", all_delivered
    return [
        Row(f"end-to-end p50 to the last member ({paced}) vs bare websockets",
            "ms", ours.paced.p50_ms, raw.paced.p50_ms, p50_goal, p50_met),
        Row(f"end-to-end p99 to the last member ({paced}) vs bare websockets",
            "ms", ours.paced.p99_ms, raw.paced.p99_ms, "reported; 100 % delivered", all_delivered),
        Row(f"messages a second ({paced}) vs bare websockets",
            "msg/s", ours.paced.messages_per_s, raw.paced.messages_per_s, "reported",
            True),
        Row(f"saturation ({at_once}) vs bare websockets",
            "deliveries/s", ours.saturation.deliveries_per_s, raw.saturation.deliveries_per_s,
            "reported; 100 % delivered", all_delivered),
        Row(f"delivered of expected ({loads.clients} clients, both loads) vs bare websockets",
            "%", delivered, _delivered_percent(raw), "100 %", all_delivered),
    ]  # fmt: skip


def peer_rows(loads: RoomLoads, peer: Load) -> list[Row]:
    ours = loads.ours
    allowance = peer.paced.p50_ms + loads.dynamodb_ms
    return [
        Row(f"end-to-end p50 to the last member ({_paced(loads)}) vs serverless-offline",
            "ms", ours.paced.p50_ms, peer.paced.p50_ms,
            f"at most the peer's + our DynamoDB work ({loads.dynamodb_ms:.0f} ms)",
            ours.paced.p50_ms <= allowance),
        Row(f"saturation ({_at_once(loads)}) vs serverless-offline",
            "deliveries/s", ours.saturation.deliveries_per_s, peer.saturation.deliveries_per_s,
            "ahead of the peer",
            ours.saturation.deliveries_per_s > peer.saturation.deliveries_per_s),
    ]  # fmt: skip


@contextmanager
def unthrottled_senders(stack: LocalStack) -> Iterator[None]:
    """The functions' per-connection rate limit (5 a second) raised for the run, so that one
    sender may offer 20 messages a second and more; the data plane restarts to read it, and again
    to restore it. The send path makes the same conditional update either way."""
    functions = boto3.client("lambda", endpoint_url=stack.emulator_endpoint)
    originals = {
        f["FunctionName"]: f["Environment"]["Variables"]
        for f in functions.list_functions()["Functions"]
        if "RATE_LIMIT_PER_SECOND" in f.get("Environment", {}).get("Variables", {})
    }

    def configure(raised: bool) -> None:
        for name, variables in originals.items():
            functions.update_function_configuration(
                FunctionName=name,
                Environment={"Variables": {**variables, **UNTHROTTLED} if raised else variables},
            )
        stack.stop_gateway()
        stack.start_gateway()

    configure(raised=True)
    try:
        yield
    finally:
        configure(raised=False)


def _raw_limit(counts: dict[int, Messages]) -> dict[int, Load]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.broadcast_server"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SCRIPTS)},
    )
    try:
        url = f"ws://127.0.0.1:{server.stdout.readline().strip()}"  # type: ignore[union-attr]
        return {n: _load(url, n, m) for n, m in counts.items()}
    finally:
        server.kill()
        server.wait()


def _load(url: str, clients: int, messages: Messages) -> Load:
    room_id = f"bench-{clients}-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    load = asyncio.run(measure_load(url, room_id, clients, messages.paced, messages.at_once))
    print(f"end to end: {url}, {clients} clients: {time.monotonic() - started:.0f} s", flush=True)
    return load


def _paced(loads: RoomLoads) -> str:
    return f"{loads.clients} clients, {loads.ours.paced.messages} messages at {PACED_RATE:g}/s"


def _at_once(loads: RoomLoads) -> str:
    return f"{loads.clients} clients, {loads.ours.saturation.messages} messages at once"


def _delivered_percent(load: Load) -> float:
    runs = (load.paced, load.saturation)
    return 100 * sum(r.delivered for r in runs) / sum(r.expected for r in runs)


def _dynamodb_work_ms(client: Any, tables: dict[str, str], members: int) -> float:
    """Our send path's DynamoDB calls for one message to ``members``, without its posts, paced as
    the paced load is: on this kind of machine a call after an idle gap costs more than one in a
    tight loop (about 3 ms more per call, on the emulator's side and the caller's alike)."""
    prefix = f"e2e{members}"
    with stored(client, tables["CONNECTIONS_TABLE"], prefix, 1, members):
        chat = chat_without_posts(client, tables, members)
        times = []
        for n in range(DYNAMODB_WORK_SAMPLES):
            frame = json.dumps({"action": "on-message", "message": f"timing {n}"})
            time.sleep(1 / PACED_RATE)
            started = time.perf_counter()
            chat.send_message(f"{prefix}-0-0", frame)
            times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)
