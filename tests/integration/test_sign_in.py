"""Sign-in over real WebSockets, on the stack of `make dev AUTH=optional` and our data plane (it
runs `$connect`'s Lambda REQUEST authorizer as API Gateway does; MiniStack's own plane runs only
JWT authorizers, which AWS does not offer WebSocket APIs).

The tokens come from an issuer the test holds (tests/sign_in.py): the authorizer is pointed at
its key set as at an external OIDC issuer's, so a test can mint a token that expires in seconds
(Cognito's last an hour at the least). MiniStack's own ID tokens pass the same checks
(tests/local_stack/test_ministack_id_tokens.py)."""

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from local_stack.stack import LocalStack
from serverless_chat import contract
from tests.conftest import function_settings
from tests.sign_in import CLIENT_ID, FOREIGN_KEY, ISSUER, ISSUER_KEY, id_claims, key_set_served


@pytest.fixture(scope="module")
def chat(optional_stack: LocalStack) -> Iterator[str]:
    """The stack's WebSocket URL, its authorizer trusting the test's issuer."""
    with (
        key_set_served() as keys,
        function_settings(
            optional_stack,
            "authorize",
            JWKS_URL=keys.url,
            TOKEN_ISSUER=ISSUER,
            TOKEN_AUDIENCE=CLIENT_ID,
            TOKEN_USE="id",
        ),
    ):
        url = optional_stack.options.websocket_url
        deadline = time.monotonic() + 30
        while True:  # until the data plane runs the authorizer with the new settings
            try:
                with signed_in(url, token(f"probe-{uuid.uuid4().hex[:6]}")):
                    break
            except InvalidStatus:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield url


def token(username: str, expires_in_s: int = 3600, key: Any = ISSUER_KEY) -> str:
    now = int(time.time())
    return key.token(
        id_claims(sub=str(uuid.uuid4()), exp=now + expires_in_s, **{"cognito:username": username})
    )


def signed_in(url: str, id_token: str) -> ClientConnection:
    return connect(
        url,
        subprotocols=[
            Subprotocol(contract.SUBPROTOCOL),
            Subprotocol(contract.TOKEN_PROTOCOL_PREFIX + id_token),
        ],
        open_timeout=20,
    )


def send(ws: ClientConnection, frame: dict[str, Any]) -> None:
    ws.send(json.dumps(frame))


def receive(ws: ClientConnection, frame_type: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if frame["type"] == frame_type:
            return dict(frame)


def refusal(url: str, id_token: str) -> int:
    with pytest.raises(InvalidStatus) as refused, signed_in(url, id_token):
        pass
    return refused.value.response.status_code


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
