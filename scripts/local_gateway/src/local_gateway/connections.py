"""Live connections and the `@connections` management API that acts on them."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

from .events import ClientInfo

MAX_POST_BYTES = 128 * 1024


class LiveConnection(Protocol):
    """A client socket as the management API sees it."""

    client: ClientInfo
    last_active_ms: int

    def send_text(self, data: bytes) -> None: ...

    def close(self, code: int, reason: str) -> None: ...

    def abort(self) -> None: ...


class ConnectionRegistry:
    """Connections that completed `$connect` and are still open, by connection id."""

    def __init__(self) -> None:
        self._connections: dict[str, LiveConnection] = {}

    def add(self, connection: LiveConnection) -> None:
        self._connections[connection.client.connection_id] = connection

    def remove(self, connection_id: str) -> None:
        self._connections.pop(connection_id, None)

    def get(self, connection_id: str) -> LiveConnection | None:
        return self._connections.get(connection_id)

    def all(self) -> list[LiveConnection]:
        return list(self._connections.values())


@dataclass(frozen=True)
class ManagementResponse:
    status: int
    error_type: str | None
    body: bytes


_GONE = ManagementResponse(410, "GoneException", b"{}")
_FORBIDDEN = ManagementResponse(403, "ForbiddenException", b'{"message":"Forbidden"}')
_TOO_LARGE = ManagementResponse(413, "PayloadTooLargeException", b"{}")
_SENT = ManagementResponse(200, None, b"")


def _iso(epoch_ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_ms / 1000)) + (
        f".{epoch_ms % 1000:03d}Z"
    )


class ManagementApi:
    """POST, GET and DELETE on `/<stage>/@connections/<id>`, answered as API Gateway does."""

    def __init__(
        self,
        registry: ConnectionRegistry,
        stage: str,
        injected_fault: Callable[[], ManagementResponse | None],
    ) -> None:
        self._registry = registry
        self._prefix = f"/{stage}/@connections/"
        self._injected_fault = injected_fault

    def handle(self, method: str, path: str, body: bytes) -> ManagementResponse:
        if not path.startswith(self._prefix):
            return _FORBIDDEN
        connection = self._registry.get(unquote(path.removeprefix(self._prefix)))
        if method == "POST":
            return self._injected_fault() or self._post(connection, body)
        if method not in ("GET", "DELETE"):
            return _FORBIDDEN
        if connection is None:
            return _GONE
        if method == "GET":
            return ManagementResponse(200, None, self._describe(connection))
        connection.close(1000, "")
        return ManagementResponse(204, None, b"")

    @staticmethod
    def _post(connection: LiveConnection | None, body: bytes) -> ManagementResponse:
        if len(body) > MAX_POST_BYTES:
            return _TOO_LARGE
        if connection is None:
            return _GONE
        connection.send_text(body)
        return _SENT

    @staticmethod
    def _describe(connection: LiveConnection) -> bytes:
        client = connection.client
        return json.dumps(
            {
                "connectedAt": _iso(client.connected_at_ms),
                "identity": {"sourceIp": client.source_ip, "userAgent": client.user_agent},
                "lastActiveAt": _iso(connection.last_active_ms),
            }
        ).encode()
