"""What an execution environment creates once and reuses: logger, metrics, clients, tables.

Kept cheap to import (a cold start pays for it): one DynamoDB client at module scope; the
``@connections`` client is made on the first post, once per endpoint.
"""

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import boto3
from aws_lambda_powertools import Logger, Metrics
from botocore.config import Config

from serverless_chat.adapters.api_gateway import WebSocketRequest
from serverless_chat.adapters.connections_api import ConnectionsApi
from serverless_chat.adapters.dynamodb import ConnectionsTable, MessagesTable
from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.adapters.rooms_table import RoomsTable
from serverless_chat.adapters.telemetry import PowertoolsTelemetry
from serverless_chat.domain.chat import Chat, ChatRules
from serverless_chat.domain.identity import AuthMode
from serverless_chat.settings import Settings

OK: Final[dict[str, Any]] = {"statusCode": 200}
UNAUTHORIZED: Final[dict[str, Any]] = {"statusCode": 401}
FORBIDDEN: Final[dict[str, Any]] = {"statusCode": 403}
TOO_MANY_REQUESTS: Final[dict[str, Any]] = {"statusCode": 429}

logger = Logger()
settings = Settings.from_environment()
# Every metric is per service and environment: dev and prod in one account never mix.
metrics = Metrics()
metrics.set_default_dimensions(environment=settings.environment)

dynamodb = boto3.client("dynamodb", config=Config(retries={"mode": "standard"}))
_connections = ConnectionsTable(
    dynamodb,
    settings.connections_table,
    settings.connections_room_index,
    settings.connections_user_index,
)
_messages = MessagesTable(dynamodb, settings.messages_table, settings.message_retention_days)
_signs_in = settings.auth_mode is not AuthMode.OFF
_handles = (
    HandlesTable(dynamodb, settings.handles_table)
    if settings.handles_table is not None and _signs_in
    else None
)
_rooms = (
    RoomsTable(dynamodb, settings.rooms_table)
    if settings.rooms_table is not None and _signs_in
    else None
)
_fanout = ThreadPoolExecutor(max_workers=settings.fanout_concurrency)
_rules = ChatRules(
    room_member_limit=settings.room_member_limit,
    typing_room_size_limit=settings.typing_room_size_limit,
    rate_limit=settings.rate_limit,
    allowed_origins=settings.allowed_origins,
    address_caps=settings.address_caps,
    auth_mode=settings.auth_mode,
)


def websocket_request(event: dict[str, Any]) -> WebSocketRequest:
    """The API Gateway WebSocket event, with its route and connection on every log line."""
    request = WebSocketRequest.parse(event)
    logger.append_keys(route=request.route, connection_id=request.connection_id)
    return request


def chat_for(request: WebSocketRequest) -> Chat:
    """The chat, replying through the API and stage that sent ``request``."""
    endpoint = settings.connections_api_endpoint or request.connections_endpoint
    return Chat(
        connections=_connections,
        messages=_messages,
        outbox=ConnectionsApi(endpoint, _fanout, settings.fanout_concurrency),
        telemetry=PowertoolsTelemetry(logger, metrics),
        rules=_rules,
        handles=_handles,
        rooms=_rooms,
    )
