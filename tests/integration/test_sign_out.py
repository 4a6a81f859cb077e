"""Signing out ends every connection of the user at once, over real WebSockets on the
`AUTH=optional` stack: from the chat (`sign-out` on one of the user's sockets), and from outside it
(`make disable-user`, on a user of the stack's own Cognito). Each socket of the user is sent
`signed_out` and closed, a guest beside them stays served and sees them leave, and the token they
held is refused at `$connect` afterwards, though it has not expired."""

import json
import time
import uuid
from pathlib import Path

import boto3
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from deployment import disable_user
from local_stack.stack import ROOT, LocalStack, _emulator_client
from tests.conftest import function_settings
from tests.integration.signed_in_sockets import (
    receive,
    refusal,
    refusal_or_none,
    send,
    signed_in,
    token,
    trusting_the_test_issuer,
)
from tests.integration.test_local_user import PASSWORD, local_user
from tests.integration.test_make_up_down import local_stack


def enter(ws: ClientConnection, room: str, username: str = "") -> dict:
    send(ws, {"action": "on-enter-room", "groupId": room, "username": username})
    return receive(ws, "room")


def signed_out_and_closed(ws: ClientConnection) -> None:
    """The socket gets `signed_out`, then the chat closes it."""
    assert receive(ws, "signed_out") == {"type": "signed_out"}
    with pytest.raises(ConnectionClosed):
        _until_closed(ws)


def _until_closed(ws: ClientConnection) -> None:
    """Read what still comes (another socket of the user may leave the room first)."""
    while True:
        ws.recv(timeout=10)


def leaves_seen(ws: ClientConnection, count: int) -> list[str]:
    """The names in the next ``count`` leave frames the socket gets."""
    left: list[str] = []
    while len(left) < count:
        frame = receive(ws, "presence")
        if frame["event"] == "leave":
            left += frame.get("usernames", [frame["username"]])
    return left


def still_served(ws: ClientConnection) -> None:
    send(ws, {"action": "ping"})
    assert receive(ws, "pong") == {"type": "pong"}


def test_sign_out_closes_every_socket_of_the_user_and_refuses_her_token(
    optional_stack: LocalStack,
) -> None:
    room = f"signout-{uuid.uuid4().hex[:6]}"
    with trusting_the_test_issuer(optional_stack) as url:
        sub = str(uuid.uuid4())
        held = token("sol", sub=sub)
        with (
            signed_in(url, held) as laptop,
            signed_in(url, held) as phone,
            connect(url, open_timeout=20) as guest,
        ):
            enter(laptop, room)
            enter(phone, room)
            enter(guest, room, "zoe")

            send(laptop, {"action": "sign-out"})

            signed_out_and_closed(laptop)
            signed_out_and_closed(phone)  # found through the connections' user index
            assert leaves_seen(guest, 2) == ["sol", "sol"]
            still_served(guest)

        assert refusal(url, held) == 401  # valid for an hour more, yet signed out
        time.sleep(1.1)  # a token issued after the sign-out's second signs in again
        assert refusal_or_none(url, token("sol", sub=sub)) is None


def test_a_guest_cannot_sign_out(optional_stack: LocalStack) -> None:
    with connect(optional_stack.options.websocket_url, open_timeout=20) as guest:
        send(guest, {"action": "sign-out"})
        assert receive(guest, "error")["code"] == "not_signed_in"
        still_served(guest)


def test_disable_user_closes_the_users_socket_and_cognito_refuses_her(
    optional_stack: LocalStack,
) -> None:
    """`make disable-user USERNAME=dora`, with a real ID token of the stack's user pool."""
    work_dir = optional_stack.options.work_dir
    created = local_user(work_dir, "dora", PASSWORD)
    assert created.returncode == 0, created.stdout + created.stderr
    pool = json.loads(optional_stack.options.ready_file.read_text())["userPoolId"]
    cognito = _emulator_client("cognito-idp", optional_stack.emulator_endpoint)
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="test-disable",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]

    def sign_in() -> str:
        answer = cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "dora", "PASSWORD": PASSWORD},
        )
        return str(answer["AuthenticationResult"]["IdToken"])

    held = sign_in()
    url = optional_stack.options.websocket_url
    room = f"disable-{uuid.uuid4().hex[:6]}"
    # The page's app client signs in by SRP alone; the test's own client (password auth, as in
    # test_local_user.py) is the audience of its token, so the authorizer is told to accept it.
    with function_settings(optional_stack, "authorize", TOKEN_AUDIENCE=client):
        deadline = time.monotonic() + 30  # the data plane reloads the setting in the background
        while refusal_or_none(url, held) is not None:
            assert time.monotonic() < deadline, "the authorizer never admitted the pool's token"
            time.sleep(0.5)
        with signed_in(url, held) as dora, connect(url, open_timeout=20) as guest:
            assert enter(dora, room)["username"] == "dora"
            enter(guest, room, "zoe")

            disabled = local_stack(
                ROOT, "disable-user", f"--work-dir={work_dir}", "--username=dora"
            )

            assert disabled.returncode == 0, disabled.stdout + disabled.stderr
            assert "dora" in disabled.stdout
            assert "1 connection(s) told and closed" in disabled.stdout
            signed_out_and_closed(dora)
            assert leaves_seen(guest, 1) == ["dora"]
            still_served(guest)

        assert refusal(url, held) == 401
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in()


def test_disable_user_of_nobody_says_so(optional_stack: LocalStack) -> None:
    work_dir = optional_stack.options.work_dir
    refused = local_stack(ROOT, "disable-user", f"--work-dir={work_dir}", "--username=nobody")
    assert refused.returncode != 0
    assert "UserNotFoundException" in refused.stderr


def test_disable_user_of_a_deployment_reads_its_terraform_outputs(
    optional_stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make disable-user ENV=…`'s command, on `terraform output -json`'s shape, for a user who
    never connected: disabled in Cognito, no socket to close."""
    created = local_user(optional_stack.options.work_dir, "erin", PASSWORD)
    assert created.returncode == 0, created.stdout + created.stderr
    ready = json.loads(optional_stack.options.ready_file.read_text())
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"sign_out": {"value": ready["signOut"]}}))
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    endpoint = optional_stack.emulator_endpoint
    arguments = ["--outputs", str(outputs), "--endpoint-url", endpoint, "--username"]

    assert disable_user.main([*arguments, "erin"], session=session) == 0
    assert "0 connection(s) told and closed" in capsys.readouterr().out
    assert disable_user.main([*arguments, ""], session=session) == 1
    assert "Set USERNAME" in capsys.readouterr().err

    cognito = _emulator_client("cognito-idp", endpoint)
    user = cognito.admin_get_user(UserPoolId=ready["userPoolId"], Username="erin")
    assert user["Enabled"] is False
