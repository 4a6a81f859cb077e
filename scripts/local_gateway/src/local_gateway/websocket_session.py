"""One client's WebSocket, spoken with websockets' sans-I/O protocol so that a post from a
function reaches the socket in a plain synchronous call."""

import asyncio
import json
import time
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from .events import ClientInfo
from .gateway import SUBPROTOCOL_HEADER, Gateway
from .ids import new_id
from .signatures import Refusal

MAX_FRAME_BYTES = 32 * 1024
MAX_MESSAGE_BYTES = 128 * 1024
_MAX_WRITE_BUFFER = 8 * 1024 * 1024
_CLOSE_TIMEOUT_S = 10.0
_NO_STATUS_REASON = "Client-side close frame status not set"
_SERVER_CLOSE_REASONS = {1000: "Connection Closed Normally", 1001: "Going away"}


class WebSocketSession:
    """Handshake with `$connect`, text messages to the gateway, and one `$disconnect`."""

    def __init__(self, transport: asyncio.Transport, gateway: Gateway, stage: str) -> None:
        self._transport = transport
        self._gateway = gateway
        self._stage = stage
        self._protocol = ServerProtocol(max_size=(MAX_MESSAGE_BYTES, MAX_FRAME_BYTES))
        self._fragments: list[bytes] = []
        self._held: list[Frame] = []
        self._registered = False
        self._handshake_task: asyncio.Task[None] | None = None
        peer = transport.get_extra_info("peername") or ("127.0.0.1", 0)
        self.client = ClientInfo(new_id(), 0, str(peer[0]), "")
        self.last_active_ms = 0

    # LiveConnection

    def send_text(self, data: bytes) -> None:
        if self._protocol.state is not State.OPEN:
            return
        self._protocol.send_text(data)
        self.last_active_ms = int(time.time() * 1000)
        self._flush()
        if self._transport.get_write_buffer_size() > _MAX_WRITE_BUFFER:
            self._transport.abort()

    def close(self, code: int, reason: str) -> None:
        if self._protocol.state is State.OPEN:
            self._protocol.send_close(code, reason)
            self._flush()
            asyncio.get_running_loop().call_later(_CLOSE_TIMEOUT_S, self._transport.abort)

    def abort(self) -> None:
        self._transport.abort()

    # Transport events

    def receive(self, data: bytes) -> None:
        self._protocol.receive_data(data)
        self._handle_events()

    def receive_eof(self) -> None:
        self._protocol.receive_eof()
        self._handle_events()

    def connection_lost(self) -> None:
        if self._registered:
            self._registered = False
            code, reason = self._close_status()
            self._gateway.disconnected(self.client, code, reason)

    # Internals

    def _handle_events(self) -> None:
        for event in self._protocol.events_received():
            if isinstance(event, Request):
                self._handshake_task = asyncio.create_task(self._handshake(event))
            elif isinstance(event, Frame) and self._protocol.state is State.CONNECTING:
                self._held.append(event)
            elif isinstance(event, Frame):
                self._handle_frame(event)
        self._flush()

    def _handle_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.BINARY:
            self._protocol.fail(1003, "Binary frames are not supported")
        elif frame.opcode in (Opcode.TEXT, Opcode.CONT):
            self._fragments.append(bytes(frame.data))
            if frame.fin:
                data = b"".join(self._fragments)
                self._fragments.clear()
                try:
                    message = data.decode()
                except UnicodeDecodeError:
                    self._protocol.fail(1007, "Invalid UTF-8 in a text frame")
                    return
                self.last_active_ms = int(time.time() * 1000)
                self._gateway.receive(self, message)

    async def _handshake(self, request: Request) -> None:
        response = self._protocol.accept(request)
        path = urlsplit(request.path)
        if response.status_code == 101 and path.path.rstrip("/") != f"/{self._stage}":
            response = self._protocol.reject(403, "Forbidden\n")
        if response.status_code == 101:
            now_ms = int(time.time() * 1000)
            user_agent = request.headers.get("User-Agent", "")
            self.client = ClientInfo(self.client.connection_id, now_ms, self.client.source_ip,
                                     user_agent)  # fmt: skip
            answer = await self._gateway.connect(
                self.client,
                request.path,
                list(request.headers.raw_items()),
                parse_qsl(path.query),
            )
            if answer.refusal is not None:
                response = self._refused(answer.status, answer.refusal)
            elif answer.status != 101:
                response = self._protocol.reject(answer.status, f"{answer.status}\n")
            elif answer.subprotocol is not None:  # echoed only when $connect chose one
                response.headers[SUBPROTOCOL_HEADER] = answer.subprotocol
            # what the authorizer answered, and who signed, reach the connection's every event
            self.client = replace(
                self.client, authorizer=answer.authorizer, iam_identity=answer.iam_identity
            )
        if self._transport.is_closing():
            return
        self._protocol.send_response(response)
        self._flush()
        if response.status_code == 101:
            self.last_active_ms = int(time.time() * 1000)
            self._registered = True
            self._gateway.registry.add(self)
            held, self._held = self._held, []
            for frame in held:
                self._handle_frame(frame)
            self._flush()

    def _refused(self, status: int, refusal: Refusal) -> Response:
        """A refused signature's answer, as API Gateway's default gateway responses are:
        `{"message": …}` as JSON, and the error's type in `x-amzn-ErrorType`."""
        response = self._protocol.reject(status, json.dumps({"message": refusal.message}))
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = "application/json"
        response.headers["x-amzn-ErrorType"] = refusal.error_type
        return response

    def _close_status(self) -> tuple[int, str]:
        """The close code and reason `$disconnect` reports: the client's when it closed first,
        the gateway's when it did (e.g. 1000 "Connection Closed Normally" for DeleteConnection)."""
        received = self._protocol.close_rcvd
        sent = self._protocol.close_sent
        if sent is not None and not self._protocol.close_rcvd_then_sent:
            return sent.code, sent.reason or _SERVER_CLOSE_REASONS.get(sent.code, "Going away")
        if received is not None:
            if received.code == 1005:
                return 1005, _NO_STATUS_REASON
            return received.code, received.reason
        return 1006, "Going away"

    def _flush(self) -> None:
        for data in self._protocol.data_to_send():
            if data:
                self._transport.write(data)
            elif self._transport.can_write_eof():
                self._transport.write_eof()
            else:
                self._transport.close()
