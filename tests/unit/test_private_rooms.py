"""Private rooms as the routes see them: only members enter; an owner's invites and additions
make members; whoever is not a member gets ``not_invited`` and learns nothing of the room, not
even whether it exists."""

import re

import pytest

from serverless_chat import limits
from tests.unit.rooms_support import ask, signed_in

NOBODYS_ROOM = "~AAAAAAAAAAAAAAAAAAAAAA"


def new_room(chat, owner="ada"):
    """Ada's new private room, and her connection inside it."""
    ada = signed_in(chat, owner)
    created = ask(ada, "create-room")
    assert created["type"] == "room_created"
    room = ada.enter(created["roomId"])
    assert room["members"] == [owner]
    return created["roomId"], ada


def test_a_signed_in_user_creates_a_private_room_with_an_unguessable_id(chat):
    ada = signed_in(chat, "ada")
    first, second = ask(ada, "create-room"), ask(ada, "create-room")
    for created in (first, second):
        assert re.fullmatch(limits.PRIVATE_ROOM_ID_PATTERN, created["roomId"])
        assert re.fullmatch(limits.ROOM_ID_PATTERN, created["roomId"])
    assert first["roomId"] != second["roomId"]
    listed = ask(ada, "list-rooms")
    assert listed["type"] == "rooms"
    assert sorted(r["roomId"] for r in listed["rooms"]) == sorted(
        [first["roomId"], second["roomId"]]
    )
    assert {r["role"] for r in listed["rooms"]} == {"owner"}


def test_a_non_member_gets_not_invited_and_learns_nothing_not_even_whether_it_exists(chat):
    room_id, ada = new_room(chat)
    ada.say("our secret")
    ada.new_frames()
    bob, guest = signed_in(chat, "bob"), chat.connect()

    bob.send({"action": "on-enter-room", "roomId": room_id, "username": "bob"})
    (refused,) = bob.new_frames()
    bob.send({"action": "on-enter-room", "roomId": NOBODYS_ROOM, "username": "bob"})
    (refused_nowhere,) = bob.new_frames()
    guest.send({"action": "on-enter-room", "roomId": room_id, "username": "eve"})
    (refused_guest,) = guest.new_frames()

    assert refused["code"] == refused_nowhere["code"] == refused_guest["code"] == "not_invited"
    assert refused["message"].replace(room_id, "?") == refused_nowhere["message"].replace(
        NOBODYS_ROOM, "?"
    )
    assert "our secret" not in str([refused, refused_guest])
    assert ada.new_frames() == []  # no presence of the refused, no member list to them
    for action in ("list-invites", "create-invite"):
        assert ask(bob, action, roomId=room_id)["code"] == "not_invited"
        assert ask(bob, action, roomId=NOBODYS_ROOM)["code"] == "not_invited"
    assert ask(bob, "list-rooms")["rooms"] == []


def test_an_invite_makes_a_member_until_it_is_revoked(chat):
    room_id, ada = new_room(chat)
    ada.say("welcome")
    invite = ask(ada, "create-invite", roomId=room_id)
    assert invite["type"] == "invite"
    assert re.fullmatch(limits.INVITE_CODE_PATTERN, invite["code"])
    bob = signed_in(chat, "bob")

    room = bob.enter(room_id, invite=invite["code"])

    assert room["members"] == ["ada", "bob"]
    assert [m["message"] for m in room["history"]] == ["welcome"]
    assert ask(bob, "list-rooms")["rooms"] == [{"roomId": room_id, "role": "member"}]
    listed = ask(ada, "list-invites", roomId=room_id)
    assert [i["code"] for i in listed["invites"]] == [invite["code"]]

    left = ask(ada, "revoke-invite", roomId=room_id, code=invite["code"])
    assert left == {"type": "invites", "roomId": room_id, "invites": []}
    grace = signed_in(chat, "grace")
    grace.send({"action": "on-enter-room", "roomId": room_id, "invite": invite["code"]})
    assert grace.last("error")["code"] == "not_invited"
    again = signed_in(chat, "bob")  # a member stays one: no invite needed any more
    assert again.enter(room_id)["type"] == "room"
    assert ask(bob, "list-rooms")["rooms"] == [{"roomId": room_id, "role": "member"}]


def test_an_expired_invite_or_another_rooms_invite_lets_nobody_in(chat):
    room_id, ada = new_room(chat)
    other_room, _ = new_room(chat, owner="grace")
    short = ask(ada, "create-invite", roomId=room_id, expiresInSeconds=60)
    grace = signed_in(chat, "grace")
    other_invite = ask(grace, "create-invite", roomId=other_room)
    bob = signed_in(chat, "bob")

    bob.send({"action": "on-enter-room", "roomId": room_id, "invite": other_invite["code"]})
    assert bob.last("error")["code"] == "not_invited"
    chat.clock.shift(61)
    bob.send({"action": "on-enter-room", "roomId": room_id, "invite": short["code"]})
    assert bob.last("error")["code"] == "not_invited"
    assert ask(ada, "list-invites", roomId=room_id)["invites"] == []


def test_the_owner_adds_a_member_by_handle(chat):
    room_id, ada = new_room(chat)
    assert ask(ada, "add-member", roomId=room_id, handle="nobody")["code"] == "unknown_handle"
    added = ask(ada, "add-member", roomId=room_id, handle="Grace")
    assert added == {"type": "member_added", "roomId": room_id, "handle": "Grace"}
    grace = signed_in(chat, "grace")
    assert grace.enter(room_id)["members"] == ["ada", "grace"]
    assert ask(ada, "add-member", roomId=room_id, handle="grace")["type"] == "member_added"


def test_only_the_owner_manages_invites_and_members(chat):
    room_id, ada = new_room(chat)
    ask(ada, "add-member", roomId=room_id, handle="bob")
    bob = signed_in(chat, "bob")
    bob.enter(room_id)
    for action, fields in [
        ("create-invite", {}),
        ("list-invites", {}),
        ("revoke-invite", {"code": "A" * 22}),
        ("add-member", {"handle": "grace"}),
    ]:
        assert ask(bob, action, roomId=room_id, **fields)["code"] == "not_room_owner"


def test_guests_have_no_private_rooms(chat):
    room_id, _ = new_room(chat)
    guest = chat.connect()
    assert ask(guest, "create-room")["code"] == "not_signed_in"
    assert ask(guest, "list-rooms")["code"] == "not_signed_in"
    assert ask(guest, "create-invite", roomId=room_id)["code"] == "not_signed_in"


def test_with_sign_in_off_a_private_rooms_id_lets_nobody_in(backend):
    guest = backend.connect()
    guest.send({"action": "on-enter-room", "roomId": NOBODYS_ROOM, "username": "eve"})
    assert guest.last("error")["code"] == "not_invited"
    assert ask(guest, "create-room")["code"] == "not_signed_in"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"roomId": "lobby"}, "invalid_invite"),
        ({"roomId": "~short"}, "invalid_invite"),
        ({"expiresInSeconds": 59}, "invalid_invite"),
        ({"expiresInSeconds": limits.MAX_INVITE_LIFETIME_SECONDS + 1}, "invalid_invite"),
        ({"expiresInSeconds": "3600"}, "invalid_invite"),
        ({"expiresInSeconds": True}, "invalid_invite"),
    ],
)
def test_a_bad_invite_request_is_refused_with_its_reason(chat, fields, code):
    room_id, ada = new_room(chat)
    assert ask(ada, "create-invite", **{"roomId": room_id, **fields})["code"] == code
    assert ask(ada, "list-invites", roomId=room_id)["invites"] == []


def test_a_malformed_invite_code_on_entry_is_refused(chat):
    room_id, _ = new_room(chat)
    bob = signed_in(chat, "bob")
    bob.send({"action": "on-enter-room", "roomId": room_id, "invite": "x' OR 1=1"})
    assert bob.last("error")["code"] == "invalid_invite"


def test_owned_rooms_and_live_invites_are_bounded(chat, monkeypatch):
    monkeypatch.setattr(limits, "MAX_OWNED_ROOMS", 2)
    monkeypatch.setattr(limits, "MAX_INVITES_PER_ROOM", 2)
    room_id, ada = new_room(chat)
    assert ask(ada, "create-room")["type"] == "room_created"
    assert ask(ada, "create-room")["code"] == "too_many_rooms"
    assert len(ask(ada, "list-rooms")["rooms"]) == 2
    first = ask(ada, "create-invite", roomId=room_id, expiresInSeconds=60)
    ask(ada, "create-invite", roomId=room_id)
    assert ask(ada, "create-invite", roomId=room_id)["code"] == "too_many_invites"
    ask(ada, "revoke-invite", roomId=room_id, code=first["code"])
    assert ask(ada, "create-invite", roomId=room_id)["type"] == "invite"
