"""The AWS emulator the local stack applies Terraform to.

A LocalStack that answers on the endpoint is used when it offers what the stack needs
(API Gateway v2 for the WebSocket API, which its free edition lacks); otherwise moto server is
started on the endpoint's port, or on a free port when that one is taken.
"""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

# LocalStack services the stack creates resources in.
NEEDED_SERVICES = ("apigatewayv2", "lambda", "dynamodb", "s3", "iam", "logs", "sts")
STARTUP_TIMEOUT_S = 30.0
# moto server as the stack runs it: moto made fast enough for the send path, and able to throttle
# a DynamoDB operation on request (moto_server.py)
MOTO_SERVER = (sys.executable, str(Path(__file__).with_name("moto_server.py")))


class EmulatorError(Exception):
    pass


@dataclass
class Emulator:
    endpoint: str
    name: str
    process: subprocess.Popen[bytes] | None = None  # None: somebody else runs it

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


def stop_process(process: "subprocess.Popen[bytes]") -> None:
    """SIGTERM, then SIGKILL what does not exit within 10 seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def find_or_start(endpoint: str, log: IO[bytes], say: Callable[[str], None]) -> Emulator:
    health = _localstack_health(endpoint)
    if health is not None:
        missing = [s for s in NEEDED_SERVICES if health.get(s) not in ("available", "running")]
        if not missing:
            say(f"Using LocalStack at {endpoint}")
            return Emulator(endpoint, "LocalStack")
        say(
            f"LocalStack at {endpoint} does not offer {', '.join(missing)} "
            "(WebSocket APIs are not in its free edition): starting moto server instead."
        )
    host, port = _host_and_port(endpoint)
    if not _port_free(host, port):
        if health is None and _is_moto(endpoint):
            say(f"Using the moto server already running at {endpoint}")
            return Emulator(endpoint, "moto server")
        port = free_port(host)
    emulator = start_moto(host, port, log)
    say(f"Started moto server at {emulator.endpoint}")
    return emulator


def start_moto(
    host: str, port: int, log: IO[bytes], command: Sequence[str] = MOTO_SERVER
) -> Emulator:
    """Start moto server (``command``: ours by default) on ``host:port``, once it answers."""
    endpoint = f"http://{host}:{port}"
    process = subprocess.Popen(
        [*command, "-H", host, "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    emulator = Emulator(endpoint, "moto server", process)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _is_moto(endpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            emulator.stop()
            raise EmulatorError(f"moto server did not start on {endpoint}")
        time.sleep(0.1)
    return emulator


def _localstack_health(endpoint: str) -> dict[str, str] | None:
    """LocalStack's service states, or None when no LocalStack answers there."""
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=2) as response:  # noqa: S310 - the configured emulator
            services = json.load(response).get("services")
    except (OSError, ValueError):
        return None
    return services if isinstance(services, dict) else None


def _is_moto(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2) as response:  # noqa: S310 - the configured emulator
            return bool(response.status == 200)
    except (OSError, urllib.error.HTTPError):
        return False


def _host_and_port(endpoint: str) -> tuple[str, int]:
    parts = urlsplit(endpoint)
    host = parts.hostname or "127.0.0.1"
    return ("127.0.0.1" if host == "localhost" else host), parts.port or 4566


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) != 0


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for a server about to start."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
