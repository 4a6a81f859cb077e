"""Which emulator the local stack applies to, as EMULATOR chooses: MiniStack by default, moto
server, or a LocalStack that offers what the stack needs — and it says which, or why not."""

import json
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from local_stack import emulator
from tests.conftest import lane, lane_ports

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


def test_emulator_chooses_ministack_by_default_and_refuses_what_it_does_not_know(monkeypatch):
    monkeypatch.delenv("EMULATOR", raising=False)
    assert emulator.chosen() == "ministack"
    monkeypatch.setenv("EMULATOR", "Moto")
    assert emulator.chosen() == "moto"
    assert emulator.chosen("localstack") == "localstack"
    with pytest.raises(emulator.EmulatorError, match="none of ministack, moto, localstack"):
        emulator.chosen("docker")


@pytest.mark.parametrize("localstack", [EVERYTHING], indirect=True)
def test_a_localstack_with_every_service_the_stack_needs_is_used(localstack, tmp_path):
    said: list[str] = []
    with open(tmp_path / "emulator.log", "wb") as log:
        chosen = emulator.find_or_start(localstack.endpoint, log, said.append, "localstack")

    assert (chosen.endpoint, chosen.name, chosen.started_here) == (
        localstack.endpoint,
        "LocalStack",
        False,
    )
    assert said == [f"Using LocalStack at {localstack.endpoint}"]


@pytest.mark.parametrize("localstack", [{**EVERYTHING, "apigatewayv2": "disabled"}], indirect=True)
def test_a_localstack_without_websocket_apis_is_refused_and_says_it_needs_a_token(
    localstack, tmp_path
):
    with (
        open(tmp_path / "emulator.log", "wb") as log,
        pytest.raises(emulator.EmulatorError) as refused,
    ):
        emulator.find_or_start(localstack.endpoint, log, lambda _: None, "localstack")
    assert "does not offer apigatewayv2" in str(refused.value)
    assert "LOCALSTACK_AUTH_TOKEN" in str(refused.value)


def test_localstack_where_none_answers_is_refused_and_nothing_is_started(tmp_path):
    endpoint = f"http://127.0.0.1:{emulator.free_port()}"
    with (
        open(tmp_path / "emulator.log", "wb") as log,
        pytest.raises(emulator.EmulatorError, match="no LocalStack answers"),
    ):
        emulator.find_or_start(endpoint, log, lambda _: None, "localstack")


@pytest.mark.parametrize("localstack", [EVERYTHING], indirect=True)
@pytest.mark.parametrize(("kind", "name"), [("ministack", "MiniStack"), ("moto", "moto server")])
def test_a_server_started_on_a_taken_port_takes_another_and_stops_with_its_group(
    localstack, tmp_path, kind, name
):
    said: list[str] = []
    with open(tmp_path / "emulator.log", "wb") as log:
        started = emulator.find_or_start(localstack.endpoint, log, said.append, kind)
    try:
        assert started.name == name
        assert started.started_here
        assert started.endpoint != localstack.endpoint  # its port is taken: another one
        assert said == [f"Started {name} at {started.endpoint}"]
        assert started.process is not None
        assert os.getpgid(started.process.pid) == started.process.pid  # a group of its own

        again: list[str] = []
        found = emulator.find_or_start(started.endpoint, log, again.append, kind)
        assert (found.endpoint, found.started_here) == (started.endpoint, False)
        assert again == [f"Using the {name} already running at {started.endpoint}"]
    finally:
        started.stop()
    assert started.process.poll() is not None


def test_ministack_missing_says_how_to_install_it(tmp_path):
    with (
        open(tmp_path / "emulator.log", "wb") as log,
        pytest.raises(emulator.EmulatorError, match="`make ministack` installs it"),
    ):
        emulator.start_ministack("127.0.0.1", emulator.free_port(), log, tmp_path / "python")


def test_free_ports_come_from_the_range_each_once_and_never_a_taken_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FREE_PORT_RANGE", "24100-24103")
    monkeypatch.setattr(emulator, "_handed_out", set())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 24101))
        taken.listen()
        ports = {emulator.free_port() for _ in range(3)}
        assert ports == {24100, 24102, 24103}
        with pytest.raises(emulator.EmulatorError, match="no free port left"):
            emulator.free_port()
    assert emulator.free_port() == 24101, "free again once its server is gone"


def test_the_lanes_ports_are_apart_and_outside_the_systems_ephemeral_ones() -> None:
    """Two lanes of `make test` (tests/conftest.py) never hand out one port, and no client's
    outgoing connection takes one of theirs."""
    ranges = [lane_ports(worker) for worker in ("gw0", "gw1")]
    spans = [range(int(low), int(high) + 1) for low, high in (r.split("-") for r in ranges)]
    assert not set(spans[0]) & set(spans[1])
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if ephemeral.is_file():
        low, high = (int(bound) for bound in ephemeral.read_text().split())
        assert all(span.stop <= low or span.start > high for span in spans)


def test_tests_under_tests_terraform_are_one_lane_and_the_rest_another() -> None:
    assert lane("tests/terraform/test_rehearsal.py::test_apply[dev]") == "terraform"
    assert lane("tests/integration/test_smoke.py::test_smoke") == "stack"
    assert lane("tests/unit/test_names.py::test_x[terraform/a]") == "stack"
