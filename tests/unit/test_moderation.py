"""Moderation of a private room as the routes see it: the owner and moderators mute and remove
members below them, the owner names moderators and hands the room over; each action is told to
the whole room; a bystander keeps being served."""

import pytest

from serverless_chat import limits
from tests.unit.rooms_support import ask, private_room, signed_in


@pytest.fixture
def room(chat):
    """Ada's private room with bob, grace and dee in it, each connected and entered."""
    return private_room(chat, ("bob", "grace", "dee"))


def told(socket):
    return [f for f in socket.new_frames() if f["type"] == "moderation"]


def test_a_muted_member_cannot_send_until_the_mute_ends_even_after_a_reconnect(chat, room):
    room_id, s = room
    s["ada"].send({"action": "mute-member", "roomId": room_id, "handle": "bob", "seconds": 60})
    for handle in ("ada", "bob", "grace"):
        (frame,) = told(s[handle])
        assert (frame["action"], frame["by"], frame["target"]) == ("muted", "ada", "bob")
        assert frame["until"].endswith("Z")

    refused = s["bob"].say("let me speak")
    assert refused["code"] == "muted"
    assert 0 < refused["retryAfterMs"] <= 60_000
    assert [f for f in s["grace"].new_frames() if f["type"] == "message"] == []
    again = signed_in(chat, "bob")  # a new socket: the mute holds
    again.enter(room_id)
    assert again.say("from my phone")["code"] == "muted"
    assert s["grace"].say("a bystander still talks")["type"] == "message"
    assert s["ada"].last("message")["message"] == "a bystander still talks"

    chat.clock.shift(61)
    assert s["bob"].say("back")["type"] == "message"


def test_unmute_lifts_a_mute_at_once(chat, room):
    room_id, s = room
    ask(s["ada"], "mute-member", roomId=room_id, handle="bob", seconds=600)
    assert ask(s["ada"], "mute-member", roomId=room_id, handle="bob", seconds=0)["action"] == (
        "unmuted"
    )
    assert s["bob"].say("free again")["type"] == "message"


def test_a_mute_holds_in_its_room_alone(chat, room):
    room_id, s = room
    ask(s["ada"], "mute-member", roomId=room_id, handle="bob", seconds=600)
    s["bob"].enter("lobby")
    assert s["bob"].say("in a public room")["type"] == "message"


def test_a_removed_member_is_told_closed_and_kept_out(chat, room):
    room_id, s = room
    s["ada"].send({"action": "remove-member", "roomId": room_id, "handle": "bob"})

    assert s["bob"].new_frames() == [{"type": "removed", "roomId": room_id, "by": "ada"}]
    assert s["bob"].connection_id in chat.connections_api.closed
    for handle in ("ada", "grace"):
        (frame,) = told(s[handle])
        assert (frame["action"], frame["target"]) == ("removed", "bob")
    chat.invoke("$disconnect", s["bob"].connection_id)  # API Gateway's, for the closed socket
    assert s["grace"].last("presence")["event"] == "leave"

    back = signed_in(chat, "bob")
    back.send({"action": "on-enter-room", "roomId": room_id})
    assert back.last("error")["code"] == "not_invited"
    assert ask(back, "list-rooms")["rooms"] == []
    assert s["grace"].say("still served")["type"] == "message"
    invite = ask(s["ada"], "create-invite", roomId=room_id)["code"]
    assert back.enter(room_id, invite=invite)["type"] == "room"  # invited again, a member again


def test_moderators_act_on_members_only_and_only_the_owner_names_them(chat, room):
    room_id, s = room
    assert ask(s["bob"], "mute-member", roomId=room_id, handle="grace", seconds=60)["code"] == (
        "not_moderator"
    )
    assert ask(s["bob"], "set-role", roomId=room_id, handle="bob", role="moderator")["code"] == (
        "not_room_owner"
    )
    made = ask(s["ada"], "set-role", roomId=room_id, handle="bob", role="moderator")
    assert (made["action"], made["role"]) == ("role_changed", "moderator")
    assert ask(s["bob"], "list-rooms")["rooms"] == [{"roomId": room_id, "role": "moderator"}]

    assert ask(s["bob"], "mute-member", roomId=room_id, handle="grace", seconds=60)["action"] == (
        "muted"
    )
    ask(s["ada"], "set-role", roomId=room_id, handle="grace", role="moderator")
    for target in ("grace", "ada", "bob"):  # another moderator, the owner, oneself
        refusal = ask(s["bob"], "remove-member", roomId=room_id, handle=target)
        assert refusal["code"] == "cannot_moderate"
    assert ask(s["bob"], "set-role", roomId=room_id, handle="dee", role="moderator")["code"] == (
        "not_room_owner"
    )
    assert ask(s["ada"], "remove-member", roomId=room_id, handle="grace")["action"] == "removed"


def test_the_owner_hands_the_room_over_and_stays_a_moderator(chat, room):
    room_id, s = room
    handed = ask(s["ada"], "hand-over", roomId=room_id, handle="grace")
    assert (handed["action"], handed["by"], handed["target"]) == ("handed_over", "ada", "grace")
    assert ask(s["grace"], "list-rooms")["rooms"] == [{"roomId": room_id, "role": "owner"}]
    assert ask(s["ada"], "list-rooms")["rooms"] == [{"roomId": room_id, "role": "moderator"}]
    assert ask(s["ada"], "create-invite", roomId=room_id)["code"] == "not_room_owner"
    assert ask(s["grace"], "create-invite", roomId=room_id)["type"] == "invite"
    assert ask(s["ada"], "remove-member", roomId=room_id, handle="grace")["code"] == (
        "cannot_moderate"
    )


def test_a_hand_over_stays_within_the_heirs_owned_rooms(chat, room, monkeypatch):
    room_id, s = room
    monkeypatch.setattr(limits, "MAX_OWNED_ROOMS", 1)
    ask(s["grace"], "create-room")
    refused = ask(s["ada"], "hand-over", roomId=room_id, handle="grace")
    assert refused["code"] == "too_many_rooms"
    assert ask(s["ada"], "list-rooms")["rooms"][0]["role"] == "owner"


def test_moderation_needs_a_member_target_and_members_of_the_room(chat, room):
    room_id, s = room
    eve = signed_in(chat, "eve")
    assert ask(s["ada"], "mute-member", roomId=room_id, handle="eve", seconds=60)["code"] == (
        "not_a_member"
    )
    assert ask(s["ada"], "remove-member", roomId=room_id, handle="nobody")["code"] == (
        "not_a_member"
    )
    assert ask(eve, "remove-member", roomId=room_id, handle="bob")["code"] == "not_invited"
    guest = chat.connect()
    assert ask(guest, "remove-member", roomId=room_id, handle="bob")["code"] == "not_signed_in"


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "mute-member", "seconds": -1},
        {"action": "mute-member", "seconds": limits.MAX_MUTE_SECONDS + 1},
        {"action": "mute-member", "seconds": "60"},
        {"action": "mute-member"},
        {"action": "set-role", "role": "owner"},
        {"action": "set-role", "role": None},
    ],
)
def test_a_malformed_moderation_frame_is_refused_and_changes_nothing(chat, room, fields):
    room_id, s = room
    s["ada"].send({"roomId": room_id, "handle": "bob", **fields})
    assert s["ada"].last("error")["code"] == "invalid_frame"
    assert told(s["grace"]) == []
    assert s["bob"].say("unchanged")["type"] == "message"
