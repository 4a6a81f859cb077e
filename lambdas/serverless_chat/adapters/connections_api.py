"""Posting frames to connections through API Gateway's ``@connections`` API, concurrently.

One boto3 client per endpoint, created once and reused by every invocation of the execution
environment, with as many pooled HTTP connections as the thread pool has threads. Throttling and
5xx answers are retried (retry mode ``standard``); 410 Gone and 403 are final.
"""

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING

import boto3
from aws_lambda_powertools import Logger
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_apigatewaymanagementapi import ApiGatewayManagementApiClient

logger = Logger(child=True)

_MAX_ATTEMPTS = 5  # the first try included: about 15 s of backoff at worst, inside a 29 s budget


class ConnectionsApi:
    """The ``Outbox`` of the chat for one endpoint."""

    def __init__(self, endpoint: str, executor: ThreadPoolExecutor, pool_size: int) -> None:
        self._endpoint = endpoint
        self._executor = executor
        self._pool_size = pool_size

    def send(self, posts: Sequence[tuple[str, bytes]]) -> list[str]:
        if not posts:
            return []
        client = _client(self._endpoint, self._pool_size)
        if len(posts) == 1:
            outcomes = [_post(client, *posts[0])]
        else:
            outcomes = list(self._executor.map(lambda post: _post(client, *post), posts))
        return [post[0] for post, gone in zip(posts, outcomes, strict=True) if gone]

    def close(self, connection_id: str) -> None:
        client = _client(self._endpoint, self._pool_size)
        try:
            client.delete_connection(ConnectionId=connection_id)
        except client.exceptions.GoneException:
            pass
        except (ClientError, BotoCoreError) as error:
            logger.warning("closing a connection failed", recipient=connection_id, error=str(error))


def _post(client: "ApiGatewayManagementApiClient", connection_id: str, data: bytes) -> bool:
    """Post one frame; True when the connection is gone."""
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=data)
    except client.exceptions.GoneException:
        return True
    except ClientError as error:
        logger.warning(
            "post to connection failed",
            recipient=connection_id,
            error_code=error.response.get("Error", {}).get("Code"),
            status=error.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
        )
    except BotoCoreError as error:
        logger.warning("post to connection failed", recipient=connection_id, error=str(error))
    return False


@cache
def _client(endpoint: str, pool_size: int) -> "ApiGatewayManagementApiClient":
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=endpoint,
        config=Config(
            max_pool_connections=pool_size,
            retries={"mode": "standard", "total_max_attempts": _MAX_ATTEMPTS},
            # Every post is built here from typed values: botocore's check of its parameters
            # would cost about 2 % of the CPU of a post (make bench, "function CPU per
            # post_to_connection"), and a fan-out is bound by that CPU.
            parameter_validation=False,
        ),
    )
