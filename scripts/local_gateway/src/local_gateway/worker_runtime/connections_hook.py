"""Hands botocore's `@connections` requests to the data plane over the worker's channel.

Registered, before the handler module is imported, on the event system of boto3's default
session (`boto3.client(...)` makes its clients from it), so the function's code is unchanged:
- `before-call` of PostToConnection (the hot path): the serialized request goes over the channel
  before signing; a 200 answer is parsed by botocore's own rest-json parser and returned.
- Any other answer, and every other operation, continues down botocore's usual path (signing,
  retries, error parsing and modeled exceptions); `before-send` answers it instead of a socket.
Only `apigatewaymanagementapi` requests addressed to the data plane's own host and port are
taken; every other request goes where its client sends it.
"""

import socket
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, cast
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.compat import HTTPHeaders
from botocore.hooks import BaseEventHooks
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser

from . import wire

Answer = tuple[int, str | None, bytes]
Handler = Callable[..., None]
_SERVICE = "apigatewaymanagementapi"


class Body:
    """An answer's body, streamed as botocore reads a response's."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


class _Pending:
    __slots__ = ("answer",)

    def __init__(self) -> None:
        self.answer: Answer | None = None


class ConnectionsChannel:
    """Requests from any number of a handler's threads, in flight together.

    The data plane answers in order, so answers match requests first in, first out; a thread
    waiting for its answer reads whatever answers have arrived, hands each to the oldest request
    still waiting, and stops once its own has arrived.
    """

    _READ_BYTES = 256 * 1024

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._send_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._waiting: deque[_Pending] = deque()
        self._frames = wire.FrameBuffer()

    def call(self, method: str, path: str, body: bytes) -> Answer:
        pending = _Pending()
        request = wire.pack(wire.encode_request(method, path, body))
        with self._send_lock:
            self._waiting.append(pending)
            self._sock.sendall(request)
        with self._read_lock:
            while pending.answer is None:
                data = self._sock.recv(self._READ_BYTES)
                if not data:
                    raise EOFError("the data plane closed the channel")
                for frame in self._frames.feed(data):
                    self._waiting.popleft().answer = wire.decode_response(frame)
        return pending.answer


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    return bytes(body.read())


def response_headers(error_type: str | None, length: int) -> HTTPHeaders:
    """Case-insensitive response headers (botocore's stubs name their type HTTPHeaders)."""
    headers = HeadersDict(
        {
            "Content-Type": "application/json",
            "Content-Length": str(length),
            "x-amzn-RequestId": str(uuid.uuid4()),
        }
    )
    if error_type is not None:
        headers["x-amzn-ErrorType"] = error_type
    return cast(HTTPHeaders, headers)


class ConnectionsHook:
    """The two botocore handlers, sharing the channel and the answer handed from one to the
    other (per thread: a handler may post from several threads)."""

    def __init__(self, channel: ConnectionsChannel, endpoints: tuple[str, ...]) -> None:
        self._channel = channel
        self._endpoints = endpoints
        self._parser = create_parser("rest-json")
        self._handed_over = threading.local()

    def before_call(
        self, model: OperationModel, params: dict[str, Any], **_: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        url: str = params["url"]
        path = self.stage_path(url)
        if path is None:
            return None
        status, error_type, body = self._channel.call(
            params["method"], path, _bytes(params["body"])
        )
        if status != 200:
            self._handed_over.answer = (status, error_type, body)
            return None
        headers = response_headers(None, len(body))
        response = {
            "headers": headers,
            "status_code": status,
            "body": body,
            "context": {"operation_name": model.name},
        }
        # PostToConnection has no output shape: botocore passes None here too.
        output_shape = cast(Shape, model.output_shape)
        parsed: dict[str, Any] = self._parser.parse(response, output_shape)
        parsed["ResponseMetadata"]["RetryAttempts"] = 0
        return AWSResponse(url, status, headers, Body(body)), parsed

    def stage_path(self, url: str) -> str | None:
        """`/<stage>/@connections/<id>` of a request under one of the endpoints, else None."""
        for endpoint in self._endpoints:
            if url.startswith(f"{endpoint}/"):
                return urlsplit(url[len(endpoint) :]).path
        return None

    def before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        path = self.stage_path(request.url)
        if path is None:
            return None
        answer: Answer | None = getattr(self._handed_over, "answer", None)
        self._handed_over.answer = None
        if answer is None:
            answer = self._channel.call(request.method or "GET", path, _bytes(request.body))
        status, error_type, body = answer
        return AWSResponse(request.url, status, response_headers(error_type, len(body)), Body(body))


def install(
    channel: ConnectionsChannel, endpoints: tuple[str, ...], events: BaseEventHooks
) -> None:
    """Route every `@connections` request under one of `endpoints` (URL prefixes) through
    `channel`, for the clients made from the session whose event system is `events`."""
    hook = ConnectionsHook(channel, endpoints)
    # botocore-stubs type handlers as returning None; these answer instead of the network.
    events.register(f"before-call.{_SERVICE}.PostToConnection", cast(Handler, hook.before_call))
    events.register(f"before-send.{_SERVICE}", cast(Handler, hook.before_send))
