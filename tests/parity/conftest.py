"""Both data planes over one API: a MiniStack of its own with the parity API deployed in it
(tests/parity/handlers), served by MiniStack's own WebSocket data plane and by ours."""

import io
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from local_stack import emulator
from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    STAGE,
    ConnectAuthorizer,
    GatewayProcess,
    Route,
    deploy,
)
from tests.parity.behaviours import PLANES

HANDLERS = Path(__file__).parent / "handlers"
API_NAME = "parity"
ROUTES = {
    "$connect": Route("parity.connect"),
    "$disconnect": Route("parity.disconnect"),
    "$default": Route("parity.echo", two_way=True),
    "echo": Route("parity.echo", two_way=True),
    "oneway": Route("parity.echo"),
    "boom": Route("parity.boom", two_way=True),
    "late": Route("parity.late", timeout_s=5, two_way=True, integration_timeout_ms=500),
    "manage": Route("parity.manage"),
    "limited": Route("parity.echo", two_way=True),
}
LIMITED = {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 0.01}
# A second API, whose `$connect` has a Lambda REQUEST authorizer.
AUTHORIZED_API_NAME = "parity-authorized"
AUTHORIZED_ROUTES = {
    "$connect": Route("parity.connect_authorized"),
    "$default": Route("parity.echo", two_way=True),
}
AUTHORIZER = ConnectAuthorizer("parity.authorize", ("route.request.querystring.token",))
# A third API, whose `$connect` is `AWS_IAM`.
IAM_API_NAME = "parity-iam"
IAM_ROUTES = {
    "$connect": Route("parity.connect_iam"),
    "$default": Route("parity.echo", two_way=True),
}


@dataclass(frozen=True)
class Plane:
    name: str
    url: str

    @contextmanager
    def connect(self, query: str = "", **options: Any) -> Iterator[ClientConnection]:
        url = f"{self.url}?{query}" if query else self.url
        with connect(url, open_timeout=20, max_size=None, **options) as connection:
            yield connection


@pytest.fixture(scope="session")
def parity_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = (tmp_path_factory.mktemp("parity") / "ministack.log").open("wb")
    running = emulator.start_ministack("127.0.0.1", free_port(), log)
    try:
        yield running.endpoint
    finally:
        running.stop()
        log.close()


def _handlers_zip() -> bytes:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        for source in HANDLERS.glob("*.py"):
            archive.write(source, source.name)
    return code.getvalue()


@pytest.fixture(scope="session")
def parity_api(parity_emulator: str) -> str:
    return deploy(
        parity_emulator,
        _handlers_zip(),
        lambda api_id: {
            "CONNECTIONS_API_ENDPOINT": f"{parity_emulator}/_aws/execute-api/{api_id}/{STAGE}"
        },
        routes=ROUTES,
        api_name=API_NAME,
        route_settings={"limited": LIMITED},
        prefix="parity",
    )


@pytest.fixture(scope="session")
def authorized_api(parity_emulator: str) -> str:
    """The API whose `$connect` has a Lambda REQUEST authorizer."""
    return deploy(
        parity_emulator,
        _handlers_zip(),
        {},
        routes=AUTHORIZED_ROUTES,
        api_name=AUTHORIZED_API_NAME,
        prefix="parity-authorized",
        connect_authorizer=AUTHORIZER,
    )


@pytest.fixture(scope="session")
def iam_api(parity_emulator: str) -> str:
    """The API whose `$connect` is `AWS_IAM`."""
    return deploy(
        parity_emulator,
        _handlers_zip(),
        {},
        routes=IAM_ROUTES,
        api_name=IAM_API_NAME,
        prefix="parity-iam",
        connect_iam=True,
    )


@contextmanager
def _our_gateway(emulator_endpoint: str, api_id: str, work: Path) -> Iterator[str]:
    """Our data plane serving `api_id`, and its WebSocket URL."""
    port = free_port()
    process = GatewayProcess(
        [
            str(Path(sys.executable).with_name("local-gateway")),
            "--api", api_id,
            "--endpoint-url", emulator_endpoint,
            "--port", str(port),
            "--work-dir", str(work),
        ]
    )  # fmt: skip
    try:
        process.wait_for("Listening on")
        yield f"ws://127.0.0.1:{port}/{STAGE}"
    finally:
        process.stop()


@pytest.fixture(scope="session")
def our_plane(
    parity_emulator: str, parity_api: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with _our_gateway(
        parity_emulator, parity_api, tmp_path_factory.mktemp("parity-gateway")
    ) as url:
        yield url


@pytest.fixture(scope="session")
def our_authorized_plane(
    parity_emulator: str, authorized_api: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    work = tmp_path_factory.mktemp("parity-authorized-gateway")
    with _our_gateway(parity_emulator, authorized_api, work) as url:
        yield url


@pytest.fixture(scope="session")
def our_iam_plane(
    parity_emulator: str, iam_api: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    work = tmp_path_factory.mktemp("parity-iam-gateway")
    with _our_gateway(parity_emulator, iam_api, work) as url:
        yield url


def _ministack_url(emulator_endpoint: str, api_id: str) -> str:
    websocket = emulator_endpoint.replace("http://", "ws://", 1)
    return f"{websocket}/_aws/execute-api/{api_id}/{STAGE}"


@pytest.fixture(params=PLANES)
def plane(request: pytest.FixtureRequest, parity_emulator: str, parity_api: str) -> Plane:
    if request.param == "ours":
        return Plane("ours", request.getfixturevalue("our_plane"))
    return Plane("ministack", _ministack_url(parity_emulator, parity_api))


@pytest.fixture(params=PLANES)
def authorized_plane(
    request: pytest.FixtureRequest, parity_emulator: str, authorized_api: str
) -> Plane:
    """A plane serving the API whose `$connect` has a REQUEST authorizer."""
    if request.param == "ours":
        return Plane("ours", request.getfixturevalue("our_authorized_plane"))
    return Plane("ministack", _ministack_url(parity_emulator, authorized_api))


@pytest.fixture(params=PLANES)
def iam_plane(request: pytest.FixtureRequest, parity_emulator: str, iam_api: str) -> Plane:
    """A plane serving the API whose `$connect` is `AWS_IAM`."""
    if request.param == "ours":
        return Plane("ours", request.getfixturevalue("our_iam_plane"))
    return Plane("ministack", _ministack_url(parity_emulator, iam_api))
