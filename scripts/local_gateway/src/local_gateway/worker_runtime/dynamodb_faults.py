"""DynamoDB faults injected by the data plane (`POST /@faults {"dynamodb": ..., "count": ...}`).

A `before-send` handler on boto3's default session asks the data plane, over the worker's
channel, before each DynamoDB request is sent (each retry too), in invocations the data plane
started with a fault armed (in the others, nothing is asked: no round trip on the hot path).
A 200 answer lets the request go to the emulator untouched; any other answer (a 400
ProvisionedThroughputExceededException) is what botocore gets instead, so it parses the modeled
exception and retries as against AWS.
"""

from typing import Any, cast

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.hooks import BaseEventHooks

from . import wire
from .connections_hook import Body, ConnectionsChannel, Handler, response_headers

_TARGET_PREFIX = "DynamoDB_20120810."


class DynamoDBFaults:
    def __init__(self, channel: ConnectionsChannel) -> None:
        self._channel = channel
        self.armed = False  # set by the bootstrap for each invocation

    def before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not self.armed:
            return None
        target = request.headers.get("X-Amz-Target", "")
        operation = (target.decode() if isinstance(target, bytes) else target).removeprefix(
            _TARGET_PREFIX
        )
        status, error_type, body = self._channel.call(
            "GET", wire.DYNAMODB_FAULT_PATH + operation, b""
        )
        if status == 200:
            return None
        return AWSResponse(request.url, status, response_headers(error_type, len(body)), Body(body))


def install(channel: ConnectionsChannel, events: BaseEventHooks) -> DynamoDBFaults:
    """Ask the data plane about every DynamoDB request of the session whose events these are,
    while the returned hook is armed."""
    faults = DynamoDBFaults(channel)
    events.register("before-send.dynamodb", cast(Handler, faults.before_send))
    return faults
