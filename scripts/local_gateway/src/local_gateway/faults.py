"""Fault injection for load and fault tests: the next POSTs to `@connections` answer an error
(429 LimitExceededException, as API Gateway throttles, or a 500), so retry paths really run.

Set with `POST /@faults` on the data plane's port, body `{"status": 429, "count": 5}`."""

import json
from dataclasses import dataclass

from .connections import ManagementResponse

_ANSWERS = {
    429: ManagementResponse(429, "LimitExceededException", b'{"message":"Rate exceeded"}'),
    500: ManagementResponse(500, None, b'{"message":"Internal server error"}'),
}


@dataclass
class FaultInjector:
    status: int = 0
    remaining: int = 0

    def configure(self, body: bytes) -> bool:
        """Apply a `{"status", "count"}` request; False when it asks for an unknown fault."""
        try:
            request = json.loads(body)
            status, count = int(request["status"]), int(request["count"])
        except (ValueError, KeyError, TypeError):
            return False
        if status not in _ANSWERS or count < 0:
            return False
        self.status, self.remaining = status, count
        return True

    def take(self) -> ManagementResponse | None:
        """The injected answer for this POST, if one is due."""
        if self.remaining <= 0:
            return None
        self.remaining -= 1
        return _ANSWERS[self.status]
