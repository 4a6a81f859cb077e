"""The chat backend in one process, as API Gateway would drive it.

The handlers run exactly as Lambda calls them (real WebSocket event shapes from ``tests/events``),
DynamoDB is moto's in-process mock, and ``@connections`` is a stand-in HTTP server on loopback that
answers like API Gateway — including 410 Gone for a connection that is no longer open, which
moto's own mock never does.
"""

import copy
import dataclasses
import importlib
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
import time_machine
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from serverless_chat import contract
from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.adapters.rooms_table import RoomsTable
from serverless_chat.domain.identity import AuthMode
from tests.chat_tables import (
    USER_INDEX,
    create_chat_tables,
    create_handles_table,
    create_rooms_table,
)
from tests.unit.rooms_support import HANDLES_TABLE, ROOMS_TABLE, USERS

EVENTS = Path(__file__).parent.parent / "events"
# route key -> handler module, as the contract names them; the routes a frame's action selects
HANDLERS = {
    key: route.handler.removeprefix("serverless_chat.handlers.").rsplit(".", 1)[0]
    for key, route in contract.ROUTES.items()
}
ROUTES = {key: module for key, module in HANDLERS.items() if not key.startswith("$")}
CONNECTIONS_TABLE = "chat-connections"
ROOM_INDEX = "room-index"
MESSAGES_TABLE = "chat-messages"
ALLOWED_ORIGIN = "https://d111111abcdef8.cloudfront.net"
ROOM_MEMBER_LIMIT = 6


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"aws-{name}.json").read_text())


class ConnectionsApiStub(ThreadingHTTPServer):
    """API Gateway's ``@connections`` API: POST a frame to an open connection, or get 410."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _StubRequestHandler)
        self.lock = threading.Lock()
        self.open: set[str] = set()
        self.received: dict[str, list[bytes]] = {}
        self.failures: dict[str, list[int]] = {}  # statuses to answer before delivering
        self.attempts: dict[str, int] = {}
        self.closed: list[str] = []  # DELETE @connections, in order

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/prod"

    def reset(self) -> None:
        with self.lock:
            self.open.clear()
            self.received.clear()
            self.failures.clear()
            self.attempts.clear()
            self.closed.clear()

    def answer(self, connection_id: str, data: bytes) -> int:
        with self.lock:
            self.attempts[connection_id] = self.attempts.get(connection_id, 0) + 1
            pending = self.failures.get(connection_id)
            if pending:
                return pending.pop(0)
            if connection_id not in self.open:
                return 410
            self.received.setdefault(connection_id, []).append(data)
            return 200


_ERROR_TYPES = {403: "ForbiddenException", 410: "GoneException", 429: "LimitExceededException"}


class _StubRequestHandler(BaseHTTPRequestHandler):
    server: ConnectionsApiStub

    def do_POST(self) -> None:
        connection_id = unquote(self.path.rsplit("/@connections/", 1)[1])
        data = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.server.answer(connection_id, data)
        self.send_response(status)
        if status != 200:
            self.send_header("x-amzn-ErrorType", _ERROR_TYPES.get(status, "InternalServerError"))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_DELETE(self) -> None:
        connection_id = unquote(self.path.rsplit("/@connections/", 1)[1])
        with self.server.lock:
            known = connection_id in self.server.open
            self.server.open.discard(connection_id)
            self.server.closed.append(connection_id)
        self.send_response(204 if known else 410)
        if not known:
            self.send_header("x-amzn-ErrorType", "GoneException")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def connections_api() -> Iterator[ConnectionsApiStub]:
    stub = ConnectionsApiStub()
    thread = threading.Thread(target=stub.serve_forever, daemon=True)
    thread.start()
    yield stub
    stub.shutdown()


@pytest.fixture(scope="session")
def handlers(connections_api: ConnectionsApiStub) -> dict[str, ModuleType]:
    """The handler modules, imported the way Lambda does: with the environment Terraform sets."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_REGION="eu-west-1",
        CONNECTIONS_TABLE=CONNECTIONS_TABLE,
        CONNECTIONS_ROOM_INDEX=ROOM_INDEX,
        CONNECTIONS_USER_INDEX=USER_INDEX,
        MESSAGES_TABLE=MESSAGES_TABLE,
        ROOM_MEMBER_LIMIT=str(ROOM_MEMBER_LIMIT),
        ALLOWED_ORIGINS=f"{ALLOWED_ORIGIN}, http://127.0.0.1:8080",
        CONNECTIONS_API_ENDPOINT=connections_api.endpoint,
        ENVIRONMENT="test",
        # Every test client comes from one address: the caps per address are off, as locally;
        # test_connection_caps.py switches them on.
        CONNECTIONS_PER_ADDRESS="0",
        CONNECTS_PER_ADDRESS_PER_MINUTE="0",
        POWERTOOLS_SERVICE_NAME="serverless-chat",
        POWERTOOLS_METRICS_NAMESPACE="ServerlessChatTests",
    )
    return {
        route: importlib.import_module(f"serverless_chat.handlers.{module}")
        for route, module in HANDLERS.items()
    }


@pytest.fixture
def pair(backend: "ChatBackend") -> tuple["ChatClient", "ChatClient"]:
    """Ada and Bob in the lobby, their entry frames already read."""
    ada, bob = backend.connect(), backend.connect()
    ada.enter("lobby", "ada")
    bob.enter("lobby", "bob")
    ada.new_frames()
    bob.new_frames()
    return ada, bob


@pytest.fixture
def log_lines(
    handlers: dict[str, ModuleType], caplog: pytest.LogCaptureFixture
) -> Callable[[], list[dict[str, Any]]]:
    """The JSON log lines the functions wrote, as CloudWatch would show them."""
    formatter = importlib.import_module("serverless_chat.runtime").logger.registered_formatter
    return lambda: [json.loads(formatter.format(record)) for record in caplog.records]


@pytest.fixture
def throttle(handlers: dict[str, ModuleType]) -> Iterator[Callable[[str], None]]:
    """Make one DynamoDB operation of the functions fail as a throttled table does (after the
    SDK's own retries have given up)."""
    events = importlib.import_module("serverless_chat.runtime").dynamodb.meta.events
    registered: list[tuple[str, Callable[..., Any]]] = []

    def throttled(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "ProvisionedThroughputExceededException", "Message": "Throughput exceeds"}
        response = AWSResponse("https://dynamodb.eu-west-1.amazonaws.com", 400, {}, None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    def throttle_operation(operation: str) -> None:
        event = f"before-call.dynamodb.{operation}"
        events.register(event, throttled)
        registered.append((event, throttled))

    yield throttle_operation
    for event, handler in registered:
        events.unregister(event, handler)


@pytest.fixture
def atomic_dynamodb(handlers: dict[str, ModuleType]) -> Iterator[None]:
    """DynamoDB applies each request atomically; moto applies it in Python steps, so two
    threads' requests can interleave inside moto (two ``ADD lastSeq`` both read 0). This makes
    moto answer one request at a time, while the functions' requests still interleave with each
    other as they do against DynamoDB: a lock taken before the request is sent (moto answers
    it on the same event) and released after its answer, when botocore asks whether to retry."""
    events = importlib.import_module("serverless_chat.runtime").dynamodb.meta.events
    lock, holding = threading.Lock(), threading.local()

    def acquire(**_: Any) -> None:
        lock.acquire()
        holding.lock = True

    def release(**_: Any) -> None:
        if getattr(holding, "lock", False):
            holding.lock = False
            lock.release()

    events.register_first("before-send.dynamodb", acquire)
    events.register_first("needs-retry.dynamodb", release)
    yield
    events.unregister("before-send.dynamodb", acquire)
    events.unregister("needs-retry.dynamodb", release)


@pytest.fixture
def dynamodb_answers(
    handlers: dict[str, ModuleType],
) -> Iterator[Callable[..., list[dict[str, Any]]]]:
    """Answer the functions' next calls of one DynamoDB operation with the given responses, as
    botocore parses them (an error's ``Error`` and modeled fields such as ``CancellationReasons``),
    instead of moto; the calls after those reach moto. Returns the parameters of every call of
    that operation, answered here or by moto."""
    events = importlib.import_module("serverless_chat.runtime").dynamodb.meta.events
    registered: list[tuple[str, Callable[..., Any]]] = []

    def answer(operation: str, *responses: dict[str, Any]) -> list[dict[str, Any]]:
        pending, calls = list(responses), []

        def answering(
            params: dict[str, Any], **_: Any
        ) -> tuple[AWSResponse, dict[str, Any]] | None:
            calls.append(params)
            if not pending:
                return None
            parsed = pending.pop(0)
            status = parsed.setdefault("ResponseMetadata", {}).setdefault("HTTPStatusCode", 200)
            return AWSResponse("https://dynamodb.eu-west-1.amazonaws.com", status, {}, None), parsed

        event = f"before-call.dynamodb.{operation}"
        events.register(event, answering)
        registered.append((event, answering))
        return calls

    yield answer
    for event, handler in registered:
        events.unregister(event, handler)


def transaction_cancelled(*codes: str) -> dict[str, Any]:
    """TransactWriteItems' error as DynamoDB sends it: one cancellation reason per item."""
    messages = {
        "ConditionalCheckFailed": "The conditional request failed",
        "ThrottlingError": "Throughput exceeds the current capacity of your table or index.",
        "TransactionConflict": "Transaction is ongoing for the item",
    }
    return {
        "Error": {
            "Code": "TransactionCanceledException",
            "Message": f"Transaction cancelled, please refer cancellation reasons for specific "
            f"reasons [{', '.join(codes)}]",
        },
        "CancellationReasons": [
            {"Code": code, **({"Message": messages[code]} if code in messages else {})}
            for code in codes
        ],
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }


@dataclass
class LambdaContext:
    function_name: str = "serverless-chat-test"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = (
        "arn:aws:lambda:eu-west-1:123456789012:function:serverless-chat-test"
    )
    aws_request_id: str = "6f1c2d3e-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/serverless-chat-test"
    log_stream_name: str = "2026/11/26/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def create_tables() -> None:
    create_chat_tables(boto3.client("dynamodb"), CONNECTIONS_TABLE, ROOM_INDEX, MESSAGES_TABLE)


@dataclass
class ChatClient:
    """One browser tab: a WebSocket connection, the frames it sent and the frames it got."""

    backend: "ChatBackend"
    connection_id: str
    handshake_status: int
    seen: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # of $connect's answer

    def send(self, frame: dict[str, Any] | str) -> None:
        body = frame if isinstance(frame, str) else json.dumps(frame, ensure_ascii=False)
        self.backend.route_message(self.connection_id, body)

    def enter(self, room: str, username: str | None = "", **extra: Any) -> dict[str, Any]:
        """The seed's frame to enter (or rename in) a room; returns the ``room`` frame."""
        self.send({"action": "on-enter-room", "groupId": room, "username": username, **extra})
        return self.last("room")

    def say(self, text: str, **extra: Any) -> dict[str, Any]:
        """The seed's frame to send a message; returns the frame this client got back."""
        self.send({"action": "on-message", "message": text, **extra})
        return self.new_frames()[-1]

    def frames(self) -> list[dict[str, Any]]:
        stub = self.backend.connections_api
        with stub.lock:
            raw = list(stub.received.get(self.connection_id, []))
        return [json.loads(data) for data in raw]

    def new_frames(self) -> list[dict[str, Any]]:
        """The frames received since the last call."""
        frames = self.frames()
        fresh, self.seen = frames[self.seen :], len(frames)
        return fresh

    def last(self, frame_type: str) -> dict[str, Any]:
        matching = [f for f in self.new_frames() if f.get("type") == frame_type]
        assert matching, f"{self.connection_id} got no {frame_type} frame"
        return matching[-1]

    def drop(self) -> None:
        """The socket vanishes: API Gateway answers 410, and no $disconnect comes."""
        with self.backend.connections_api.lock:
            self.backend.connections_api.open.discard(self.connection_id)

    def disconnect(self) -> None:
        self.drop()
        self.backend.invoke("$disconnect", self.connection_id)


@dataclass
class ChatBackend:
    handlers: dict[str, ModuleType]
    connections_api: ConnectionsApiStub
    clock: time_machine.Traveller
    tick_seconds: float = 1.0  # how far the clock moves per invocation; 0 to send in a burst
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # What the $connect authorizer answered per connection: API Gateway passes it to every event.
    authorizers: dict[str, dict[str, str]] = field(default_factory=dict)

    def connect(
        self,
        origin: str | None = ALLOWED_ORIGIN,
        source_ip: str | None = None,
        *,
        authorizer: dict[str, str] | None = None,
        subprotocols: str | None = None,
    ) -> ChatClient:
        """A handshake; ``authorizer`` is the context the ``$connect`` authorizer returned, and
        ``subprotocols`` the ``Sec-WebSocket-Protocol`` header the client offered."""
        number = next(self._ids)
        connection_id = f"Conn{number:08d}AbC="
        if authorizer is not None:
            self.authorizers[connection_id] = authorizer
        event = load_event("connect")
        if source_ip is not None:
            event["requestContext"]["identity"]["sourceIp"] = source_ip
        headers = {k: v for k, v in event["headers"].items() if k != "Origin"}
        if origin is not None:
            headers["Origin"] = origin
        if subprotocols is not None:
            headers["Sec-WebSocket-Protocol"] = subprotocols
        event["headers"] = headers
        event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        response = self.invoke("$connect", connection_id, event=event)
        if response["statusCode"] == 200:
            with self.connections_api.lock:
                self.connections_api.open.add(connection_id)
        return ChatClient(
            self, connection_id, response["statusCode"], headers=response.get("headers", {})
        )

    def route_message(self, connection_id: str, body: str) -> dict[str, Any]:
        """API Gateway's route selection on ``$request.body.action``, ``$default`` otherwise."""
        try:
            action = json.loads(body).get("action")
        except (ValueError, AttributeError, RecursionError):
            action = None
        route = action if isinstance(action, str) and action in ROUTES else "$default"
        event = load_event("message")
        event["body"] = body
        return self.invoke(route, connection_id, event=event)

    def invoke(
        self, route: str, connection_id: str, event: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        event = copy.deepcopy(event or load_event("disconnect"))
        number = next(self._ids)
        context = event["requestContext"]
        context.update(
            routeKey=route,
            connectionId=connection_id,
            requestId=f"Req{number:08d}xYz=",
            requestTimeEpoch=int(time.time() * 1000),
        )
        if route == "$connect":
            context["connectedAt"] = int(time.time() * 1000)
        if connection_id in self.authorizers:
            context["authorizer"] = dict(self.authorizers[connection_id])
        response: dict[str, Any] = self.handlers[route].lambda_handler(event, LambdaContext())
        self.clock.shift(self.tick_seconds)
        return response


@pytest.fixture
def backend(
    handlers: dict[str, ModuleType], connections_api: ConnectionsApiStub
) -> Iterator[ChatBackend]:
    connections_api.reset()
    with mock_aws(), time_machine.travel("2026-11-26T10:00:00Z", tick=False) as clock:
        create_tables()
        yield ChatBackend(handlers, connections_api, clock)


@pytest.fixture
def chat(backend, monkeypatch):
    """The backend in `optional` mode, with the handles of the signed-in users of
    ``rooms_support.USERS`` and the rooms table (private rooms)."""
    runtime = importlib.import_module("serverless_chat.runtime")
    client = boto3.client("dynamodb")
    create_handles_table(client, HANDLES_TABLE)
    create_rooms_table(client, ROOMS_TABLE)
    for handle, user_id in USERS.items():  # as each one's first sign-in claimed it
        client.put_item(
            TableName=HANDLES_TABLE,
            Item={
                "pk": {"S": f"handle#{handle}"},
                "userId": {"S": user_id},
                "handle": {"S": handle},
            },
        )
        client.put_item(
            TableName=HANDLES_TABLE,
            Item={"pk": {"S": f"user#{user_id}"}, "handle": {"S": handle}, "key": {"S": handle}},
        )
    monkeypatch.setattr(
        runtime, "_rules", dataclasses.replace(runtime._rules, auth_mode=AuthMode.OPTIONAL)
    )
    monkeypatch.setattr(runtime, "_handles", HandlesTable(client, HANDLES_TABLE))
    monkeypatch.setattr(runtime, "_rooms", RoomsTable(client, ROOMS_TABLE))
    return backend
