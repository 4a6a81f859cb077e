"""Signed-in users beside guests, as the routes see them: who a connection is comes from what its
`$connect` authorizer answered (API Gateway's `requestContext.authorizer` on every event), never
from a frame; a token outlives nothing; guests are marked and cannot take a handle's name."""

import dataclasses
import importlib
import time

import boto3
import pytest

from serverless_chat import contract
from serverless_chat.adapters.handles_table import HandlesTable
from serverless_chat.domain.identity import AuthMode
from tests.chat_tables import create_handles_table

HANDLES_TABLE = "chat-handles"
ADA_ID = "0d6c7e1a-6b5e-4f7e-9d0f-3c9a2b1e8f00"
ADA_KEY = "ada"  # names.comparison_key("Ada")


@pytest.fixture
def optional(backend, monkeypatch):
    """The backend in `optional` mode, with a handles table holding ada's handle."""
    runtime = importlib.import_module("serverless_chat.runtime")  # once the environment is set

    client = boto3.client("dynamodb")
    create_handles_table(client, HANDLES_TABLE)
    client.put_item(
        TableName=HANDLES_TABLE,
        Item={"pk": {"S": f"handle#{ADA_KEY}"}, "userId": {"S": ADA_ID}, "handle": {"S": "Ada"}},
    )
    monkeypatch.setattr(
        runtime, "_rules", dataclasses.replace(runtime._rules, auth_mode=AuthMode.OPTIONAL)
    )
    monkeypatch.setattr(runtime, "_handles", HandlesTable(client, HANDLES_TABLE))
    return backend


def ada(expires_in_s: int = 3600) -> dict[str, str]:
    """What the authorizer answers for ada's valid token."""
    return {
        "principalId": ADA_ID,
        "userId": ADA_ID,
        "handle": "Ada",
        "tokenExpiresAt": str(int(time.time()) + expires_in_s),
    }


def test_a_signed_in_users_name_is_its_handle_whatever_the_frame_says(optional):
    bob = optional.connect()
    bob.enter("lobby", "bob")
    user = optional.connect(authorizer=ada())
    room = user.enter("lobby", "grace")
    assert room["username"] == "Ada"
    assert room["members"] == ["Ada", "bob"]
    assert room["guests"] == ["bob"]
    join = bob.last("presence")
    assert (join["event"], join["username"]) == ("join", "Ada")
    assert "guest" not in join
    assert user.say("hello")["username"] == "Ada"
    assert bob.last("message")["username"] == "Ada"


def test_guests_are_marked_in_optional_mode(optional):
    user = optional.connect(authorizer=ada())
    user.enter("lobby")
    guest = optional.connect()
    guest.enter("lobby", "bob")
    join = user.last("presence")
    assert (join["username"], join["guest"]) == ("bob", True)
    guest.say("hi from a guest")
    message = user.last("message")
    assert (message["message"], message["guest"]) == ("hi from a guest", True)
    later = optional.connect(authorizer=ada())
    history = later.enter("lobby")["history"]
    assert [(m["username"], m.get("guest")) for m in history] == [("bob", True)]


def test_nobody_is_marked_when_sign_in_is_off(backend):
    first, second = backend.connect(), backend.connect()
    first.enter("lobby", "bob")
    room = second.enter("lobby", "eve")
    assert "guests" not in room
    assert "guest" not in first.last("presence")
    second.say("hi")
    assert "guest" not in first.last("message")


# ada, with a Cyrillic a; in fullwidth letters
@pytest.mark.parametrize("look_alike", ["Ada", "ada", "\u0430da", "\uff21\uff24\uff21"])
def test_a_guest_cannot_take_a_handles_name_nor_a_look_alike(optional, look_alike):
    guest = optional.connect()
    guest.send({"action": "on-enter-room", "groupId": "lobby", "username": look_alike})
    (error,) = guest.new_frames()
    assert error["code"] == "name_taken"
    assert error["suggestedUsername"] == f"{look_alike} 2"
    assert "signed-in user" in error["message"]
    room = guest.enter("lobby", error["suggestedUsername"])
    assert room["username"] == f"{look_alike} 2"


def test_a_guest_may_take_a_name_nobody_registered(optional):
    guest = optional.connect()
    assert guest.enter("lobby", "grace")["username"] == "grace"


def test_a_user_is_one_sender_across_connections_whatever_guest_key_its_page_sends(optional):
    first = optional.connect(authorizer=ada())
    first.enter("lobby", guestKey="k" * 32)
    first.say("from the laptop")
    phone = optional.connect(authorizer=ada())
    history = phone.enter("lobby", guestKey="p" * 32)["history"]
    assert [(m["message"], m["isOwnMessage"]) for m in history] == [("from the laptop", True)]


@pytest.mark.parametrize(
    "frame",
    [
        {"action": "on-message", "message": "too late"},
        {"action": "on-enter-room", "groupId": "lobby", "username": "Ada"},
        {"action": "ping"},
    ],
)
def test_a_frame_after_the_token_expired_is_refused_and_the_connection_closed(optional, frame):
    user = optional.connect(authorizer=ada(expires_in_s=30))
    user.enter("lobby")
    bob = optional.connect()
    bob.enter("lobby", "bob")
    user.new_frames()
    optional.clock.shift(31)
    user.send(frame)
    (error,) = user.new_frames()
    assert error["code"] == "token_expired"
    assert optional.connections_api.closed == [user.connection_id]
    assert bob.new_frames() == []


def test_a_connection_past_its_token_is_sent_nothing_more_from_its_room(optional):
    user = optional.connect(authorizer=ada(expires_in_s=30))
    user.enter("lobby")
    bob = optional.connect()
    bob.enter("lobby", "bob")
    user.new_frames()
    optional.clock.shift(31)
    bob.say("is anyone there?")
    assert user.new_frames() == []
    late = optional.connect()
    assert late.enter("lobby", "eve")["members"] == ["bob", "eve"]


def test_a_token_that_expired_within_the_authorizers_leeway_is_refused_at_connect(optional):
    assert optional.connect(authorizer=ada(expires_in_s=-5)).handshake_status == 401


def test_connect_chooses_the_chat_subprotocol_only_when_the_page_offers_it(optional):
    offered = f"{contract.SUBPROTOCOL}, {contract.TOKEN_PROTOCOL_PREFIX}eyJhbGciOi.x.y"
    signed_in = optional.connect(authorizer=ada(), subprotocols=offered)
    assert signed_in.headers == {"Sec-WebSocket-Protocol": contract.SUBPROTOCOL}
    assert optional.connect().headers == {}
    assert optional.connect(subprotocols="graphql-ws").headers == {}


def _signed_in_before(client) -> None:
    """Ada's own item, as the authorizer writes it at her first sign-in."""
    client.put_item(
        TableName=HANDLES_TABLE,
        Item={"pk": {"S": f"user#{ADA_ID}"}, "handle": {"S": "Ada"}, "key": {"S": ADA_KEY}},
    )


def test_sign_out_closes_every_connection_of_the_user_and_refuses_her_tokens(optional):
    client = boto3.client("dynamodb")
    _signed_in_before(client)
    laptop, phone = optional.connect(authorizer=ada()), optional.connect(authorizer=ada())
    laptop.enter("lobby")
    phone.enter("lobby")
    bob = optional.connect()
    bob.enter("lobby", "bob")
    for client_ in (laptop, phone, bob):
        client_.new_frames()
    signed_out_at = int(time.time())

    laptop.send({"action": "sign-out"})

    assert laptop.new_frames() == [{"type": "signed_out"}]
    assert phone.new_frames() == [{"type": "signed_out"}]  # found through the user index
    assert sorted(optional.connections_api.closed) == sorted(
        [laptop.connection_id, phone.connection_id]
    )
    assert bob.new_frames() == []
    item = client.get_item(TableName=HANDLES_TABLE, Key={"pk": {"S": f"user#{ADA_ID}"}})
    assert item["Item"]["signedOutAt"] == {"N": str(signed_out_at)}
    # API Gateway runs $disconnect for each closed connection: the room is told she left
    for closed in (laptop, phone):
        optional.invoke("$disconnect", closed.connection_id)
    left = [f for f in bob.new_frames() if f["type"] == "presence"]
    assert [f["event"] for f in left] == ["leave", "leave"]
    assert left[-1]["memberCount"] == 1


def test_sign_out_removes_a_connection_found_gone_and_tells_its_room(optional):
    _signed_in_before(boto3.client("dynamodb"))
    laptop, vanished = optional.connect(authorizer=ada()), optional.connect(authorizer=ada())
    laptop.enter("lobby")
    vanished.enter("lobby")
    bob = optional.connect()
    bob.enter("lobby", "bob")
    vanished.drop()  # no $disconnect will come for it
    bob.new_frames()

    laptop.send({"action": "sign-out"})

    assert vanished.connection_id not in optional.connections_api.closed
    leave = bob.last("presence")
    assert (leave["event"], leave["username"]) == ("leave", "Ada")


def test_a_guest_cannot_sign_out(optional):
    guest = optional.connect()
    guest.enter("lobby", "bob")
    guest.new_frames()

    guest.send({"action": "sign-out"})

    error = guest.last("error")
    assert error["code"] == "not_signed_in"
    assert optional.connections_api.closed == []


def test_sign_out_when_sign_in_is_off_is_refused(backend):
    guest = backend.connect()
    guest.send({"action": "sign-out"})
    assert guest.last("error")["code"] == "not_signed_in"
    assert backend.connections_api.closed == []
