"""API Gateway's Lambda REQUEST authorizer of ``$connect``: the token in its event, and the IAM
policy of its answer.

Browsers cannot set headers on a WebSocket handshake but the subprotocols it offers, so a
signed-in page offers two: ``subprotocol`` and ``tokenProtocolPrefix`` + its ID token
(contract.json). The policy allows exactly the event's ``methodArn``
(``arn:aws:execute-api:<region>:<account>:<api>/<stage>/$connect``); a wildcard such as
``<api>/<stage>/*/*`` (powertools' ``allow_all_routes()``, made for REST APIs) does not match
it, and API Gateway answers 403.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from serverless_chat import contract
from serverless_chat.domain.sign_in import SignedIn

GUEST_PRINCIPAL = "guest"
_PROTOCOL_HEADER = "sec-websocket-protocol"


@dataclass(frozen=True)
class AuthorizerRequest:
    method_arn: str
    token: str | None  # None: the handshake offers no token

    @classmethod
    def parse(cls, event: dict[str, Any]) -> "AuthorizerRequest":
        return cls(method_arn=event["methodArn"], token=offered_token(_protocol_headers(event)))

    def allow(self, user: SignedIn | None) -> dict[str, Any]:
        """The answer admitting ``user`` (None: a guest) to exactly this ``$connect``."""
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": self.method_arn}
            ],
        }
        if user is None:
            return {"principalId": GUEST_PRINCIPAL, "policyDocument": policy, "context": {}}
        context = {
            "userId": user.user_id,
            "handle": user.handle,
            "tokenExpiresAt": str(user.token_expires_at),
        }
        return {"principalId": user.user_id, "policyDocument": policy, "context": context}


def offered_token(protocol_headers: Iterable[str]) -> str | None:
    """The token of the first offered subprotocol that carries one (``Sec-WebSocket-Protocol``
    is a comma-separated list, possibly on several header lines), or None."""
    for header in protocol_headers:
        for protocol in header.split(","):
            name = protocol.strip()
            if name.startswith(contract.TOKEN_PROTOCOL_PREFIX):
                return name.removeprefix(contract.TOKEN_PROTOCOL_PREFIX)
    return None


def _protocol_headers(event: dict[str, Any]) -> list[str]:
    """Every ``Sec-WebSocket-Protocol`` line, whatever the case of its name."""
    lines = [
        value
        for name, values in (event.get("multiValueHeaders") or {}).items()
        if name.lower() == _PROTOCOL_HEADER
        for value in values
    ]
    if lines:
        return lines
    return [
        value
        for name, value in (event.get("headers") or {}).items()
        if name.lower() == _PROTOCOL_HEADER
    ]
