"""The local machine's front door: which Host and Origin a local endpoint answers.

Any web page open in the user's browser can reach 127.0.0.1, and a DNS-rebinding name
(`evil.example` resolving to 127.0.0.1) reaches it with a foreign Host header. A local
endpoint therefore answers only a loopback Host on its own port, and refuses a request whose
Origin is not one of the stack's own origins. Requests without Origin (SDKs, terraform, curl)
pass: a browser always sends Origin on cross-origin fetches, on CORS preflights and on
WebSocket upgrades.

One implementation, pure Python and without dependencies, for every local endpoint: the data
plane's port (front_door.py), the local site, and the emulators the stack starts (an ASGI or
WSGI wrapper around their own application, scripts/local_stack/guarded_*.py).
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from http import HTTPStatus

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


class Refusal(Enum):
    """Why a request is refused, with the status it is answered: 421 Misdirected Request for
    a Host this server is not (a rebinding name), 403 for a foreign page's Origin."""

    FOREIGN_HOST = "foreign_host"
    FOREIGN_ORIGIN = "foreign_origin"

    @property
    def status(self) -> HTTPStatus:
        if self is Refusal.FOREIGN_HOST:
            return HTTPStatus.MISDIRECTED_REQUEST
        return HTTPStatus.FORBIDDEN

    @property
    def explanation(self) -> bytes:
        """The plain-text body of the refusal, for whoever reads it in a log or a terminal."""
        if self is Refusal.FOREIGN_HOST:
            return b"This local endpoint answers only a loopback Host on its own port.\n"
        return b"This local endpoint answers only the local stack's own pages.\n"


@dataclass(frozen=True)
class LoopbackGuard:
    """What one local endpoint answers: `port` is its own, `allowed_origins` the stack's pages;
    `bound_host` the address it listens on when that is not loopback (it is then a name of it)."""

    port: int
    allowed_origins: Collection[str]
    bound_host: str = "127.0.0.1"

    @classmethod
    def of_site(cls, port: int, bound_host: str = "127.0.0.1") -> "LoopbackGuard":
        """The guard of a site on `port`: its own pages are the only origins it answers."""
        names = LOOPBACK_HOSTS | {bound_host.lower()}
        return cls(port, frozenset(f"http://{name}:{port}" for name in names), bound_host)

    def refusal(self, host: str | None, origin: str | None) -> Refusal | None:
        """Why a request with these headers is refused, or None when it may pass."""
        if host is None or host.lower() not in self._hosts:
            return Refusal.FOREIGN_HOST
        if origin is not None and origin not in self.allowed_origins:
            return Refusal.FOREIGN_ORIGIN
        return None

    @cached_property
    def _hosts(self) -> frozenset[str]:
        names = LOOPBACK_HOSTS | {self.bound_host.lower()}
        return frozenset(f"{name}:{self.port}" for name in names)
