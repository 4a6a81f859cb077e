"""The chat's `$connect` authorizer (build/lambdas.zip's `handlers.authorize`) run by our data
plane as API Gateway runs it, in each mode: its identity source, its policy on the methodArn,
its 401, and the context every later event carries. The issuer's key set is served on loopback;
the handles table is moto server's; `$connect` and `$default` are the recording test functions,
packed beside the chat's package in one zip."""

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from local_stack.emulator import free_port
from serverless_chat import contract
from tests.local_gateway.gateway_support import (
    HANDLERS,
    ROOT,
    STAGE,
    ConnectAuthorizer,
    DeployedApi,
    GatewayStarter,
    Route,
    aws_client,
    deploy,
    echo,
)
from tests.sign_in import (
    CLIENT_ID,
    FOREIGN_KEY,
    HANDLES_TABLE,
    ISSUER,
    ISSUER_KEY,
    USER,
    KeySetServer,
    create_handles_table,
    id_claims,
    key_set_served,
)

LAMBDA_ZIP = ROOT / "build" / "lambdas.zip"
PROTOCOL_SOURCE = "route.request.header.Sec-WebSocket-Protocol"


@pytest.fixture(scope="module")
def key_set() -> Iterator[KeySetServer]:
    with key_set_served() as server:
        yield server


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chat's zip with the recording test functions beside its package."""
    if not LAMBDA_ZIP.is_file():
        pytest.fail(f"{LAMBDA_ZIP} is missing: `make package` builds it")
    path = tmp_path_factory.mktemp("sign-in-code") / "functions.zip"
    with zipfile.ZipFile(LAMBDA_ZIP) as chat, zipfile.ZipFile(path, "w") as combined:
        for name in chat.namelist():
            combined.writestr(name, chat.read(name))
        for source in HANDLERS.glob("*.py"):
            combined.write(source, source.name)
    return path


class SignInApi:
    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def connect(self, *protocols: str) -> Iterator[ClientConnection]:
        # ?choose: the recording `$connect` answers the first subprotocol offered, as the
        # chat's `$connect` does; a browser fails a handshake that answers none.
        with connect(
            f"{self.url}?choose=1" if protocols else self.url,
            subprotocols=list(protocols) or None,
            open_timeout=30,
        ) as ws:
            yield ws

    def refusal(self, *protocols: str) -> int:
        with pytest.raises(InvalidStatus) as refused, self.connect(*protocols):
            pass
        return refused.value.response.status_code


@pytest.fixture(scope="module")
def sign_in_api(
    deployed_api: DeployedApi, start_gateway: GatewayStarter, key_set: KeySetServer, code: Path
) -> dict[str, SignInApi]:
    """An API per mode, `$connect` behind the chat's authorizer, and a data plane for each."""
    create_handles_table(aws_client("dynamodb", deployed_api.endpoint))
    apis = {}
    for mode, sources in (("required", (PROTOCOL_SOURCE,)), ("optional", ())):
        port = free_port()
        environment = {
            "EVENT_DIR": str(deployed_api.event_dir),
            "AUTH_MODE": mode,
            "TOKEN_ISSUER": ISSUER,
            "TOKEN_AUDIENCE": CLIENT_ID,
            "TOKEN_USE": "id",
            "JWKS_URL": key_set.url,
            "HANDLES_TABLE": HANDLES_TABLE,
            "POWERTOOLS_SERVICE_NAME": "serverless-chat",
        }
        api_name = f"sign-in-{mode}"
        deploy(
            deployed_api.endpoint,
            code.read_bytes(),
            environment,
            routes={
                "$connect": Route("handlers.connect", 8),
                "$default": Route("handlers.echo", two_way=True),
                "$disconnect": Route("handlers.disconnect"),
            },
            api_name=api_name,
            prefix=api_name,
            connect_authorizer=ConnectAuthorizer(
                contract.AUTHORIZER.handler, sources, timeout_s=15
            ),
        )
        gateway = start_gateway(port=port, api=api_name, zip_path=code)
        gateway.wait_for("Listening on")
        apis[mode] = SignInApi(f"ws://127.0.0.1:{port}/{STAGE}")
    return apis


def token_protocols(token: str) -> tuple[str, str]:
    return contract.SUBPROTOCOL, contract.TOKEN_PROTOCOL_PREFIX + token


@pytest.mark.parametrize("mode", ["required", "optional"])
def test_a_signed_in_user_connects_and_every_event_carries_their_id_and_handle(sign_in_api, mode):
    claims = id_claims()
    with sign_in_api[mode].connect(*token_protocols(ISSUER_KEY.token(claims))) as ws:
        assert ws.subprotocol == contract.SUBPROTOCOL
        authorizer = echo(ws)["event"]["requestContext"]["authorizer"]
    assert authorizer == {
        "principalId": USER,
        "userId": USER,
        "handle": "ada",
        "tokenExpiresAt": str(claims["exp"]),
    }


@pytest.mark.parametrize("mode", ["required", "optional"])
def test_a_token_that_is_not_valid_is_refused_with_401(sign_in_api, mode):
    assert sign_in_api[mode].refusal(*token_protocols(FOREIGN_KEY.token(id_claims()))) == 401


def test_no_token_where_sign_in_is_required_is_401(sign_in_api):
    assert sign_in_api["required"].refusal() == 401  # no identity source: not invoked
    assert sign_in_api["required"].refusal(contract.SUBPROTOCOL) == 401  # invoked: no token


def test_a_guest_connects_where_guests_are_welcome_with_no_identity(sign_in_api):
    with sign_in_api["optional"].connect() as ws:
        authorizer = echo(ws)["event"]["requestContext"]["authorizer"]
    assert authorizer == {"principalId": "guest"}
