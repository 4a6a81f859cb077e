"""The AWS emulator the local stack applies Terraform to, as ``EMULATOR`` chooses (``chosen()``):

- ``ministack`` (the default): MiniStack, from a virtual environment of its own
  (build/tools/ministack, which ``make`` installs from ministack-requirements.txt beside this
  file: it pins its own botocore, and the Lambda workers it runs import boto3 from it), served
  behind the loopback guard (guarded_ministack.py). One already answering on the endpoint is
  used as it is (not guarded: it is not ours); otherwise it is started on the endpoint's port,
  or on a free port when that one is taken.
- ``moto``: moto server as moto ships it, served by waitress behind the loopback guard
  (moto_server.py); found or started as MiniStack is.
- ``localstack``: the LocalStack that answers on the endpoint. Nothing is started: its editions
  with API Gateway v2 (WebSocket APIs) need an auth token (``LOCALSTACK_AUTH_TOKEN``), so it is
  one you run yourself.

A server started here answers only a loopback Host on its port, and no Origin but
``allowed_origins`` (the local site's): any web page open in the browser can reach loopback.

A server started here runs in a process group of its own (what it starts, such as MiniStack's
Lambda workers, with it): Ctrl-C reaches the stack alone, which stops the server last, group
and all.
"""

import contextlib
import json
import os
import random
import signal
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

ROOT = Path(__file__).resolve().parents[2]
EMULATORS = ("ministack", "moto", "localstack")
DEFAULT_EMULATOR = "ministack"
NAMES = {"ministack": "MiniStack", "moto": "moto server", "localstack": "LocalStack"}
# LocalStack services the stack creates resources in.
NEEDED_SERVICES = ("apigatewayv2", "lambda", "dynamodb", "s3", "iam", "logs", "sts")
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
# MiniStack as `make` installs it (scripts/local_stack/ministack-requirements.txt), and the
# script that serves its application behind the loopback guard.
MINISTACK_PYTHON = ROOT / "build" / "tools" / "ministack" / "bin" / "python"
GUARDED_MINISTACK = Path(__file__).with_name("guarded_ministack.py")
MINISTACK_HEALTH = "/_ministack/health"  # LocalStack has no such path; MiniStack answers both
# moto server as the stack runs it: stock moto, served by waitress, with a DynamoDB throttle
# switch (moto_server.py)
MOTO_SERVER = (sys.executable, str(Path(__file__).with_name("moto_server.py")))


class EmulatorError(Exception):
    pass


def chosen(value: str | None = None) -> str:
    """The emulator to use: ``value``, else $EMULATOR, else MiniStack. The one place that
    decides, for ``make dev``/``up`` and for every test that starts an emulator."""
    kind = (os.environ.get("EMULATOR", "") if value is None else value).strip().lower()
    kind = kind or DEFAULT_EMULATOR
    if kind not in EMULATORS:
        raise EmulatorError(f"EMULATOR={kind} is none of {', '.join(EMULATORS)}")
    return kind


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
            stop_group(self.process)


def stop_process(process: "subprocess.Popen[bytes]") -> None:
    """SIGTERM, then SIGKILL what does not exit within STOP_TIMEOUT_S."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_group(process: "subprocess.Popen[bytes]") -> None:
    """As ``stop_process``, for a process that leads a group of its own, and the rest of the
    group after it (what it started and left behind)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def find_or_start(
    endpoint: str,
    log: IO[bytes] | None,
    say: Callable[[str], None],
    kind: str | None = None,
    allowed_origins: Sequence[str] = (),
) -> Emulator:
    """The emulator ``kind`` (``chosen()`` by default) at ``endpoint``: the one answering
    there, or one started there (on a free port when the endpoint's is taken), writing to
    ``log`` (None: where this process writes), answering browsers of ``allowed_origins``
    only."""
    kind = chosen(kind)
    if kind == "localstack":
        return _localstack(endpoint, say)
    name = NAMES[kind]
    host, port = _host_and_port(endpoint)
    if not _port_free(host, port):
        if _is(kind, endpoint):
            say(f"Using the {name} already running at {endpoint}")
            return Emulator(endpoint, name)
        port = free_port(host)
    emulator = start(kind, host, port, log, allowed_origins)
    say(f"Started {name} at {emulator.endpoint}")
    return emulator


def start(
    kind: str,
    host: str,
    port: int,
    log: IO[bytes] | None,
    allowed_origins: Sequence[str] = (),
) -> Emulator:
    """Start the emulator ``kind`` (ministack or moto) on ``host:port``, once it answers, behind
    the loopback guard (browsers of ``allowed_origins`` only)."""
    if kind == "ministack":
        return start_ministack(host, port, log, allowed_origins=allowed_origins)
    if kind == "moto":
        return start_moto(host, port, log, allowed_origins=allowed_origins)
    raise EmulatorError(f"{NAMES.get(kind, kind)} is not started here: start it yourself")


def start_ministack(
    host: str,
    port: int,
    log: IO[bytes] | None,
    python: Path = MINISTACK_PYTHON,
    allowed_origins: Sequence[str] = (),
) -> Emulator:
    if not python.is_file():
        raise EmulatorError(
            f"MiniStack is not installed ({python} is missing): `make ministack` installs it"
        )
    environment = {
        **os.environ,
        "GATEWAY_PORT": str(port),
        "BIND_HOST": host,  # its default is every interface
        # warnings and errors: at INFO it starts with a 15-line banner
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    command = [str(python), str(GUARDED_MINISTACK), *origin_arguments(allowed_origins)]
    return _start("ministack", command, f"http://{host}:{port}", log, environment)


def start_moto(
    host: str,
    port: int,
    log: IO[bytes] | None,
    command: Sequence[str] = MOTO_SERVER,
    allowed_origins: Sequence[str] = (),
) -> Emulator:
    """Start moto server (``command``: ours by default) on ``host:port``, once it answers."""
    arguments = [*command, "-H", host, "-p", str(port), *origin_arguments(allowed_origins)]
    return _start("moto", arguments, f"http://{host}:{port}", log)


def origin_arguments(allowed_origins: Sequence[str]) -> list[str]:
    """``--allowed-origin`` for each origin: the guarded servers' and the data plane's option."""
    return [argument for origin in allowed_origins for argument in ("--allowed-origin", origin)]


def _start(
    kind: str,
    command: list[str],
    endpoint: str,
    log: IO[bytes] | None,
    environment: dict[str, str] | None = None,
) -> Emulator:
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        start_new_session=True,  # its own process group: see the module's docstring
    )
    emulator = Emulator(endpoint, NAMES[kind], process)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _is(kind, endpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            emulator.stop()
            raise EmulatorError(f"{NAMES[kind]} did not start on {endpoint} (see its log)")
        time.sleep(0.05)
    return emulator


def _localstack(endpoint: str, say: Callable[[str], None]) -> Emulator:
    health = _localstack_health(endpoint)
    if health is None or _is("ministack", endpoint):
        raise EmulatorError(
            f"no LocalStack answers at {endpoint}: EMULATOR=localstack uses one you run "
            "(with LOCALSTACK_AUTH_TOKEN: WebSocket APIs are in its paid editions), "
            "or leave EMULATOR unset for MiniStack"
        )
    missing = [s for s in NEEDED_SERVICES if health.get(s) not in ("available", "running")]
    if missing:
        raise EmulatorError(
            f"LocalStack at {endpoint} does not offer {', '.join(missing)} "
            "(WebSocket APIs need an edition with an auth token, LOCALSTACK_AUTH_TOKEN)"
        )
    say(f"Using LocalStack at {endpoint}")
    return Emulator(endpoint, NAMES["localstack"])


def _localstack_health(endpoint: str) -> dict[str, str] | None:
    """LocalStack's service states, or None when no LocalStack answers there."""
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=2) as response:  # noqa: S310 - the configured emulator
            services = json.load(response).get("services")
    except (OSError, ValueError):
        return None
    return services if isinstance(services, dict) else None


def _is(kind: str, endpoint: str) -> bool:
    """Whether the emulator ``kind`` answers at ``endpoint``."""
    path = MINISTACK_HEALTH if kind == "ministack" else "/moto-api/data.json"
    try:
        with urllib.request.urlopen(f"{endpoint}{path}", timeout=2) as response:  # noqa: S310 - the configured emulator
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
    """A port nothing listens on now, for a server about to start: any the system picks, or,
    when FREE_PORT_RANGE is set (``first-last``), one in that range that this process has not
    handed out before. The lanes of a parallel test run each get a range of their own, outside
    the system's ephemeral ports (tests/conftest.py): servers of two lanes never get one port."""
    span = os.environ.get("FREE_PORT_RANGE", "")
    if not span:
        with socket.socket() as probe:
            probe.bind((host, 0))
            return int(probe.getsockname()[1])
    low, high = span.split("-")
    first, last = int(low), int(high)
    start = random.randint(first, last)  # noqa: S311 - as the system does: runs start apart
    candidates: list[int] = [*range(start, last + 1), *range(first, start)]
    for port in candidates:
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise EmulatorError(f"no free port left in FREE_PORT_RANGE={span}")


_handed_out: set[int] = set()
