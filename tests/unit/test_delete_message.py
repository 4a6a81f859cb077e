"""Deleting messages as the routes see it: one's own, or in a private room anyone's by its owner
or a moderator; the text gone from the table, the deletion under the room's next seq, every
member told, and a page that missed it sent it again after ``afterSeq``. Moderators' actions are
kept in the room the same way."""

import boto3
import pytest

from serverless_chat import limits
from tests.unit.conftest import MESSAGES_TABLE
from tests.unit.rooms_support import ask, private_room, signed_in

GUEST_KEY = "b25lLWJyb3dzZXJzLWd1ZXN0LWtleQ"


def delete(client, seq, **extra):
    """Send ``on-delete-message``; the last frame this client got back."""
    client.new_frames()
    client.send({"action": "on-delete-message", "seq": seq, **extra})
    return client.new_frames()[-1]


def stored_texts():
    """Every message text the messages table holds, whatever its partition."""
    items = boto3.client("dynamodb").scan(TableName=MESSAGES_TABLE)["Items"]
    return [item["message"]["S"] for item in items if "message" in item]


def test_a_sender_deletes_their_message_and_everyone_sees_it_gone(backend, pair):
    ada, bob = pair
    sent = ada.say("I should not have said that")
    bob.new_frames()

    deleted = delete(ada, sent["seq"])

    assert deleted == {
        "type": "delete",
        "roomId": "lobby",
        "seq": sent["seq"] + 1,
        "targetSeq": sent["seq"],
    }
    assert bob.new_frames() == [deleted]
    assert "I should not have said that" not in stored_texts()
    newcomer = backend.connect()
    (message,) = newcomer.enter("lobby", "newcomer")["history"]
    assert (message["seq"], message["message"], message["deleted"]) == (sent["seq"], "", True)
    assert "deletedBy" not in message


def test_someone_elses_message_in_a_public_room_is_refused_and_left_alone(backend, pair):
    ada, bob = pair
    sent = bob.say("mine")
    ada.new_frames()

    refused = delete(ada, sent["seq"])

    assert refused["code"] == "not_own_message"
    assert bob.new_frames() == []
    assert stored_texts() == ["mine"]


def test_the_same_browser_deletes_from_another_tab_and_a_keyless_client_cannot(backend):
    first_tab, second_tab, wscat = backend.connect(), backend.connect(), backend.connect()
    first_tab.enter("lobby", "ada", guestKey=GUEST_KEY)
    second_tab.enter("lobby", "ada", guestKey=GUEST_KEY)
    wscat.enter("lobby", "eve")
    first = first_tab.say("one")
    second = first_tab.say("two")

    assert delete(wscat, first["seq"])["code"] == "not_own_message"
    assert delete(second_tab, first["seq"])["type"] == "delete"
    wscat.say("mine")
    assert delete(wscat, second["seq"] + 2)["type"] == "delete"  # its own, after the deletion


@pytest.mark.parametrize("seq", [0, -1, "7", True, None, 1.5, limits.MAX_SEQ + 1])
def test_a_seq_that_is_no_seq_is_refused(backend, pair, seq):
    ada, bob = pair
    ada.say("kept")
    bob.new_frames()
    frame = {"action": "on-delete-message"} | ({} if seq is None else {"seq": seq})
    ada.send(frame)
    assert ada.last("error")["code"] == "invalid_seq"
    assert bob.new_frames() == []


def test_a_missing_message_a_change_and_a_deleted_one_are_unknown(backend, pair):
    ada, _ = pair
    sent = ada.say("once")
    assert delete(ada, sent["seq"] + 5)["code"] == "unknown_message"  # beyond the room
    deletion = delete(ada, sent["seq"])
    assert delete(ada, deletion["seq"])["code"] == "unknown_message"  # the deletion's own seq
    again = delete(ada, sent["seq"])
    assert again["code"] == "unknown_message"
    assert "deleted already" in again["message"]


def test_a_deletion_names_its_room_or_none(backend, pair):
    ada, _ = pair
    sent = ada.say("here")
    assert delete(ada, sent["seq"], groupId="elsewhere")["code"] == "room_mismatch"
    assert delete(ada, sent["seq"], groupId="lobby")["type"] == "delete"


def test_a_deletion_takes_a_token_of_the_senders_message_budget(backend, pair):
    ada, _ = pair
    backend.tick_seconds = 0
    sent = [ada.say(f"{n}") for n in range(limits.DEFAULT_RATE_LIMIT_BURST)]
    assert all(frame["type"] == "message" for frame in sent)
    refused = delete(ada, sent[0]["seq"])
    assert refused["code"] == "rate_limited"
    assert refused["retryAfterMs"] > 0
    assert sent[0]["message"] in stored_texts()


def test_a_busy_table_deletes_nothing(backend, pair, throttle):
    ada, bob = pair
    sent = ada.say("still here")
    bob.new_frames()
    throttle("TransactWriteItems")
    assert delete(ada, sent["seq"])["code"] == "busy"
    assert bob.new_frames() == []
    assert "still here" in stored_texts()


def test_a_page_back_after_a_deletion_gets_it_once_in_its_place(backend, pair):
    ada, bob = pair
    first = ada.say("first")
    bob.drop()  # offline from here
    ada.say("second")
    deletion = delete(ada, first["seq"])
    ada.say("third")

    back = backend.connect()
    room = back.enter("lobby", "bob again", afterSeq=first["seq"])

    assert [(m["seq"], m["message"]) for m in room["history"]] == [
        (first["seq"] + 1, "second"),
        (first["seq"] + 3, "third"),
    ]
    assert room["changes"] == [{**deletion, "type": "delete"}]
    seqs = sorted([m["seq"] for m in room["history"]] + [c["seq"] for c in room["changes"]])
    assert seqs == list(range(first["seq"] + 1, first["seq"] + 4))  # every seq once
    assert "changes" not in backend.connect().enter("lobby", "dee")  # the latest page: no changes


# ---------------------------------------------------------------- private rooms


@pytest.fixture
def room(chat):
    """Ada's private room, with bob (a moderator) and grace, each connected and entered."""
    room_id, sockets = private_room(chat, ("bob", "grace"))
    ask(sockets["ada"], "set-role", roomId=room_id, handle="bob", role="moderator")
    for socket in sockets.values():
        socket.new_frames()
    return room_id, sockets


def test_a_moderator_removes_a_members_message_and_the_room_sees_by_whom(chat, room):
    room_id, s = room
    sent = s["grace"].say("spam")
    s["ada"].new_frames()

    removed = delete(s["bob"], sent["seq"])

    assert (removed["targetSeq"], removed["by"]) == (sent["seq"], "bob")
    assert s["grace"].new_frames() == [removed]
    assert s["ada"].new_frames() == [removed]
    assert "spam" not in stored_texts()
    (message,) = signed_in(chat, "grace").enter(room_id)["history"]
    assert (message["deleted"], message["deletedBy"], message["message"]) == (True, "bob", "")


def test_a_member_deletes_their_own_message_only(chat, room):
    _, s = room
    owners = s["ada"].say("the owner's")
    own = s["grace"].say("mine")
    assert delete(s["grace"], owners["seq"])["code"] == "not_own_message"
    deleted = delete(s["grace"], own["seq"])
    assert "by" not in deleted


def test_a_muted_member_cannot_delete(chat, room):
    room_id, s = room
    sent = s["grace"].say("before the mute")
    ask(s["ada"], "mute-member", roomId=room_id, handle="grace", seconds=60)
    refused = delete(s["grace"], sent["seq"])
    assert refused["code"] == "muted"
    assert "before the mute" in stored_texts()


def test_moderators_actions_are_kept_in_the_room_in_their_place(chat, room):
    room_id, s = room
    first = s["grace"].say("hello")
    s["bob"].new_frames()
    ask(s["ada"], "mute-member", roomId=room_id, handle="grace", seconds=60)
    (muted,) = [f for f in s["bob"].new_frames() if f["type"] == "moderation"]
    assert muted["seq"] == first["seq"] + 1
    ask(s["ada"], "mute-member", roomId=room_id, handle="grace", seconds=0)
    after = s["bob"].say("and on")

    latest = signed_in(chat, "bob").enter(room_id)  # someone entering later sees them
    assert [m["message"] for m in latest["history"]] == ["hello", "and on"]
    assert [(c["seq"], c["action"]) for c in latest["changes"]] == [
        (first["seq"] - 1, "role_changed"),  # bob made a moderator, before anything was said
        (first["seq"] + 1, "muted"),
        (first["seq"] + 2, "unmuted"),
    ]
    assert latest["changes"][1] == muted
    assert after["seq"] == first["seq"] + 3

    back = signed_in(chat, "grace").enter(room_id, afterSeq=first["seq"])  # as does a page back
    assert [c["action"] for c in back["changes"]] == ["muted", "unmuted"]
    assert [m["message"] for m in back["history"]] == ["and on"]
