"""The emulators the stack starts (MiniStack, moto server) stand behind the loopback guard: a
foreign page's request or preflight, and a DNS-rebinding name, are refused before the emulator
sees them (no permissive CORS for them); terraform, boto3 and the functions, which send no
Origin, and the stack's own pages are served as before."""

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from local_gateway.loopback_guard import LoopbackGuard
from local_stack import emulator
from local_stack.guarded_ministack import GuardedApplication, Message, Receive, Scope, Send
from tests.raw_http import http_request

SITE_ORIGIN = "http://127.0.0.1:5173"
FOREIGN_ORIGIN = "http://evil.example"
REBINDING_NAME = "evil.example"  # a name its owner made resolve to 127.0.0.1
# DynamoDB's ListTables as a page's fetch() could send it (moto tells services apart by the
# credential scope; neither emulator checks the signature).
LIST_TABLES = {
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Content-Type": "application/x-amz-json-1.0",
    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0",
}


@pytest.fixture(scope="module", params=["ministack", "moto"])
def guarded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[int]:
    """An emulator as the stack starts it (its site's origin allowed); its port."""
    log_path: Path = tmp_path_factory.mktemp("emulator") / "emulator.log"
    with log_path.open("wb") as log:
        server = emulator.start(
            request.param, "127.0.0.1", emulator.free_port(), log, [SITE_ORIGIN]
        )
    try:
        yield int(server.endpoint.rsplit(":", 1)[1])
    finally:
        server.stop()


def test_sdks_without_origin_are_served(guarded: int) -> None:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{guarded}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    assert "TableNames" in dynamodb.list_tables()
    localhost = http_request(
        guarded, "POST", "/", {**LIST_TABLES, "Host": f"localhost:{guarded}"}, b"{}"
    )
    assert localhost.status == 200


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": FOREIGN_ORIGIN}, 403),
        ({"Host": f"{REBINDING_NAME}:{{port}}"}, 421),
        (
            {"Host": f"{REBINDING_NAME}:{{port}}", "Origin": f"http://{REBINDING_NAME}:{{port}}"},
            421,
        ),
    ],
    ids=["foreign-page", "rebinding-host", "rebinding-page"],
)
def test_a_foreign_page_or_a_rebinding_name_cannot_read_the_tables(
    guarded: int, headers: dict[str, str], status: int
) -> None:
    headers = {name: value.format(port=guarded) for name, value in headers.items()}
    answer = http_request(guarded, "POST", "/", {**LIST_TABLES, **headers}, b"{}")
    assert answer.status == status
    assert b"TableNames" not in answer.body
    assert "access-control-allow-origin" not in answer.headers


def test_a_foreign_pages_preflight_gets_no_cors_answer(guarded: int) -> None:
    preflight = {
        "Origin": FOREIGN_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-amz-target,content-type",
    }
    answer = http_request(guarded, "OPTIONS", "/", preflight)
    assert answer.status == 403
    assert not [name for name in answer.headers if name.startswith("access-control-")]


def test_the_sites_own_page_passes_the_guard(guarded: int) -> None:
    answer = http_request(guarded, "POST", "/", {**LIST_TABLES, "Origin": SITE_ORIGIN}, b"{}")
    assert answer.status == 200
    assert b"TableNames" in answer.body


def test_a_foreign_pages_websocket_is_refused(guarded: int) -> None:
    url = f"ws://127.0.0.1:{guarded}/_aws/execute-api/abcdef1234/local"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=FOREIGN_ORIGIN, open_timeout=10)
    assert refused.value.response.status_code == 403


def run_apart(coroutine: Coroutine[object, object, None]) -> None:
    """``asyncio.run`` on a thread of its own: the e2e tests' Playwright (sync API) keeps an event
    loop running on the main thread for the rest of the session."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, coroutine).result()


def test_a_refused_websocket_never_reaches_the_application_on_any_asgi_server() -> None:
    """Where a server offers no `websocket.http.response`, a refused upgrade is closed before
    it is accepted (the server answers 403); the application is never called."""
    called: list[Scope] = []
    sent: list[Message] = []

    async def application(scope: Scope, _receive: Receive, _send: Send) -> None:
        called.append(scope)

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    guarded = GuardedApplication(application, LoopbackGuard(4566, frozenset({SITE_ORIGIN})))
    foreign = [(b"host", b"127.0.0.1:4566"), (b"origin", FOREIGN_ORIGIN.encode())]
    run_apart(guarded({"type": "websocket", "headers": foreign}, receive, send))
    assert sent == [{"type": "websocket.close"}]
    assert called == []
    own = [(b"host", b"localhost:4566"), (b"origin", SITE_ORIGIN.encode())]
    run_apart(guarded({"type": "websocket", "headers": own}, receive, send))
    assert len(called) == 1
