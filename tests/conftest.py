"""The whole local stack for the integration and browser tests, started once per session on free
ports, as `make dev` starts it: the emulator EMULATOR chooses (`chosen_emulator`: MiniStack by
default, moto server, or the LocalStack that $LOCALSTACK_HOST points at), `terraform apply` of
envs/local, the WebSocket data plane running the deployed functions, and the site."""

import json
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import settings
from websockets.sync.client import ClientConnection, connect

from local_gateway.server import RELOADED_FILE
from local_stack import emulator
from local_stack.emulator import free_port
from local_stack.stack import STAGE, LocalStack, Options
from tests.parity.behaviours import BY_KEY

# Property-based tests (tests/unit/test_hostile_input.py): the same examples on every run and
# machine, quick enough for every `make test`; HYPOTHESIS_PROFILE=thorough searches further.
settings.register_profile(
    "chat", max_examples=200, derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("thorough", max_examples=2_000, deadline=None)  # random, with a database
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "chat"))


class ChatSocket:
    """A WebSocket client that speaks the chat's frames."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    def send(self, frame: dict[str, Any] | str) -> None:
        self.connection.send(frame if isinstance(frame, str) else json.dumps(frame))

    def recv(self, timeout: float = 10) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(self.connection.recv(timeout=timeout))
        return frame

    def recv_until(self, frame_type: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            frame = self.recv(timeout=max(0.1, deadline - time.monotonic()))
            if frame.get("type") == frame_type:
                return frame

    def nothing_more(self, wait: float = 0.5) -> bool:
        try:
            self.connection.recv(timeout=wait)
        except TimeoutError:
            return True
        return False

    def enter(self, room: str, username: str = "", guest_key: str | None = None) -> dict[str, Any]:
        """The seed's frame to enter a room; with ``guest_key``, as the page sends it."""
        frame = {"action": "on-enter-room", "groupId": room, "username": username}
        self.send(frame if guest_key is None else {**frame, "guestKey": guest_key})
        return self.recv_until("room")

    def drop(self) -> None:
        """Vanish without a close frame, as a phone losing its network does."""
        self.connection.socket.shutdown(socket.SHUT_RDWR)
        self.connection.socket.close()

    def close(self) -> None:
        self.connection.close()


# `make test` runs two lanes at once (pytest-xdist's `-n 2`, with the scheduler below), each on
# one worker running its tests in collection order, so that module and session fixtures hold as
# in a serial run: "terraform" (tests/terraform: emulators and Terraform runs of its own, mostly
# waiting on the provider's waiters) and "stack" (everything else, around the session's
# `stack`). Each lane's servers get ports from a range of its own (FREE_PORT_RANGE, below the
# system's ephemeral ports), so servers of two lanes never get one port; their files are their
# own too (the terraform lane writes under build/rehearsal/, the other under build/e2e/, and
# both in temporary directories of their own).
# top directory under tests/ → lane; any other: "stack". tests/checks (make's emulator-free
# checks, module tests and Vitest) joins the terraform lane, which has minutes to spare beside
# the stack's.
LANES = {"terraform": "terraform", "checks": "terraform"}
PORTS_PER_LANE = 2000
FIRST_LANE_PORT = 20000


def lane_ports(worker: str) -> str:
    """The FREE_PORT_RANGE of xdist's worker ``gw<N>``."""
    first = FIRST_LANE_PORT + PORTS_PER_LANE * int(worker.removeprefix("gw"))
    return f"{first}-{first + PORTS_PER_LANE - 1}"


if os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    os.environ["FREE_PORT_RANGE"] = lane_ports(os.environ["PYTEST_XDIST_WORKER"])


def lane(nodeid: str) -> str:
    """The lane of a test, by its id (``tests/<directory>/...``)."""
    parts = nodeid.split("/")
    return LANES.get(parts[1], "stack") if len(parts) > 2 and parts[0] == "tests" else "stack"


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's scheduler by scope (a scope's tests on one worker, in order), with the lanes as
    scopes, as xdist's own loadfile and loadgroup schedulers define theirs."""
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415 - only under xdist

    class LaneScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return lane(nodeid)

    return LaneScheduling(config, log)


# What tests measured, for the end of the run's report: section title → lines (from any lane).
SUMMARIES: dict[str, list[str]] = {}


def summarize(section: str, line: str) -> None:
    SUMMARIES.setdefault(section, []).append(line)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_LaneSummaries())


class _LaneSummaries:
    """Each lane's SUMMARIES, sent to the controller, which prints them."""

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        output = getattr(session.config, "workeroutput", None)
        if output is not None:  # a worker
            output["summaries"] = SUMMARIES

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any) -> None:
        for section, lines in getattr(node, "workeroutput", {}).get("summaries", {}).items():
            SUMMARIES.setdefault(section, []).extend(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hasattr(terminalreporter.config, "workeroutput"):
        return
    for section, lines in SUMMARIES.items():
        terminalreporter.section(section)
        for line in lines:
            terminalreporter.write_line(line)


def data_planes() -> list[str]:
    """The WebSocket data planes the chat's tests run on: ours, and MiniStack's own when
    MiniStack is the emulator (the same Terraform, zip and tables; tests/parity)."""
    planes = ["ours", "ministack"] if emulator.chosen() == "ministack" else ["ours"]
    return [plane for plane in planes if BY_KEY["chat"].claimed(plane)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A chat test marked `behaviour(key)` runs only on the data planes that have it (the
    parity table says which; tests/parity checks that it is so)."""
    kept, lacking = [], []
    for item in items:
        plane = getattr(item, "callspec", None) and item.callspec.params.get("open_socket")
        marker = item.get_closest_marker("behaviour")
        if plane and marker and not BY_KEY[marker.args[0]].claimed(plane):
            lacking.append(item)
        else:
            kept.append(item)
    if lacking:
        config.hook.pytest_deselected(items=lacking)
        items[:] = kept


@pytest.fixture(params=data_planes())
def open_socket(
    request: pytest.FixtureRequest, stack: LocalStack
) -> Iterator[Callable[..., ChatSocket]]:
    """Open WebSocket connections to the stack, through the data plane of this run of the test;
    they are closed when the test ends."""
    if request.param == "ours":
        url = stack.options.websocket_url
    else:  # MiniStack's own, at LocalStack's path; its functions post to the same path
        emulator_url = stack.emulator_endpoint.replace("http://", "ws://", 1)
        url = f"{emulator_url}/_aws/execute-api/{stack.api_id}/{STAGE}"
    with ExitStack() as sockets:

        def opening(origin: str | None = None) -> ChatSocket:
            connection = connect(url, origin=origin, open_timeout=20)
            return ChatSocket(sockets.enter_context(connection))

        yield opening


def chosen_emulator() -> tuple[str, str]:
    """The emulator the tests use, as `make` and the local stack choose it (EMULATOR, MiniStack
    by default), and where: a free port for one a test starts, LocalStack's address
    ($LOCALSTACK_HOST, else 127.0.0.1:4566) for the LocalStack that EMULATOR=localstack uses."""
    kind = emulator.chosen()
    if kind == "localstack":
        return kind, "http://" + os.environ.get("LOCALSTACK_HOST", "127.0.0.1:4566")
    return kind, f"http://127.0.0.1:{free_port()}"


@contextmanager
def running_stack(
    work_dir: Path, kind: str, endpoint: str, auth_mode: str = "off"
) -> Iterator[LocalStack]:
    """A whole local stack on emulator `kind`, on free ports, in `auth_mode`, stopped at the end."""
    options = Options(
        emulator_endpoint=endpoint,
        host="127.0.0.1",
        site_port=free_port(),
        websocket_port=free_port(),
        work_dir=work_dir,
        emulator=kind,
        auth_mode=auth_mode,
    )
    running = LocalStack(options)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(tmp_path_factory.mktemp("local-stack"), *chosen_emulator()) as running:
        yield running


@pytest.fixture(scope="session")
def optional_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A second stack, with sign-in: auth_mode optional (`make dev AUTH=optional`)."""
    work_dir = tmp_path_factory.mktemp("local-stack-optional")
    with running_stack(work_dir, *chosen_emulator(), auth_mode="optional") as running:
        yield running


@pytest.fixture(scope="session")
def required_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A third stack, signed-in users only: auth_mode required (`make up AUTH=required`). A stack
    of its own rather than the optional one re-applied: it starts in about 25 s, while re-applying
    envs/local twice (the authorizer's identity source, the function's AUTH_MODE) and reloading
    the data plane would take as long and leave the optional stack's tests depending on order."""
    work_dir = tmp_path_factory.mktemp("local-stack-required")
    with running_stack(work_dir, *chosen_emulator(), auth_mode="required") as running:
        yield running


@pytest.fixture(scope="session")
def dynamodb(stack: LocalStack) -> Any:
    """The emulator's DynamoDB, where the stack's tables are."""
    return dynamodb_of(stack)


def dynamodb_of(stack: LocalStack) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=stack.emulator_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@contextmanager
def function_settings(stack: LocalStack, function: str, **variables: str) -> Iterator[None]:
    """A deployed function's environment with ``variables`` set (as Terraform would set them),
    in the emulator, and our data plane told to re-read it (SIGHUP, as after an edit) and waited
    for; back as it was at the end, waited for too, so that the next test never meets workers of
    this one's settings. Only our data plane re-reads an environment: tests using this run on
    it."""
    lambdas: Any = boto3.client(
        "lambda",
        endpoint_url=stack.emulator_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    name = f"serverless-chat-local-{function}"
    deployed = lambdas.get_function_configuration(FunctionName=name)["Environment"]["Variables"]

    def serve(environment: dict[str, str]) -> None:
        lambdas.update_function_configuration(
            FunctionName=name, Environment={"Variables": environment}
        )
        assert stack.gateway is not None
        changed = time.time()
        stack.gateway.send_signal(signal.SIGHUP)
        # The data plane reloads in the background, after any reload already under way (which
        # may have read the configuration before this change): wait for one that began after.
        reloaded = stack.options.work_dir / "gateway" / RELOADED_FILE
        deadline = time.monotonic() + 60
        while not reloaded.exists() or float(reloaded.read_text() or 0) < changed:
            assert time.monotonic() < deadline, f"the data plane never reloaded {name}"
            time.sleep(0.1)

    serve({**deployed, **variables})
    try:
        yield
    finally:
        serve(deployed)
