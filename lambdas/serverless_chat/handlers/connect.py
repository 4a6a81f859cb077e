"""``$connect``: register the connection, or refuse a browser origin that is not allowed (403)
or a source address over its caps (429)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from serverless_chat.domain.admission import Admission
from serverless_chat.runtime import (
    FORBIDDEN,
    OK,
    TOO_MANY_REQUESTS,
    chat_for,
    logger,
    websocket_request,
)

_STATUS = {
    Admission.ADMITTED: OK,
    Admission.ORIGIN_NOT_ALLOWED: FORBIDDEN,
    Admission.ADDRESS_FULL: TOO_MANY_REQUESTS,
    Admission.ADDRESS_TOO_FAST: TOO_MANY_REQUESTS,
}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = websocket_request(event)
    return _STATUS[chat_for(request).connect(request.new_connection(), request.origin)]
