"""The listening port: WebSocket upgrades become sessions, other HTTP requests go to
`@connections` (or `/@faults`) over keep-alive HTTP/1.1.

Every request, upgrades included, first passes the loopback guard (loopback_guard.py): a
loopback Host on this port, and no Origin but the stack's own (`--allowed-origin`). On AWS the
`$connect` function checks the page's Origin; here the guard is the local machine's front door,
refusing a foreign page (WebSockets have no CORS) or a DNS-rebinding name before any
`$connect` is invoked, any `@connections` call is served or any fault is switched."""

import asyncio
import json
from datetime import UTC, datetime
from http import HTTPStatus
from typing import cast

from .connections import ManagementApi
from .faults import FaultInjector
from .gateway import Gateway
from .loopback_guard import LoopbackGuard
from .signatures import TEST_CREDENTIALS, management_refusal
from .websocket_session import WebSocketSession

_MAX_HEAD_BYTES = 16 * 1024
_MAX_BODY_BYTES = 1024 * 1024
_HEAD_END = b"\r\n\r\n"


class _HttpRequest:
    def __init__(self, head: bytes) -> None:
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.method, self.path, self.version = request_line.split(" ", 2)
        self.headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    @property
    def is_upgrade(self) -> bool:
        return self.headers.get("upgrade", "").lower() == "websocket"

    @property
    def content_length(self) -> int:
        return int(self.headers.get("content-length", "0") or "0")

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        return connection != "close" and (self.version == "HTTP/1.1" or connection == "keep-alive")


class FrontDoor(asyncio.Protocol):
    """One TCP connection to the data plane's port."""

    def __init__(
        self,
        gateway: Gateway,
        management: ManagementApi,
        faults: FaultInjector,
        *,
        stage: str,
        region: str,
        guard: LoopbackGuard,
    ) -> None:
        self._region = region
        self._gateway = gateway
        self._guard = guard
        self._management = management
        self._faults = faults
        self._stage = stage
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._session: WebSocketSession | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._session is not None:
            self._session.receive(data)
            return
        self._buffer += data
        self._serve_http()

    def eof_received(self) -> bool:
        if self._session is not None:
            self._session.receive_eof()
        return False

    def connection_lost(self, _exc: Exception | None) -> None:
        if self._session is not None:
            self._session.connection_lost()

    def _serve_http(self) -> None:
        transport = self._transport
        while transport is not None and not transport.is_closing():
            head_end = self._buffer.find(_HEAD_END)
            if head_end < 0:
                if len(self._buffer) > _MAX_HEAD_BYTES:
                    self._respond(transport, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, b"", None)
                    transport.close()
                return
            try:
                request = _HttpRequest(bytes(self._buffer[:head_end]))
                content_length = request.content_length
            except ValueError:
                self._respond(transport, HTTPStatus.BAD_REQUEST, b"", None)
                transport.close()
                return
            refusal = self._guard.refusal(
                request.headers.get("host"), request.headers.get("origin")
            )
            if refusal is not None:
                self._respond(transport, refusal.status, refusal.explanation, None, "text/plain")
                transport.close()
                return
            if request.is_upgrade:
                self._session = WebSocketSession(transport, self._gateway, self._stage)
                data, self._buffer = bytes(self._buffer), bytearray()
                self._session.receive(data)
                return
            body_start = head_end + len(_HEAD_END)
            body_end = body_start + content_length
            if content_length > _MAX_BODY_BYTES:
                self._respond(transport, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"", None)
                transport.close()
                return
            if len(self._buffer) < body_end:
                return
            body = bytes(self._buffer[body_start:body_end])
            del self._buffer[:body_end]
            self._answer(transport, request, body)
            if not request.keep_alive:
                transport.close()

    def _answer(self, transport: asyncio.Transport, request: _HttpRequest, body: bytes) -> None:
        if request.method == "POST" and request.path == "/@faults":
            accepted = self._faults.configure(body)
            status = HTTPStatus.NO_CONTENT if accepted else HTTPStatus.BAD_REQUEST
            self._respond(transport, status, b"", None)
            return
        refusal = management_refusal(
            request.method,
            request.path,
            request.headers,
            body,
            credentials=TEST_CREDENTIALS,
            region=self._region,
            now=datetime.now(UTC),
        )
        if refusal is not None:
            message = json.dumps({"message": refusal.message}).encode()
            self._respond(transport, HTTPStatus.FORBIDDEN, message, refusal.error_type)
            return
        response = self._management.handle(request.method, request.path, body)
        self._respond(transport, HTTPStatus(response.status), response.body, response.error_type)

    @staticmethod
    def _respond(
        transport: asyncio.Transport,
        status: HTTPStatus,
        body: bytes,
        error_type: str | None,
        content_type: str = "application/json",
    ) -> None:
        head = [
            f"HTTP/1.1 {status.value} {status.phrase}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
        ]
        if error_type:
            head.append(f"x-amzn-ErrorType: {error_type}")
        transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
