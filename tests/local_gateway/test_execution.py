"""Execution environments: warm reuse, isolation, context, timeouts and failures."""

import importlib.util
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.sync.client import connect

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    STAGE,
    GatewayProcess,
    GatewayStarter,
    echo,
    invocation_routes,
    receive_json,
    send_json,
)


def test_a_warm_worker_keeps_its_module_state(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        first, second = echo(ws), echo(ws)
    assert second["pid"] == first["pid"]
    assert second["invocations"] == first["invocations"] + 1


def test_concurrent_invocations_get_separate_workers_up_to_the_pool_size(
    gateway_url: str,
) -> None:
    def slow_invocation(_: int) -> int:
        with connect(gateway_url) as ws:
            send_json(ws, {"action": "slow"})
            return int(receive_json(ws)["pid"])

    with ThreadPoolExecutor(6) as pool:
        pids = list(pool.map(slow_invocation, range(6)))
    assert len(set(pids)) == 4  # --max-workers-per-function: the two others waited, warm


def test_the_worker_sees_only_what_a_lambda_would(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        answer = echo(ws)
    environment = answer["environment"]
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "fn-default" == answer["functionName"]
    assert environment["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert environment["_HANDLER"] == "handlers.echo"
    assert environment["AWS_REGION"] == "us-east-1"
    assert environment["AWS_ACCESS_KEY_ID"] == "test"
    assert environment["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert (
        environment["AWS_CONFIG_FILE"] == environment["AWS_SHARED_CREDENTIALS_FILE"] == "/dev/null"
    )
    assert environment["EVENT_DIR"]  # the function's own variables
    assert "HOME" not in environment
    assert "AWS_PROFILE" not in environment
    assert 0 < answer["remainingMs"] <= 3000
    assert uuid.UUID(answer["awsRequestId"]).version == 4


def test_the_connections_hook_leaves_botocores_builtin_handlers_alone(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        modules = echo(ws)["builtinHandlerModules"]
    assert "botocore.handlers" in modules
    assert not [module for module in modules if module.startswith("local_gateway")]


def test_a_package_missing_from_the_zip_cannot_be_imported(
    gateway_url: str, gateway: GatewayProcess
) -> None:
    assert importlib.util.find_spec("aws_lambda_powertools") is not None  # in the venv
    with connect(gateway_url) as ws:
        send_json(ws, {"action": "missing"})
        answer = receive_json(ws)
    assert answer["message"] == "Internal server error"
    gateway.wait_for("Unable to import module 'missing': No module named 'aws_lambda_powertools'")


def test_a_raising_handler_gives_internal_server_error_and_a_new_worker(
    gateway_url: str, gateway: GatewayProcess
) -> None:
    with connect(gateway_url) as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
        for _ in range(2):
            send_json(ws, {"action": "boom"})
            frame = ws.recv(timeout=10)
            request_id = json.loads(frame)["requestId"]
            assert frame == (  # API Gateway's spacing, byte for byte
                f'{{"message": "Internal server error", "connectionId":"{connection_id}", '
                f'"requestId":"{request_id}"}}'
            )
        assert echo(ws)["event"]["requestContext"]["connectionId"] == connection_id
    lines = gateway.wait_for(connection_id, count=5)
    assert invocation_routes(lines, connection_id)[:5] == [
        "$connect", "$default", "boom", "boom", "$default"
    ]  # fmt: skip
    boom_lines = [line for line in lines if line.split()[1] == "boom"]
    assert all("(cold start)" in line for line in boom_lines)  # each error replaced the worker
    gateway.wait_for("[fn-boom] [ERROR] RuntimeError: boom", count=2)


def test_a_worker_that_exits_mid_invocation_gives_internal_server_error(
    gateway_url: str, gateway: GatewayProcess
) -> None:
    with connect(gateway_url) as ws:
        send_json(ws, {"action": "crash"})
        assert receive_json(ws)["message"] == "Internal server error"
        assert echo(ws)["event"]["requestContext"]["routeKey"] == "$default"
    gateway.wait_for("Runtime.ExitError")


def test_a_timeout_kills_the_worker_and_answers_internal_server_error(
    gateway_url: str, gateway: GatewayProcess
) -> None:
    with connect(gateway_url) as ws:
        started = time.monotonic()
        send_json(ws, {"action": "sleep"})
        answer = receive_json(ws)
        elapsed = time.monotonic() - started
        assert answer["message"] == "Internal server error"
        assert 0.9 < elapsed < 3
        assert echo(ws)["event"]["requestContext"]["routeKey"] == "$default"
    gateway.wait_for("Task timed out after 1.00 seconds")


def test_a_very_long_log_line_is_logged_and_the_function_answers(
    gateway_url: str, gateway: GatewayProcess
) -> None:
    with connect(gateway_url) as ws:
        send_json(ws, {"action": "shout"})
        assert ws.recv(timeout=10) == "shouted"
    gateway.wait_for("x" * 1000)
    gateway.wait_for("x end")


def test_stopping_the_gateway_stops_its_workers(start_gateway: GatewayStarter) -> None:
    port = free_port()
    process = start_gateway(port=port)
    process.wait_for("Listening on")
    with connect(f"ws://127.0.0.1:{port}/{STAGE}") as ws:
        worker_pid = echo(ws)["pid"]
    os.kill(worker_pid, 0)  # alive and warm
    process.stop()
    assert process.returncode == 0
    process.wait_for("Stopped")
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)
