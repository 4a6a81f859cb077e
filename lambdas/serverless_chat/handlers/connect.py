"""``$connect``: register the connection, or refuse a browser origin that is not allowed (403),
a sign-in token that expired (401) or a source address over its caps (429). A signed-in page
offers the chat's subprotocol beside its token: choosing it completes the browser's handshake."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from serverless_chat import contract
from serverless_chat.domain.admission import Admission
from serverless_chat.runtime import (
    FORBIDDEN,
    OK,
    TOO_MANY_REQUESTS,
    UNAUTHORIZED,
    chat_for,
    logger,
    websocket_request,
)

_STATUS = {
    Admission.ADMITTED: OK,
    Admission.ORIGIN_NOT_ALLOWED: FORBIDDEN,
    Admission.ADDRESS_FULL: TOO_MANY_REQUESTS,
    Admission.ADDRESS_TOO_FAST: TOO_MANY_REQUESTS,
    Admission.TOKEN_EXPIRED: UNAUTHORIZED,
}
_CHAT_SUBPROTOCOL = {"headers": {"Sec-WebSocket-Protocol": contract.SUBPROTOCOL}}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = websocket_request(event)
    admission = chat_for(request).connect(request.new_connection(), request.origin)
    if admission is Admission.ADMITTED and request.offers_chat_subprotocol:
        return OK | _CHAT_SUBPROTOCOL
    return _STATUS[admission]
