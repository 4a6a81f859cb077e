"""Stopping the gateway: in-flight invocations and the closed connections' `$disconnect`s
finish, quietly; workers never outlive the gateway."""

import signal
import sys
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    STAGE,
    GatewayStarter,
    echo,
    invocation_routes,
    send_json,
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_group_finishes_invocations_and_disconnects_quietly(
    start_gateway: GatewayStarter, signum: int
) -> None:
    port = free_port()
    process = start_gateway(port=port)
    process.wait_for("Listening on")
    url = f"ws://127.0.0.1:{port}/{STAGE}"
    with connect(url) as first, connect(url) as second, connect(url) as slow:
        connection_ids = [
            echo(ws)["event"]["requestContext"]["connectionId"] for ws in (first, second, slow)
        ]
        send_json(slow, {"action": "slow"})  # 0.5 s
        time.sleep(0.1)
        process.signal_group(signum)
        assert process.returncode == 0
    log = "".join(process.lines)
    for text in ("Traceback", "Event loop is closed", "Runtime.ExitError"):
        assert text not in log
    for connection_id in connection_ids:
        routes = invocation_routes(process.lines, connection_id)
        assert routes.count("$disconnect") == 1, log
    slow_lines = [line for line in process.lines if line.split()[1:2] == ["slow"]]
    assert len(slow_lines) == 1, log
    assert " 200 " in slow_lines[0], log
    assert process.count("Stopped") == 1


def is_running(pid: int) -> bool:
    """Alive, and not a zombie nobody reaped yet."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_gateway(start_gateway: GatewayStarter) -> None:
    port = free_port()
    process = start_gateway(port=port)
    process.wait_for("Listening on")
    with connect(f"ws://127.0.0.1:{port}/{STAGE}") as ws:
        echo(ws)  # an idle worker
        send_json(ws, {"action": "sleep"})  # a busy one: 30 s, deaf to its channel closing
        deadline = time.monotonic() + 10
        while len(workers := process.children()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) == 3  # $connect's, $default's, and sleep's
        time.sleep(0.5)  # the sleep worker has its invocation, and sleeps
        process.kill()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        alive = [pid for pid in workers if is_running(pid)]
        if not alive:
            return
        time.sleep(0.05)
    pytest.fail(f"workers {alive} outlived their gateway")
