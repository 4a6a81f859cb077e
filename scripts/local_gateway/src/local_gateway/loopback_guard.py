"""The local machine's front door: which Host and Origin a local endpoint answers.

Any web page open in the user's browser can reach 127.0.0.1, and a DNS-rebinding name
(`evil.example` resolving to 127.0.0.1) reaches it with a foreign Host header. A local
endpoint therefore answers only a loopback Host on its own port, and refuses a request whose
Origin is not one of the stack's own origins. Requests without Origin (SDKs, terraform, curl)
pass: a browser always sends Origin on cross-origin fetches and WebSocket upgrades.
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


class Refusal(Enum):
    FOREIGN_HOST = "foreign_host"
    FOREIGN_ORIGIN = "foreign_origin"


@dataclass(frozen=True)
class LoopbackGuard:
    port: int
    allowed_origins: Collection[str]

    def refusal(self, host: str | None, origin: str | None) -> Refusal | None:
        """Why a request with these headers is refused, or None when it may pass."""
        if host is None or host.lower() not in {f"{name}:{self.port}" for name in LOOPBACK_HOSTS}:
            return Refusal.FOREIGN_HOST
        if origin is not None and origin not in self.allowed_origins:
            return Refusal.FOREIGN_ORIGIN
        return None
