"""Which emulator the local stack applies to: a LocalStack that offers what the stack needs,
otherwise a moto server of its own — and it says why."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from local_stack import emulator

EVERYTHING = dict.fromkeys(emulator.NEEDED_SERVICES, "available")


class LocalStackHealth(ThreadingHTTPServer):
    """A stand-in for LocalStack's health endpoint, reporting ``services``."""

    def __init__(self, services: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Health)
        self.services = services

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Health(BaseHTTPRequestHandler):
    server: LocalStackHealth

    def do_GET(self) -> None:
        found = self.path == "/_localstack/health"
        body = json.dumps({"edition": "community", "services": self.server.services}).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", str(len(body) if found else 0))
        self.end_headers()
        if found:
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def localstack(request: pytest.FixtureRequest) -> Iterator[LocalStackHealth]:
    server = LocalStackHealth(request.param)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.mark.parametrize("localstack", [EVERYTHING], indirect=True)
def test_a_localstack_with_every_service_the_stack_needs_is_used(localstack, tmp_path):
    said: list[str] = []
    with open(tmp_path / "emulator.log", "wb") as log:
        chosen = emulator.find_or_start(localstack.endpoint, log, said.append)

    assert (chosen.endpoint, chosen.name, chosen.started_here) == (
        localstack.endpoint,
        "LocalStack",
        False,
    )
    assert said == [f"Using LocalStack at {localstack.endpoint}"]


@pytest.mark.parametrize("localstack", [{**EVERYTHING, "apigatewayv2": "disabled"}], indirect=True)
def test_the_free_localstack_without_websocket_apis_falls_back_to_moto_and_says_so(
    localstack, tmp_path
):
    said: list[str] = []
    with open(tmp_path / "emulator.log", "wb") as log:
        chosen = emulator.find_or_start(localstack.endpoint, log, said.append)
    try:
        assert chosen.name == "moto server"
        assert chosen.started_here
        assert chosen.endpoint != localstack.endpoint  # its port is taken: another one
        assert "does not offer apigatewayv2" in said[0]
        assert "WebSocket APIs are not in its free edition" in said[0]
        assert said[1] == f"Started moto server at {chosen.endpoint}"
    finally:
        chosen.stop()
    assert chosen.process is not None
    assert chosen.process.poll() is not None
