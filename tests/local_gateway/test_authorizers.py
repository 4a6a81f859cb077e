"""A Lambda REQUEST authorizer on `$connect`: its verdict decides the handshake, and what it
answers reaches `$connect` and every later event as `requestContext.authorizer`."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    REGION,
    STAGE,
    ConnectAuthorizer,
    DeployedApi,
    GatewayProcess,
    GatewayStarter,
    Route,
    deploy,
    echo,
    invocation_routes,
    recorded_events,
)

IDENTITY_SOURCES = ("route.request.header.X-Team", "route.request.querystring.token")
AUTHORIZED = {"principalId": "alice", "team": "blue", "level": "3", "admin": "true"}


class AuthorizedApi:
    """An API whose `$connect` has the `handlers.authorize` authorizer, and its gateway."""

    def __init__(self, api_id: str, gateway: GatewayProcess, port: int, event_dir: Path) -> None:
        self.api_id = api_id
        self.gateway = gateway
        self.url = f"ws://127.0.0.1:{port}/{STAGE}"
        self.event_dir = event_dir

    @contextmanager
    def connect(self, token: str | None, team: str | None = "blue") -> Iterator[ClientConnection]:
        url = self.url if token is None else f"{self.url}?token={token}"
        headers = {} if team is None else {"X-Team": team}
        with connect(url, additional_headers=headers, open_timeout=20) as ws:
            yield ws

    def refusal(self, token: str | None, team: str | None = "blue") -> int:
        """The handshake's status when it is refused."""
        with pytest.raises(InvalidStatus) as refused, self.connect(token, team):
            pass
        return refused.value.response.status_code

    def authorizer_event(self, token: str) -> dict:
        (event,) = recorded_events(self.event_dir, "authorizer", token)
        return event

    def routes_invoked(self, connection_id: str) -> list[str]:
        return invocation_routes(self.gateway.lines, connection_id)


@pytest.fixture(scope="module")
def authorized(deployed_api: DeployedApi, start_gateway: GatewayStarter) -> AuthorizedApi:
    api_id = deploy(
        deployed_api.endpoint,
        deployed_api.function_zip.read_bytes(),
        {"EVENT_DIR": str(deployed_api.event_dir)},
        routes={
            "$connect": Route("handlers.connect", 8),
            "$default": Route("handlers.echo", two_way=True),
            "$disconnect": Route("handlers.disconnect"),
        },
        api_name="authorized-test",
        prefix="authorized",
        connect_authorizer=ConnectAuthorizer("handlers.authorize", IDENTITY_SOURCES),
        stage_variables={"realm": "tests"},
    )
    port = free_port()
    gateway = start_gateway(port=port, api=api_id)
    gateway.wait_for("Listening on")
    return AuthorizedApi(api_id, gateway, port, deployed_api.event_dir)


def test_an_allowed_connection_carries_the_authorizer_context_on_every_event(
    authorized: AuthorizedApi,
) -> None:
    with authorized.connect("allow-1") as ws:
        message = echo(ws)["event"]
        connection_id = message["requestContext"]["connectionId"]
        ws.close(code=4000, reason="bye")
    assert message["requestContext"]["authorizer"] == AUTHORIZED
    (connected,) = recorded_events(authorized.event_dir, "$connect", connection_id)
    assert connected["requestContext"]["authorizer"] == AUTHORIZED
    (disconnected,) = recorded_events(authorized.event_dir, "$disconnect", connection_id)
    assert disconnected["requestContext"]["authorizer"] == AUTHORIZED
    assert authorized.routes_invoked(connection_id)[:2] == ["authorizer", "$connect"]


def test_the_authorizer_gets_the_request_event_of_the_handshake(authorized: AuthorizedApi) -> None:
    with authorized.connect("allow-2") as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
    event = authorized.authorizer_event("allow-2")
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == (
        f"arn:aws:execute-api:{REGION}:123456789012:{authorized.api_id}/{STAGE}/$connect"
    )
    assert event["headers"]["X-Team"] == "blue"
    assert event["multiValueHeaders"]["X-Team"] == ["blue"]
    assert event["queryStringParameters"] == {"token": "allow-2"}
    assert event["multiValueQueryStringParameters"] == {"token": ["allow-2"]}
    assert event["stageVariables"] == {"realm": "tests"}
    context = event["requestContext"]
    assert (context["routeKey"], context["eventType"]) == ("$connect", "CONNECT")
    assert context["connectionId"] == connection_id
    assert "authorizer" not in context


@pytest.mark.parametrize(
    ("token", "status"),
    [
        ("deny-1", 403),  # an explicit Deny
        ("elsewhere-1", 403),  # a policy that allows another route only
        ("boom-1", 500),  # the authorizer raises
        ("malformed-1", 500),  # an answer without a policy document
        ("unauthorized-1", 401),  # the authorizer raises `Unauthorized`
    ],
)
def test_a_refusing_or_failing_authorizer_refuses_the_handshake_without_connect(
    authorized: AuthorizedApi, token: str, status: int
) -> None:
    assert authorized.refusal(token) == status
    connection_id = authorized.authorizer_event(token)["requestContext"]["connectionId"]
    authorized.gateway.wait_for(f"authorizer     {connection_id}")
    assert authorized.routes_invoked(connection_id) == ["authorizer"]


@pytest.mark.parametrize(("token", "team"), [(None, "blue"), ("allow-3", None), ("allow-4", "")])
def test_a_missing_identity_source_is_401_without_invoking_the_authorizer(
    authorized: AuthorizedApi, token: str | None, team: str | None
) -> None:
    assert authorized.refusal(token, team) == 401
    if token is not None:
        assert not (authorized.event_dir / f"authorizer-{token}.json").exists()
