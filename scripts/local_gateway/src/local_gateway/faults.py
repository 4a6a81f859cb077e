"""Fault injection for load and fault tests, set with `POST /@faults` on the data plane's port:

- `{"status": 429, "count": 5}`: the next 5 POSTs to `@connections` answer an error (429
  LimitExceededException, as API Gateway throttles, or a 500), so retry paths really run;
- `{"dynamodb": "PutItem", "count": 3}`: the next 3 PutItem requests any function sends answer
  DynamoDB's 400 ProvisionedThroughputExceededException (botocore parses it into the modeled
  exception and retries it, as against AWS); `count: 0` ends it. Each worker asks before each
  DynamoDB request it sends while such a fault is armed (worker_runtime/dynamodb_faults.py), so
  any emulator will do; with none armed, an invocation's DynamoDB requests go straight out.

The switch is not signed but it is behind the front door's loopback guard (a loopback Host on
the port, no Origin but the stack's pages), as every request to the port is: the only callers
to keep out are other web pages in the user's browser, and a signature would not keep them out
(the test credentials are public; a DNS-rebinding page is same-origin and may send any header),
while the guard does, and the load and fault tests stay one plain POST.
"""

import json
import re
from dataclasses import dataclass, field

from .connections import ManagementResponse

_ANSWERS = {
    429: ManagementResponse(429, "LimitExceededException", b'{"message":"Rate exceeded"}'),
    500: ManagementResponse(500, None, b'{"message":"Internal server error"}'),
}
_THROUGHPUT_EXCEEDED = ManagementResponse(
    400,
    "ProvisionedThroughputExceededException",
    json.dumps(
        {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "The level of configured provisioned throughput for the table was "
            "exceeded. Consider increasing your provisioning level with the UpdateTable API.",
        }
    ).encode(),
)
_NO_FAULT = ManagementResponse(200, None, b"")
_OPERATION_NAME = re.compile(r"^[A-Z][A-Za-z]+$")


@dataclass
class FaultInjector:
    status: int = 0
    remaining: int = 0
    dynamodb_remaining: dict[str, int] = field(default_factory=dict)

    def configure(self, body: bytes) -> bool:
        """Apply a `{"status", "count"}` or `{"dynamodb", "count"}` request; False when it asks
        for an unknown fault."""
        try:
            request = json.loads(body)
            count = int(request["count"])
            if "dynamodb" in request:
                return self._configure_dynamodb(str(request["dynamodb"]), count)
            status = int(request["status"])
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

    def dynamodb_armed(self) -> bool:
        """Whether any DynamoDB fault is due: an invocation starting now asks before each of
        its DynamoDB requests only then."""
        return any(remaining > 0 for remaining in self.dynamodb_remaining.values())

    def dynamodb_answer(self, operation: str) -> ManagementResponse:
        """For a worker about to send a DynamoDB `operation`: the error it is to get instead,
        or 200 (send it)."""
        remaining = self.dynamodb_remaining.get(operation, 0)
        if remaining <= 0:
            return _NO_FAULT
        self.dynamodb_remaining[operation] = remaining - 1
        return _THROUGHPUT_EXCEEDED

    def _configure_dynamodb(self, operation: str, count: int) -> bool:
        if not _OPERATION_NAME.match(operation) or count < 0:
            return False
        self.dynamodb_remaining[operation] = count
        return True
