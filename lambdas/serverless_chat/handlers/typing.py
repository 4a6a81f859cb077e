"""``on-typing``: the room's other members are told that the sender is typing; never stored."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from serverless_chat.runtime import OK, chat_for, logger, metrics, websocket_request


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = websocket_request(event)
    chat_for(request).typing(request.connection_id, request.body, request.user)
    return OK
