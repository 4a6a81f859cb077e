"""``$connect``: register the connection, or refuse a browser origin that is not allowed."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from serverless_chat.runtime import FORBIDDEN, OK, chat_for, logger, websocket_request


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = websocket_request(event)
    allowed = chat_for(request).connect(request.new_connection(), request.origin)
    return OK if allowed else FORBIDDEN
