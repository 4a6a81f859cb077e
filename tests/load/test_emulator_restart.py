"""The emulator restarted under a running stack (`python -m local_stack dev`, as `make dev` runs
it, against an emulator of the test's own, of the kind EMULATOR chooses): clients get an error,
the stack stops once with a message that says what happened and what to do, and doing it
brings the chat back."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from local_stack import emulator
from tests.conftest import ChatSocket, free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 180.0


class Restartable:
    """The chosen emulator on a fixed port that the test can restart (empty, as every restart
    is)."""

    def __init__(self, directory: Path, kind: str) -> None:
        self.kind = kind
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = directory / "emulator.log"
        self._server: emulator.Emulator | None = None

    def start(self) -> None:
        with open(self._log, "ab") as log:
            self._server = emulator.start(self.kind, "127.0.0.1", self.port, log)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


class Stack:
    """`python -m local_stack dev` in a process of its own, as `make dev` starts it."""

    def __init__(self, directory: Path, aws: Restartable) -> None:
        self.work_dir = directory / "stack"
        self.log = directory / "stack.log"
        self.websocket_port = free_port()
        self.arguments = [
            sys.executable, "-m", "local_stack", "dev", "--emulator-endpoint", aws.endpoint,
            "--emulator", aws.kind,
            "--site-port", str(free_port()), "--websocket-port", str(self.websocket_port),
            "--work-dir", str(self.work_dir),
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.websocket_port}/local"

    def start(self) -> None:
        environment = {**os.environ, "PYTHONPATH": f"{ROOT / 'scripts'}:{ROOT / 'lambdas'}"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.arguments, stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=ROOT
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (self.work_dir / "ready.json").exists():
            assert self.process.poll() is None, f"the stack exited: {self.said()}"
            assert time.monotonic() < deadline, "the stack did not start"
            time.sleep(0.5)

    def said(self) -> str:
        return self.log.read_text(errors="replace")

    def pause(self) -> None:
        """Hold the stack's own process (its check of the emulator, every WATCH_PERIOD_S); the
        data plane, a process of its own, serves on."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # were it paused
            self.process.send_signal(signal.SIGINT)  # Ctrl-C
            self.process.wait(timeout=60)


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Restartable]:
    kind = emulator.chosen()
    if kind == "localstack":
        pytest.skip("EMULATOR=localstack: the LocalStack you run is not restarted by the tests")
    server = Restartable(tmp_path, kind)
    server.start()
    yield server
    server.stop()


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_an_emulator_restarted_under_the_stack_stops_it_with_a_clear_error_and_a_rerun_recovers(
    restartable: Restartable, tmp_path: Path
):
    stack = Stack(tmp_path, restartable)
    stack.start()
    try:
        with connect(stack.url, open_timeout=30) as connection:
            client = ChatSocket(connection)
            client.enter("lobby", "ada")

            # The stack checks the emulator every WATCH_PERIOD_S and stops when it is lost; a
            # restart that takes longer than the time left to that check (a loaded machine)
            # would stop it, closing the client (1001), before the client's frame is answered.
            # So the check waits until the client has seen what a page sees in that time.
            stack.pause()
            restartable.stop()
            restartable.start()  # empty, as every emulator restart is

            client.send({"action": "on-message", "message": "still there?"})
            assert client.recv(timeout=30)["message"] == "Internal server error"
            stack.resume()
            assert stack.process is not None
            assert stack.process.wait(timeout=60) == 1  # it stops, once, by itself
        said = stack.said()
        assert "no longer holds the chat (it was restarted" in said
        assert "Run `make dev` (or `make up`) again" in said
        assert not answers(stack.websocket_port), "the data plane outlived the stack"

        stack.start()  # what the message says to do, with the old Terraform state still there

        with connect(stack.url, open_timeout=30) as first, connect(stack.url) as second:
            ada, bob = ChatSocket(first), ChatSocket(second)
            ada.enter("lobby", "ada")
            bob.enter("lobby", "bob")
            ada.send({"action": "on-message", "message": "back again"})
            assert bob.recv_until("message")["message"] == "back again"
    finally:
        stack.stop()
