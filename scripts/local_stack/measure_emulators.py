"""Measure each emulator the local stack can start, as README's "Running it locally" reports it.

``PYTHONPATH=scripts:lambdas .venv/bin/python -m local_stack.measure_emulators`` (after
``make ministack build/lambdas.zip tf-cli-config``, with ``TF_CLI_CONFIG_FILE`` set as ``make``
sets it). For MiniStack and moto server: start-up to a health answer (median of 5), ``terraform
apply`` of envs/local to a fresh one and the re-plan after it, and DynamoDB per-call medians
(PutItem, UpdateItem, a 100-member Query of the room index) on the tables Terraform made,
through the same boto3 client.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from local_stack import emulator, terraform

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("ministack", "moto")
STARTS = 5
CALLS = 200
MEMBERS = 100
TABLE = "serverless-chat-local-connections"
INDEX = "room-index"


def started(kind: str, log: Any) -> tuple[emulator.Emulator, float]:
    began = time.perf_counter()
    server = emulator.start(kind, "127.0.0.1", emulator.free_port(), log)
    return server, time.perf_counter() - began


def median_ms(call: Callable[[int], object], count: int = CALLS) -> float:
    times = []
    for number in range(count):
        began = time.perf_counter()
        call(number)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def measure(kind: str, work: Path) -> dict[str, Any]:
    log = (work / f"{kind}.log").open("ab")
    starts = []
    for _ in range(STARTS):
        server, took = started(kind, log)
        server.stop()
        starts.append(took)
    server, _ = started(kind, log)
    try:
        variables = {
            "emulator_endpoint": server.endpoint,
            "websocket_url": "ws://127.0.0.1:8081/local",
            "allowed_origins": json.dumps(["http://127.0.0.1:8080"]),
            "lambda_package_path": str(ROOT / "build" / "lambdas.zip"),
        }
        began = time.perf_counter()
        terraform.apply(work / kind, variables, log)
        applied = time.perf_counter() - began
        replan = subprocess.run(
            [
                "terraform", f"-chdir={terraform.LOCAL_ENV}", "plan", "-detailed-exitcode",
                "-no-color", "-input=false", *[f"-var={k}={v}" for k, v in variables.items()],
            ],
            env={**os.environ, "TF_DATA_DIR": str(work / kind / "terraform-data")},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        drift = [line for line in replan.stdout.splitlines() if line.startswith("Plan:")]
        return {
            "start_s": statistics.median(starts),
            "apply_s": applied,
            "replan": drift[0] if drift else f"no changes (exit {replan.returncode})",
            **dynamodb_medians(server.endpoint),
        }
    finally:
        server.stop()


def dynamodb_medians(endpoint: str) -> dict[str, float]:
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - the emulator's
    )

    def item(number: int, room: str) -> dict[str, Any]:
        return {
            "connectionId": {"S": f"c{number}"},
            "roomId": {"S": room},
            "username": {"S": f"user{number}"},
            "expiresAt": {"N": "9999999999"},
        }

    for number in range(MEMBERS):
        client.put_item(TableName=TABLE, Item=item(number, "full"))
    return {
        "put_ms": median_ms(lambda n: client.put_item(TableName=TABLE, Item=item(1000 + n, "p"))),
        "update_ms": median_ms(
            lambda n: client.update_item(
                TableName=TABLE,
                Key={"connectionId": {"S": "c1"}},
                UpdateExpression="SET username = :name",
                ExpressionAttributeValues={":name": {"S": f"name{n}"}},
            )
        ),
        "query_ms": median_ms(
            lambda _: client.query(
                TableName=TABLE,
                IndexName=INDEX,
                KeyConditionExpression="roomId = :room",
                ExpressionAttributeValues={":room": {"S": "full"}},
            )
        ),
    }


def main() -> None:
    kinds = sys.argv[1:] or list(KINDS)
    with tempfile.TemporaryDirectory() as directory:
        for kind in kinds:
            result = measure(kind, Path(directory))
            print(json.dumps({"emulator": kind, **result}), flush=True)


if __name__ == "__main__":
    main()
