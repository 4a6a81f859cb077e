"""The chat's contract, read once from ``contract.json`` beside this module.

The file is the one source of truth for the route table, the frames, the error codes, the
limits and the functions' environment variables: Terraform, the page and README read or are
checked against the same file.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

_CONTRACT: Final[dict[str, Any]] = json.loads(
    Path(__file__).with_name("contract.json").read_text(encoding="utf-8")
)


@dataclass(frozen=True)
class Route:
    """A route key's function: its Terraform key and its handler (module.function)."""

    function: str
    handler: str


ROUTE_SELECTION_EXPRESSION: Final[str] = _CONTRACT["routeSelectionExpression"]
ROUTES: Final[Mapping[str, Route]] = {
    key: Route(function=route["function"], handler=route["handler"])
    for key, route in _CONTRACT["routes"].items()
}
# action -> route key that serves it ("ping" has no route of its own: $default answers it)
CLIENT_ACTIONS: Final[Mapping[str, str]] = {
    action: frame["route"] for action, frame in _CONTRACT["clientFrames"].items()
}
CLIENT_FRAME_EXAMPLES: Final[Mapping[str, dict[str, Any]]] = {
    action: frame["example"] for action, frame in _CONTRACT["clientFrames"].items()
}
SERVER_FRAME_EXAMPLES: Final[Mapping[str, dict[str, Any]]] = {
    frame_type: frame["example"] for frame_type, frame in _CONTRACT["serverFrames"].items()
}
ERROR_CODES: Final[frozenset[str]] = frozenset(_CONTRACT["errorCodes"])
LIMITS: Final[Mapping[str, Any]] = _CONTRACT["limits"]
# What a display name may hold: the code points refused by name, and the cases both sides test.
NAMES: Final[Mapping[str, Any]] = _CONTRACT["names"]
ENVIRONMENT: Final[frozenset[str]] = frozenset(_CONTRACT["environment"])
# Sign-in: the subprotocol a signed-in page offers, and the prefix of the one that carries its
# ID token (`Sec-WebSocket-Protocol: serverless-chat, serverless-chat.token.<token>`).
SUBPROTOCOL: Final[str] = _CONTRACT["subprotocol"]
TOKEN_PROTOCOL_PREFIX: Final[str] = _CONTRACT["tokenProtocolPrefix"]
# The `$connect` authorizer: a function of its own, with an environment of its own.
AUTHORIZER: Final[Route] = Route(
    function=_CONTRACT["authorizer"]["function"], handler=_CONTRACT["authorizer"]["handler"]
)
AUTHORIZER_ENVIRONMENT: Final[frozenset[str]] = frozenset(_CONTRACT["authorizer"]["environment"])


def document() -> dict[str, Any]:
    """The whole contract, descriptions included (for the README's generated tables)."""
    copy: dict[str, Any] = json.loads(json.dumps(_CONTRACT))
    return copy
