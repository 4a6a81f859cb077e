"""Length-prefixed frames on the sockets between the data plane and a worker process.

Two channels per worker, each a socketpair:
- invoke: the data plane sends `{"requestId", "deadlineMs", "event", "dynamodbFaultsArmed"}`
  (the last: whether to ask before each DynamoDB request of this invocation), the worker answers
  `{"result": ...}` or `{"error": {"errorMessage", "errorType", "stackTrace"}}` (JSON);
- connections: the worker sends `b"METHOD PATH\\n" + body` for each `@connections` request its
  botocore makes, the data plane answers `b"STATUS ERROR-TYPE\\n" + body` (`-` for no error type).
"""

import socket
import struct

# What a worker asks before each DynamoDB request while faults are armed:
# `GET DYNAMODB_FAULT_PATH + operation`; the answer is 200 (send it) or the DynamoDB error to
# answer instead.
DYNAMODB_FAULT_PATH = "/@faults/dynamodb/"

_LENGTH = struct.Struct("!I")
LENGTH_SIZE = _LENGTH.size
NO_ERROR_TYPE = "-"


def pack(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload


def payload_length(header: bytes) -> int:
    """The length of the payload that follows a frame's LENGTH_SIZE-byte header."""
    (length,) = _LENGTH.unpack(header)
    return int(length)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise EOFError("the data plane closed the channel")
        chunks += chunk
    return bytes(chunks)


def recv_frame(sock: socket.socket) -> bytes:
    return _recv_exactly(sock, payload_length(_recv_exactly(sock, LENGTH_SIZE)))


class FrameBuffer:
    """Collects bytes as they arrive and returns every complete frame."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        frames: list[bytes] = []
        start = 0
        end = len(self._buffer)
        while end - start >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self._buffer, start)
            if end - start - _LENGTH.size < length:
                break
            body_start = start + _LENGTH.size
            frames.append(bytes(self._buffer[body_start : body_start + length]))
            start = body_start + length
        del self._buffer[:start]
        return frames


def encode_request(method: str, path: str, body: bytes) -> bytes:
    return f"{method} {path}\n".encode() + body


def decode_request(payload: bytes) -> tuple[str, str, bytes]:
    head, _, body = payload.partition(b"\n")
    method, _, path = head.decode().partition(" ")
    return method, path, body


def encode_response(status: int, error_type: str | None, body: bytes) -> bytes:
    return f"{status} {error_type or NO_ERROR_TYPE}\n".encode() + body


def decode_response(payload: bytes) -> tuple[int, str | None, bytes]:
    head, _, body = payload.partition(b"\n")
    status, _, error_type = head.decode().partition(" ")
    return int(status), None if error_type == NO_ERROR_TYPE else error_type, body
