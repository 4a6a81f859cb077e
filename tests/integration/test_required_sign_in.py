"""`auth_mode = "required"` over real WebSockets, on the stack of `make up AUTH=required`: the
authorizer's identity source is the `Sec-WebSocket-Protocol` header, so a handshake without one
gets 401 from API Gateway (our data plane, as AWS documents) before any function runs; a token
that fails verification gets 401 from the authorizer; a valid one enters under its handle."""

import json
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from local_stack.stack import LocalStack
from serverless_chat import contract
from tests.conftest import function_settings
from tests.integration.signed_in_sockets import (
    receive,
    refusal,
    send,
    signed_in,
    token,
    trusting_the_test_issuer,
    until_a_token_gets,
)
from tests.sign_in import FOREIGN_KEY


@pytest.fixture(scope="module")
def chat(required_stack: LocalStack) -> Iterator[str]:
    """The stack's WebSocket URL, its authorizer trusting the test's issuer."""
    with trusting_the_test_issuer(required_stack) as url:
        yield url


def handshake_status(url: str, **options: object) -> int:
    with pytest.raises(InvalidStatus) as refused, connect(url, open_timeout=20, **options):  # type: ignore[arg-type]
        pass
    return refused.value.response.status_code


def test_the_page_is_told_that_sign_in_is_required(required_stack: LocalStack) -> None:
    config_url = f"http://127.0.0.1:{required_stack.options.site_port}/config.json"
    with urllib.request.urlopen(config_url) as answer:
        config = json.load(answer)
    assert config["authMode"] == "required"
    assert config["userPoolId"]
    assert config["userPoolClientId"]


def test_a_handshake_without_a_token_gets_401_without_running_the_authorizer(
    chat: str, required_stack: LocalStack
) -> None:
    assert handshake_status(chat) == 401
    # The seed's page offers no subprotocol; one offering only the chat's, no token, is refused too.
    assert handshake_status(chat, subprotocols=[contract.SUBPROTOCOL]) == 401
    # With the authorizer broken (it fails as it loads), a token reaches it and fails with 500,
    # while a handshake without one still gets 401: API Gateway answered it without the function.
    with function_settings(required_stack, "authorize", JWKS_URL="not-a-url"):
        until_a_token_gets(chat, 500)
        assert handshake_status(chat) == 401
        assert refusal(chat, token("probe")) == 500
    until_a_token_gets(chat, None)


def test_a_bad_token_gets_401_and_a_valid_one_enters_under_its_handle(chat: str) -> None:
    assert refusal(chat, token("mallory", key=FOREIGN_KEY)) == 401
    assert refusal(chat, token("late", expires_in_s=-120)) == 401
    assert refusal(chat, "not.a.token") == 401

    handle = f"Lin{uuid.uuid4().hex[:4]}"
    room = f"team-{uuid.uuid4().hex[:8]}"
    with signed_in(chat, token(handle)) as user:
        assert user.subprotocol == contract.SUBPROTOCOL
        send(user, {"action": "on-enter-room", "groupId": room, "username": "anyone"})
        entered = receive(user, "room")
        assert (entered["username"], "guests" in entered) == (handle, False)  # no guests here
        send(user, {"action": "on-message", "message": "signed in only"})
        message = receive(user, "message")
        assert (message["username"], "guest" in message) == (handle, False)
