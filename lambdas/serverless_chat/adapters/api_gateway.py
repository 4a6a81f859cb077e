"""API Gateway's WebSocket events, read through powertools' ``APIGatewayProxyEvent``."""

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_proxy_event import (
    APIGatewayProxyEvent,
)

from serverless_chat import contract
from serverless_chat.domain.model import NewConnection, SignedInUser


@dataclass(frozen=True)
class WebSocketRequest:
    """What the chat needs from one event: who sent what, and where replies go."""

    route: str
    connection_id: str
    body: str | None
    connections_endpoint: str  # the @connections API of the API and stage that sent the event
    event: APIGatewayProxyEvent

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> "WebSocketRequest":
        event = APIGatewayProxyEvent(raw)
        context = event.request_context
        if not (context.connection_id and context.domain_name and context.stage):
            raise ValueError("not an API Gateway WebSocket event: no connectionId or domainName")
        return cls(
            route=context.route_key or "",
            connection_id=context.connection_id,
            body=event.body,
            connections_endpoint=f"https://{context.domain_name}/{context.stage}",
            event=event,
        )

    @property
    def origin(self) -> str | None:
        """The browser origin of a ``$connect``; None for clients that are not browsers."""
        value = self.event.headers.get("origin")
        return str(value) if value is not None else None

    @property
    def user(self) -> SignedInUser | None:
        """The signed-in user the ``$connect`` authorizer verified, from the context API Gateway
        passes to every event of the connection; None for a guest (no authorizer, or one that
        admitted a guest). Never read from a frame."""
        context = self.event.raw_event["requestContext"].get("authorizer") or {}
        user_id = context.get("userId")
        if not user_id:
            return None
        return SignedInUser(
            user_id=str(user_id),
            handle=str(context["handle"]),
            token_expires_at_s=int(context["tokenExpiresAt"]),
        )

    @property
    def offers_chat_subprotocol(self) -> bool:
        """Whether the handshake offers the chat's subprotocol (a signed-in page does, beside its
        token): ``$connect`` must then choose it, or the browser fails the handshake."""
        offered = self.event.headers.get("sec-websocket-protocol") or ""
        return contract.SUBPROTOCOL in (p.strip() for p in str(offered).split(","))

    def new_connection(self) -> NewConnection:
        context = self.event.request_context
        return NewConnection(
            connection_id=self.connection_id,
            connected_at_ms=context.connected_at or 0,
            source_ip=context.identity.source_ip,
            user_agent=context.identity.user_agent,
            user=self.user,
        )
