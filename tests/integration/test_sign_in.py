"""Sign-in over real WebSockets, on the stack of `make dev AUTH=optional` and our data plane (it
runs `$connect`'s Lambda REQUEST authorizer as API Gateway does, and re-reads a function's
settings on SIGHUP, which the tests need to point the authorizer at their own issuer).

The tokens come from an issuer the test holds (tests/sign_in.py): the authorizer is pointed at
its key set as at an external OIDC issuer's, so a test can mint a token that expires in seconds
(Cognito's last an hour at the least). MiniStack's own ID tokens pass the same checks
(tests/local_stack/test_ministack_id_tokens.py)."""

import time
import uuid
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from local_stack.stack import LocalStack
from serverless_chat import contract
from tests.integration.signed_in_sockets import (
    receive,
    refusal,
    send,
    signed_in,
    token,
    trusting_the_test_issuer,
)
from tests.sign_in import FOREIGN_KEY


@pytest.fixture(scope="module")
def chat(optional_stack: LocalStack) -> Iterator[str]:
    """The stack's WebSocket URL, its authorizer trusting the test's issuer."""
    with trusting_the_test_issuer(optional_stack) as url:
        yield url


def test_a_signed_in_user_chats_under_its_handle_and_a_guest_cannot_take_it(chat: str) -> None:
    room = f"team-{uuid.uuid4().hex[:8]}"
    handle = f"Grace{uuid.uuid4().hex[:4]}"
    with signed_in(chat, token(handle)) as user, connect(chat, open_timeout=20) as guest:
        assert user.subprotocol == contract.SUBPROTOCOL
        assert guest.subprotocol is None
        send(user, {"action": "on-enter-room", "groupId": room, "username": "someone-else"})
        entered = receive(user, "room")
        assert (entered["username"], entered["guests"]) == (handle, [])

        send(guest, {"action": "on-enter-room", "groupId": room, "username": handle.lower()})
        taken = receive(guest, "error")
        assert taken["code"] == "name_taken"
        assert taken["suggestedUsername"] == f"{handle.lower()} 2"

        send(guest, {"action": "on-enter-room", "groupId": room, "username": "bob"})
        assert receive(guest, "room")["guests"] == ["bob"]
        join = receive(user, "presence")
        assert (join["username"], join["guest"]) == ("bob", True)
        send(guest, {"action": "on-message", "message": "hi, I am a guest"})
        assert receive(guest, "message")["isOwnMessage"]
        message = receive(user, "message")
        assert (message["username"], message["guest"]) == ("bob", True)
        send(user, {"action": "on-message", "message": "welcome"})
        reply = receive(guest, "message")
        assert (reply["username"], "guest" in reply) == (handle, False)


def test_a_token_signed_by_another_key_or_expired_is_refused_at_the_handshake(chat: str) -> None:
    assert refusal(chat, token("mallory", key=FOREIGN_KEY)) == 401
    assert refusal(chat, token("late", expires_in_s=-120)) == 401  # beyond the 60 s leeway
    assert refusal(chat, "not.a.token") == 401


def test_a_connection_whose_token_expires_is_refused_and_closed(chat: str) -> None:
    room = f"team-{uuid.uuid4().hex[:8]}"
    with signed_in(chat, token("brief", expires_in_s=6)) as user:
        send(user, {"action": "on-enter-room", "groupId": room})
        receive(user, "room")
        time.sleep(7)
        send(user, {"action": "ping"})
        assert receive(user, "error")["code"] == "token_expired"
        with pytest.raises(ConnectionClosed):
            user.recv(timeout=10)
