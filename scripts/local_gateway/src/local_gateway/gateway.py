"""What API Gateway does with a WebSocket's life: `$connect`, routed messages, `$disconnect`."""

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from . import authorizers, events, signatures
from .connections import ConnectionRegistry, LiveConnection
from .discovery import (
    DEFAULT_INTEGRATION_TIMEOUT_MS,
    Deployment,
    FunctionSpec,
    IamCaller,
    RequestAuthorizer,
)
from .ids import new_id
from .routing import RouteSelector
from .throttle import TokenBucket
from .workers import FunctionPool, Invocation

log = logging.getLogger("local_gateway.invocations")

INTERNAL_SERVER_ERROR = "Internal server error"
ENDPOINT_REQUEST_TIMED_OUT = "Endpoint request timed out"
SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol"
# How long an authorizer may take before the handshake fails with 500: API Gateway's
# integration limit (no other is documented), or the function's own timeout when shorter.
AUTHORIZER_TIMEOUT_MS = DEFAULT_INTEGRATION_TIMEOUT_MS
AUTHORIZER_LABEL = "authorizer"  # in the log's route column
IAM_LABEL = "AWS_IAM"  # in the log's route column: a refused signature


@dataclass(frozen=True)
class ConnectAnswer:
    """How the handshake ends: its status and, when `$connect` chose one, the subprotocol;
    `authorizer` is what the authorizer answered and `iam_identity` who signed an `AWS_IAM`
    handshake, for the connection's later events; `refusal` why a signature was refused."""

    status: int
    subprotocol: str | None = None
    authorizer: dict[str, str] | None = None
    iam_identity: dict[str, str] | None = None
    refusal: signatures.Refusal | None = None


class Gateway:
    """Routes each WebSocket event of one API stage to its function's pool."""

    def __init__(
        self,
        deployment: Deployment,
        api: events.ApiIdentity,
        pools: dict[str, FunctionPool],
        registry: ConnectionRegistry,
    ) -> None:
        self._deployment = deployment
        self._api = api
        self._pools = pools
        self._registry = registry
        self._selector = RouteSelector(
            deployment.route_selection_expression, frozenset(deployment.routes)
        )
        self._buckets: dict[str, TokenBucket] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def update(self, deployment: Deployment) -> None:
        """Serve `deployment` (routes and functions re-read) from the next frame on."""
        self._deployment = deployment
        self._selector = RouteSelector(
            deployment.route_selection_expression, frozenset(deployment.routes)
        )
        self._buckets.clear()

    @property
    def registry(self) -> ConnectionRegistry:
        return self._registry

    async def connect(
        self,
        client: events.ClientInfo,
        target: str,
        headers: list[tuple[str, str]],
        query: list[tuple[str, str]],
    ) -> ConnectAnswer:
        """The handshake's answer: 101 to accept, the refusal's status otherwise. `target` is
        the request line's path and query as sent (what an `AWS_IAM` signature covers)."""
        if not self._bucket("$connect").take():
            return ConnectAnswer(429)
        route = self._deployment.routes.get("$connect")
        if route is None:
            return ConnectAnswer(101)
        if route.authorization_type == "AWS_IAM":
            refusal = signatures.handshake_refusal(
                target,
                {name.lower(): value for name, value in headers},
                signatures.TEST_CREDENTIALS,
                self._deployment.region,
                datetime.now(UTC),
            )
            if refusal is not None:
                log.info("%-14s %s %-24s", IAM_LABEL, client.connection_id, refusal.error_type)
                return ConnectAnswer(403, refusal=refusal)
            client = replace(client, iam_identity=_iam_identity(self._deployment.iam_caller))
        request_id = new_id()
        event = events.connect_event(self._api, client, request_id, headers, query)
        authorized: dict[str, str] | None = None
        if route.authorizer is not None:
            verdict = await self._authorize(route.authorizer, client, event)
            if verdict.status != 101:
                return ConnectAnswer(verdict.status)
            authorized = verdict.context
            event["requestContext"]["authorizer"] = authorized
        invocation = await self._invoke_within_timeout(
            route.function, route.route_key, route.integration_timeout_ms, client, event
        )
        return _connect_answer(invocation, authorized, client.iam_identity)

    def receive(self, connection: LiveConnection, body: str) -> None:
        """A text message from a client: routed and invoked in its own task, as in AWS."""
        self._track(asyncio.create_task(self._message(connection, body)))

    def disconnected(self, client: events.ClientInfo, status_code: int, reason: str) -> None:
        """The socket is gone: forget it and invoke `$disconnect` once."""
        self._registry.remove(client.connection_id)
        route = self._deployment.routes.get("$disconnect")
        if route is None:
            return
        request_id = new_id()
        event = events.disconnect_event(self._api, client, request_id, status_code, reason)
        invoking = self._invoke(route.function, route.route_key, client, event)
        self._track(asyncio.create_task(invoking))

    async def drain(self) -> None:
        """Wait for every invocation in flight (used at shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _authorize(
        self, authorizer: RequestAuthorizer, client: events.ClientInfo, event: dict[str, Any]
    ) -> authorizers.Verdict:
        """The `$connect` authorizer's verdict on the handshake whose event is `event`."""
        variables = self._deployment.stage_variables
        if not authorizers.identity_present(authorizer, event, variables):
            log.info("%-14s %s %-24s", AUTHORIZER_LABEL, client.connection_id, "IdentityMissing")
            return authorizers.Verdict(authorizers.UNAUTHORIZED)
        invocation = await self._invoke_within_timeout(
            authorizer.function,
            AUTHORIZER_LABEL,
            AUTHORIZER_TIMEOUT_MS,
            client,
            authorizers.authorizer_event(authorizer, event, variables),
        )
        if invocation is None:
            return authorizers.Verdict(authorizers.AUTHORIZER_FAILURE)
        return authorizers.verdict(authorizer, invocation.result)

    async def _message(self, connection: LiveConnection, body: str) -> None:
        client = connection.client
        request_id = new_id()
        route_key = self._selector.select(body)
        if route_key is None:
            self._reply_error(connection, "Forbidden", request_id)
            return
        if not self._bucket(route_key).take():
            self._reply_error(connection, "Too Many Requests", request_id)
            return
        route = self._deployment.routes[route_key]
        event = events.message_event(self._api, client, route_key, request_id, body)
        invocation = await self._invoke_within_timeout(
            route.function, route_key, route.integration_timeout_ms, client, event
        )
        if invocation is None:
            self._reply_error(connection, ENDPOINT_REQUEST_TIMED_OUT, request_id)
        elif invocation.result.error is not None:
            self._reply_error(connection, INTERNAL_SERVER_ERROR, request_id)
        elif route.two_way:
            reply = _response_body(invocation.result.payload)
            if reply is not None:
                connection.send_text(reply.encode())

    async def _invoke_within_timeout(
        self,
        function: FunctionSpec,
        label: str,
        timeout_ms: int,
        client: events.ClientInfo,
        event: dict[str, Any],
    ) -> Invocation | None:
        """The invocation, or None when it outlasts `timeout_ms` (the integration's timeout):
        API Gateway then gives up on it, while the function runs on to its own timeout."""
        invoking = asyncio.create_task(self._invoke(function, label, client, event))
        self._track(invoking)
        try:
            return await asyncio.wait_for(asyncio.shield(invoking), timeout_ms / 1000)
        except TimeoutError:
            log.info(
                "%-14s %s %-24s %6.1f ms",
                label,
                client.connection_id,
                "IntegrationTimeout",
                timeout_ms,
            )
            return None

    def _track(self, task: "asyncio.Task[Any]") -> None:
        """Keep a task referenced until done, so that shutdown can wait for it."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _invoke(
        self,
        function: FunctionSpec,
        label: str,
        client: events.ClientInfo,
        event: dict[str, Any],
    ) -> Invocation:
        """One invocation of `function`, logged under `label` (a route key, or `authorizer`)."""
        invocation = await self._pools[function.arn].invoke(event)
        result = invocation.result
        status = (
            result.error.get("errorType", "Error")
            if result.error is not None
            else _status_code(result.payload)
        )
        log.info(
            "%-14s %s %-24s %6.1f ms%s",
            label,
            client.connection_id,
            status,
            invocation.duration_ms,
            " (cold start)" if invocation.cold else "",
        )
        return invocation

    def _reply_error(self, connection: LiveConnection, message: str, request_id: str) -> None:
        frame = events.gateway_error_frame(message, connection.client.connection_id, request_id)
        connection.send_text(frame.encode())

    def _bucket(self, route_key: str) -> TokenBucket:
        bucket = self._buckets.get(route_key)
        if bucket is None:
            throttling = self._deployment.throttling(route_key)
            bucket = self._buckets[route_key] = TokenBucket(throttling.rate, throttling.burst)
        return bucket


def _iam_identity(caller: IamCaller | None) -> dict[str, str]:
    """The `requestContext.identity` fields of a connection the test credentials signed, as
    API Gateway fills them for IAM authorization (`caller` and `user` both the caller's id)."""
    if caller is None:
        return {}
    return {
        "accessKey": caller.access_key,
        "accountId": caller.account_id,
        "caller": caller.user_id,
        "user": caller.user_id,
        "userArn": caller.arn,
    }


def _connect_answer(
    invocation: Invocation | None,
    authorized: dict[str, str] | None,
    iam_identity: dict[str, str] | None,
) -> ConnectAnswer:
    """The handshake's answer from `$connect`'s invocation (None: it timed out)."""
    if invocation is None:
        return ConnectAnswer(504)
    if invocation.result.error is not None:
        return ConnectAnswer(500)
    payload = invocation.result.payload
    status = _status_code(payload)
    if status >= 400:
        return ConnectAnswer(status)
    return ConnectAnswer(101, _header(payload, SUBPROTOCOL_HEADER), authorized, iam_identity)


def _status_code(payload: Any) -> int:
    """A proxy result's statusCode; 200 when the function returned no status (as AWS does)."""
    if isinstance(payload, dict) and isinstance(payload.get("statusCode"), int):
        return int(payload["statusCode"])
    return 200


def _response_body(payload: Any) -> str | None:
    """What a two-way route sends back: the proxy result's body, if it has one."""
    body = payload.get("body") if isinstance(payload, dict) else None
    return body if isinstance(body, str) else None


def _header(payload: Any, name: str) -> str | None:
    """A header of a proxy result (`headers` or `multiValueHeaders`), whatever its case."""
    if not isinstance(payload, dict):
        return None
    for key, value in (payload.get("headers") or {}).items():
        if key.lower() == name.lower() and isinstance(value, str):
            return value
    for key, values in (payload.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower() and isinstance(values, list) and values:
            return ", ".join(str(value) for value in values)
    return None
