"""The events API Gateway hands to a WebSocket route's Lambda proxy integration."""

import json
import time
from dataclasses import dataclass
from typing import Any

from .ids import new_id


@dataclass(frozen=True)
class ApiIdentity:
    """What every event of one API and stage has in common."""

    api_id: str
    stage: str
    domain_name: str


@dataclass(frozen=True)
class ClientInfo:
    """What API Gateway knows about a connection from its handshake, including what its
    `$connect` authorizer answered (every later event carries it as `requestContext.authorizer`)
    and, when `$connect` is `AWS_IAM`, who signed it (more `requestContext.identity` fields)."""

    connection_id: str
    connected_at_ms: int
    source_ip: str
    user_agent: str
    authorizer: dict[str, str] | None = None
    iam_identity: dict[str, str] | None = None


def _request_time(epoch_ms: int) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_ms / 1000))


def _request_context(
    api: ApiIdentity, client: ClientInfo, route_key: str, event_type: str, request_id: str
) -> dict[str, Any]:
    now_ms = int(time.time() * 1000)
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": _request_time(now_ms),
        "messageDirection": "IN",
        "stage": api.stage,
        "connectedAt": client.connected_at_ms,
        "requestTimeEpoch": now_ms,
        "identity": {
            **(client.iam_identity or {}),
            "userAgent": client.user_agent,
            "sourceIp": client.source_ip,
        },
        "requestId": request_id,
        "domainName": api.domain_name,
        "connectionId": client.connection_id,
        "apiId": api.api_id,
    }
    if client.authorizer is not None:
        context["authorizer"] = dict(client.authorizer)
    return context


def connect_event(
    api: ApiIdentity,
    client: ClientInfo,
    request_id: str,
    headers: list[tuple[str, str]],
    query: list[tuple[str, str]],
) -> dict[str, Any]:
    """`$connect`: the handshake's headers and query string, as API Gateway forwards them."""
    forwarded = [
        *headers,
        ("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{new_id()[:12].lower()}"),
        ("X-Forwarded-For", client.source_ip),
        ("X-Forwarded-Port", api.domain_name.rpartition(":")[2] or "443"),
        ("X-Forwarded-Proto", "http"),
    ]
    event: dict[str, Any] = {
        "headers": dict(forwarded),
        "multiValueHeaders": _multi_value(forwarded),
    }
    if query:
        event["queryStringParameters"] = dict(query)
        event["multiValueQueryStringParameters"] = _multi_value(query)
    event["requestContext"] = _request_context(api, client, "$connect", "CONNECT", request_id)
    event["isBase64Encoded"] = False
    return event


def message_event(
    api: ApiIdentity, client: ClientInfo, route_key: str, request_id: str, body: str
) -> dict[str, Any]:
    """A text frame routed to `route_key`."""
    context = _request_context(api, client, route_key, "MESSAGE", request_id)
    context["messageId"] = new_id()
    return {"requestContext": context, "body": body, "isBase64Encoded": False}


def disconnect_event(
    api: ApiIdentity, client: ClientInfo, request_id: str, status_code: int, reason: str
) -> dict[str, Any]:
    """`$disconnect`, with the close code and reason API Gateway reports."""
    headers = [
        ("Host", api.domain_name),
        ("x-api-key", ""),
        ("X-Forwarded-For", ""),
        ("x-restapi", ""),
    ]
    context = _request_context(api, client, "$disconnect", "DISCONNECT", request_id)
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    return {
        "headers": dict(headers),
        "multiValueHeaders": _multi_value(headers),
        "requestContext": context,
        "isBase64Encoded": False,
    }


def gateway_error_frame(message: str, connection_id: str, request_id: str) -> str:
    """API Gateway's own frame, e.g. `Internal server error` when an integration fails, spaced
    as API Gateway writes it: `{"message": "Forbidden", "connectionId":"…", "requestId":"…"}`."""
    return (
        f'{{"message": {json.dumps(message)}, "connectionId":{json.dumps(connection_id)}, '
        f'"requestId":{json.dumps(request_id)}}}'
    )


def _multi_value(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values
