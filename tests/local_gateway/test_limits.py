"""API Gateway's limits and refusals: frame sizes, binary frames, throttling, `$connect`
refusals, idle timeout and lifetime, and `$disconnect` exactly once."""

import json
import socket
import time
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    STAGE,
    DeployedApi,
    GatewayProcess,
    GatewayStarter,
    echo,
    invocation_routes,
    receive_json,
    recorded_events,
    send_json,
)


def close_code(ws_recv_error: pytest.ExceptionInfo[ConnectionClosed]) -> int | None:
    received = ws_recv_error.value.rcvd
    return None if received is None else received.code


def test_a_frame_over_32_kb_closes_with_1009_before_any_function_runs(
    gateway_url: str, gateway: GatewayProcess, deployed_api: DeployedApi
) -> None:
    with connect(gateway_url) as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
        ws.send(json.dumps({"action": "whatever", "pad": "x" * 40 * 1024}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert close_code(closed) == 1009
    lines = gateway.wait_for(connection_id, count=3)
    assert invocation_routes(lines, connection_id) == ["$connect", "$default", "$disconnect"]


def test_a_message_may_span_frames_of_32_kb(gateway_url: str) -> None:
    body = json.dumps({"action": "whatever", "pad": "x" * 60 * 1024})
    with connect(gateway_url) as ws:
        ws.send([body[:30_000], body[30_000:60_000], body[60_000:]])
        answer = receive_json(ws)
    assert answer["event"]["body"] == body


def test_a_binary_frame_closes_with_1003(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        ws.send(b"\x00\x01")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert close_code(closed) == 1003


def test_the_stage_route_throttling_is_honoured(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        send_json(ws, {"action": "limited"})
        assert receive_json(ws)["event"]["requestContext"]["routeKey"] == "limited"
        send_json(ws, {"action": "limited"})
        assert receive_json(ws)["message"] == "Too Many Requests"


def test_a_one_way_route_sends_nothing_back(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        send_json(ws, {"action": "oneway"})
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.5)


def test_a_refused_connect_fails_the_handshake_with_its_status(gateway_url: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{gateway_url}?refuse=1")
    assert refused.value.response.status_code == 403


def test_an_unknown_stage_is_forbidden(deployed_api: DeployedApi) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{deployed_api.gateway_port}/other")
    assert refused.value.response.status_code == 403


def test_a_vanished_client_gets_one_disconnect(gateway_url: str, deployed_api: DeployedApi) -> None:
    with connect(gateway_url) as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
        ws.socket.shutdown(socket.SHUT_RDWR)  # no close frame
        time.sleep(0.5)
    events = recorded_events(deployed_api.event_dir, "$disconnect", connection_id)
    assert len(events) == 1
    assert events[0]["requestContext"]["disconnectStatusCode"] == 1006


@pytest.fixture(scope="module")
def short_lived_gateway_url(start_gateway: GatewayStarter) -> Iterator[str]:
    port = free_port()
    process = start_gateway("--idle-timeout", "1", "--max-lifetime", "2.5", port=port)
    process.wait_for("Listening on")
    url = f"ws://127.0.0.1:{port}/{STAGE}"
    with connect(url) as ws:
        echo(ws)  # warm: a cold start must not count as idle time in the tests below
    yield url
    process.stop()


def test_an_idle_connection_is_closed_with_1001(short_lived_gateway_url: str) -> None:
    with connect(short_lived_gateway_url) as ws:
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert close_code(closed) == 1001
    assert 1 <= time.monotonic() - started < 2


def test_a_connection_is_closed_at_the_end_of_its_lifetime(short_lived_gateway_url: str) -> None:
    def echo_until_closed(ws: ClientConnection) -> None:
        while True:
            echo(ws)
            time.sleep(0.2)

    with connect(short_lived_gateway_url) as ws:
        started = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            echo_until_closed(ws)
    assert close_code(closed) == 1001
    assert 2 <= time.monotonic() - started < 4


def test_invalid_utf8_in_a_text_frame_closes_with_1007(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        ws.send(b"\xff\xfe", text=True)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert close_code(closed) == 1007


def test_a_frame_too_deeply_nested_to_parse_goes_to_default(gateway_url: str) -> None:
    body = "[" * 10_000 + "]" * 10_000  # json.loads raises RecursionError, not ValueError
    with connect(gateway_url) as ws:
        ws.send(body)
        answer = receive_json(ws)
    assert answer["event"]["requestContext"]["routeKey"] == "$default"
    assert answer["event"]["body"] == body


def test_a_message_past_its_integration_timeout_gets_endpoint_request_timed_out(
    gateway_url: str,
) -> None:
    with connect(gateway_url) as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
        send_json(ws, {"action": "late"})  # an integration timeout of 100 ms; it sleeps 300
        frame = ws.recv(timeout=5)
        request_id = json.loads(frame)["requestId"]
        assert frame == (
            f'{{"message": "Endpoint request timed out", "connectionId":"{connection_id}", '
            f'"requestId":"{request_id}"}}'
        )
        # The function ran on: its post arrives, its answer (nobody waits for it) does not.
        assert ws.recv(timeout=5) == "posted after the integration timed out"
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.5)


def test_a_connect_past_its_integration_timeout_is_refused_with_504(gateway_url: str) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{gateway_url}?slow=1")  # an integration timeout of 5 s; it sleeps 5.5
    assert refused.value.response.status_code == 504
    assert time.monotonic() - started < 5.5
