"""Measure what the loopback guard costs MiniStack's hot path, as README's "Running it locally"
reports it: DynamoDB GetItem per call through one boto3 client (keep-alive, as a function's),
on MiniStack as ``python -m ministack`` starts it and on MiniStack behind the guard
(guarded_ministack.py), in alternating rounds so that both see the same machine load; and the
wrapper's own cost per request, in process, around an application that does nothing (the
end-to-end difference is within the noise of a shared machine).

``PYTHONPATH=scripts:lambdas .venv/bin/python -m local_stack.measure_guard [CALLS]`` (after
``make ministack``). A measurement, not a test: it prints, and asserts nothing about time.
"""

import asyncio
import statistics
import subprocess
import sys
import time
from typing import Any

import boto3

from local_gateway.loopback_guard import LoopbackGuard
from local_stack import emulator
from local_stack.guarded_ministack import GuardedApplication, Message, Receive, Scope, Send

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
ROUNDS = 10
TABLE = "guard-latency"


def bare_ministack(port: int) -> emulator.Emulator:
    """MiniStack as its own command starts it, no guard: what the stack ran before."""
    environment = {"GATEWAY_PORT": str(port), "BIND_HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    command = [str(emulator.MINISTACK_PYTHON), "-m", "ministack"]
    process = subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = emulator.Emulator(f"http://127.0.0.1:{port}", "MiniStack", process)
    deadline = time.monotonic() + emulator.STARTUP_TIMEOUT_S
    while not emulator._is("ministack", server.endpoint):
        if time.monotonic() > deadline:
            server.stop()
            raise SystemExit("MiniStack did not start")
        time.sleep(0.05)
    return server


def dynamodb(endpoint: str) -> Any:
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - the emulator's
    )
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(TableName=TABLE, Item={"pk": {"S": "room#lobby"}, "seq": {"N": "1"}})
    return client


def per_call_ms(client: Any, calls: int) -> list[float]:
    timings = []
    for _ in range(calls):
        began = time.perf_counter()
        client.get_item(TableName=TABLE, Key={"pk": {"S": "room#lobby"}})
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def wrapper_cost_us(requests: int = 100_000) -> float:
    """The guard's cost per request in µs: a boto3-like request's headers through
    GuardedApplication around an application that does nothing, less that application alone."""
    scope: Scope = {
        "type": "http",
        "headers": [
            (b"host", b"127.0.0.1:4566"),
            (b"accept-encoding", b"identity"),
            (b"x-amz-target", b"DynamoDB_20120810.GetItem"),
            (b"content-type", b"application/x-amz-json-1.0"),
            (b"user-agent", b"Boto3/1.43 md/Botocore#1.43 ua/2.1 os/linux"),
            (b"x-amz-date", b"20261202T120000Z"),
            (b"authorization", b"AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/..."),
            (b"content-length", b"60"),
        ],
    }

    async def nothing(_scope: Scope, _receive: Receive, _send: Send) -> None:
        return None

    async def receive() -> Message:
        return {}

    async def send(_message: Message) -> None:
        return None

    guarded = GuardedApplication(nothing, LoopbackGuard(4566, frozenset()))

    async def timed(application: Any) -> float:
        began = time.perf_counter()
        for _ in range(requests):
            await application(scope, receive, send)
        return time.perf_counter() - began

    bare_s, guarded_s = asyncio.run(timed(nothing)), asyncio.run(timed(guarded))
    return (guarded_s - bare_s) / requests * 1e6


def main() -> None:
    bare = bare_ministack(emulator.free_port())
    guarded = emulator.start_ministack(
        "127.0.0.1", emulator.free_port(), None, allowed_origins=["http://127.0.0.1:5173"]
    )
    try:
        clients = {"bare": dynamodb(bare.endpoint), "guarded": dynamodb(guarded.endpoint)}
        for client in clients.values():
            per_call_ms(client, 50)  # warm: connections, MiniStack's lazy service imports
        timings: dict[str, list[float]] = {name: [] for name in clients}
        for round_number in range(ROUNDS):  # bare first, then guarded first, …
            for name, client in sorted(clients.items(), reverse=bool(round_number % 2)):
                timings[name] += per_call_ms(client, CALLS // ROUNDS)
    finally:
        bare.stop()
        guarded.stop()
    for name, values in timings.items():
        p95 = statistics.quantiles(values, n=20)[18]
        print(
            f"{name:8} {len(values)} GetItem: median {statistics.median(values):.3f} ms, "
            f"mean {statistics.fmean(values):.3f} ms, p95 {p95:.3f} ms"
        )
    added = statistics.median(timings["guarded"]) - statistics.median(timings["bare"])
    print(f"difference of the medians: {added * 1000:+.0f} µs per call")
    print(f"the wrapper itself, in process: {wrapper_cost_us():.2f} µs per request")


if __name__ == "__main__":
    main()
