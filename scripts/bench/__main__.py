"""``python -m bench`` (with scripts/ and lambdas/ on PYTHONPATH), as ``make bench`` runs it."""

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import boto3

from bench import action_costs, cold_start, dynamodb_reads, end_to_end, fanout, function_cpu
from bench.rows import Row, table, write
from local_stack.emulator import free_port
from local_stack.stack import LAMBDA_ZIP, ROOT, LocalStack, Options


@dataclass(frozen=True)
class Sizes:
    rooms: int
    members_per_room: int
    fanout_members: int
    cold_start_runs: int
    room_sizes: tuple[int, ...]  # clients in one room, end to end
    messages: int  # per load, end to end
    cpu_rounds: int  # function CPU rows: alternating rounds of each side
    cpu_calls: int  # room reads per round (and ten times as many posts)
    action_members: int  # the room each action's posts and requests are counted in


FULL = Sizes(
    rooms=1000,
    members_per_room=10,
    fanout_members=1000,
    cold_start_runs=10,
    room_sizes=(10, 100, 500),
    messages=200,
    cpu_rounds=15,
    cpu_calls=100,
    action_members=100,
)
TINY = Sizes(
    rooms=3,
    members_per_room=2,
    fanout_members=8,
    cold_start_runs=1,
    room_sizes=(2,),
    messages=3,
    cpu_rounds=1,
    cpu_calls=2,
    action_members=3,
)
PEER_DIR = ROOT / "build" / "bench-peer"  # `make bench` installs serverless-offline there


def measure_all(stack: LocalStack, sizes: Sizes) -> list[Row]:
    tables = deployed_tables(stack.emulator_endpoint)
    return [
        dynamodb_reads.measure(
            stack.emulator_endpoint, tables, sizes.rooms, sizes.members_per_room
        ),
        *action_costs.measure(stack.emulator_endpoint, tables, sizes.action_members),
        fanout.measure(sizes.fanout_members),
        *cold_start.measure(LAMBDA_ZIP, sizes.cold_start_runs),
        *end_to_end.measure(stack, tables, sizes.room_sizes, sizes.messages, PEER_DIR),
        *function_cpu.measure(100, sizes.cpu_rounds, sizes.cpu_calls),
    ]


def deployed_tables(endpoint: str) -> dict[str, str]:
    """The table names Terraform gave the functions (their environment is the source of truth)."""
    functions = boto3.client("lambda", endpoint_url=endpoint).list_functions()["Functions"]
    environment = next(
        f["Environment"]["Variables"]
        for f in functions
        if "CONNECTIONS_TABLE" in f.get("Environment", {}).get("Variables", {})
    )
    return {k: v for k, v in environment.items() if k.endswith(("_TABLE", "_INDEX"))}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="a quick run at a tiny size")
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ[name] = value  # the emulator's; never a real account
    with tempfile.TemporaryDirectory() as work_dir:
        stack = LocalStack(
            Options(
                emulator_endpoint=f"http://127.0.0.1:{free_port()}",
                host="127.0.0.1",
                site_port=free_port(),
                websocket_port=free_port(),
                work_dir=Path(work_dir),
            )
        )
        try:
            stack.start()
            rows = measure_all(stack, TINY if args.tiny else FULL)
        finally:
            stack.stop()
    print(table(rows))
    write(rows, args.output)
    print(f"\nwrote {args.output}")
    sys.exit(0 if all(r.met for r in rows) else 1)


if __name__ == "__main__":
    main()
