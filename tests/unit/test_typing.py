"""Typing as the route sees it: the room's other members are told who is typing, at most once a
``typingIntervalSeconds`` per connection, the rest dropped without an answer; never stored; not
to members who block the typer, not from a muted member, not in a room above its size limit."""

import dataclasses
import importlib
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from serverless_chat import limits
from tests.unit.conftest import MESSAGES_TABLE
from tests.unit.rooms_support import ask, private_room, signed_in

TYPING = {"action": "on-typing"}


def typing_frames(socket):
    return [frame for frame in socket.new_frames() if frame["type"] == "typing"]


def test_the_others_are_told_who_is_typing_until_when_and_the_typer_gets_nothing(backend, pair):
    ada, bob = pair
    sent_at = datetime.now(UTC)

    ada.send(TYPING)

    (typing,) = bob.new_frames()
    assert {key: typing[key] for key in ("type", "roomId", "username")} == {
        "type": "typing",
        "roomId": "lobby",
        "username": "ada",
    }
    expires_at = datetime.fromisoformat(typing["expiresAt"])
    assert expires_at - sent_at == timedelta(seconds=limits.TYPING_SHOWN_SECONDS)
    assert ada.new_frames() == []
    assert boto3.client("dynamodb").scan(TableName=MESSAGES_TABLE)["Items"] == []  # not stored
    assert [m["seq"] for m in backend.connect().enter("lobby", "cy")["history"]] == []


def test_at_most_one_an_interval_is_forwarded_and_the_rest_are_dropped_unanswered(backend, pair):
    ada, bob = pair
    backend.tick_seconds = 1.0  # the clock moves a second per frame
    for _ in range(limits.TYPING_INTERVAL_SECONDS):
        ada.send(TYPING)  # at 0 s, 1 s, 2 s: the first forwarded
    assert len(typing_frames(bob)) == 1
    assert ada.new_frames() == []  # dropped, not refused: no rate_limited
    ada.send(TYPING)  # at 3 s: the next interval
    assert len(typing_frames(bob)) == 1
    assert ada.say("typed")["type"] == "message"  # the message budget is its own


def test_a_typing_flood_is_dropped_unanswered_until_the_connection_is_closed(backend, pair):
    ada, bob = pair
    backend.tick_seconds = 0  # one instant: every frame after the first comes too soon
    for _ in range(limits.REFUSAL_BURST + 2):
        ada.send(TYPING)
    assert len(typing_frames(bob)) == 1
    assert ada.new_frames() == []
    assert backend.connections_api.closed == [ada.connection_id]  # as any flooder's


def test_each_connection_has_its_own_interval(backend, pair):
    ada, bob = pair
    backend.tick_seconds = 0
    ada.send(TYPING)
    bob.send(TYPING)
    assert [f["username"] for f in typing_frames(bob)] == ["ada"]
    assert [f["username"] for f in typing_frames(ada)] == ["bob"]


def test_typing_before_entering_a_room_is_refused_and_in_another_room_too(backend, pair):
    ada, bob = pair
    outsider = backend.connect()
    outsider.send(TYPING)
    assert outsider.new_frames()[-1]["code"] == "not_in_room"
    ada.send({**TYPING, "groupId": "elsewhere"})
    assert ada.new_frames()[-1]["code"] == "room_mismatch"
    ada.send({**TYPING, "roomId": "no room!"})
    assert ada.new_frames()[-1]["code"] == "invalid_room"
    assert typing_frames(bob) == []


def test_a_blocker_is_not_told_that_the_blocked_user_types(chat):
    sockets = {handle: signed_in(chat, handle) for handle in ("ada", "bob", "grace")}
    for socket in sockets.values():
        socket.enter("lobby")
    ask(sockets["ada"], "block-user", handle="bob")
    for socket in sockets.values():
        socket.new_frames()

    sockets["bob"].send(TYPING)

    assert typing_frames(sockets["ada"]) == []
    assert [f["username"] for f in typing_frames(sockets["grace"])] == ["bob"]


def test_a_muted_members_typing_is_dropped(chat):
    room_id, s = private_room(chat, ["bob", "grace"])
    ask(s["ada"], "mute-member", roomId=room_id, handle="bob", seconds=60)
    for socket in s.values():
        socket.new_frames()

    s["bob"].send(TYPING)

    assert s["bob"].new_frames() == []
    assert typing_frames(s["grace"]) == []
    s["grace"].send(TYPING)
    assert [f["username"] for f in typing_frames(s["bob"])] == ["grace"]


@pytest.fixture
def typing_room_size_limit():
    """Set the room size above which typing is not forwarded (TYPING_ROOM_SIZE_LIMIT)."""
    runtime = importlib.import_module("serverless_chat.runtime")
    rules = runtime._rules

    def set_limit(members: int) -> None:
        runtime._rules = dataclasses.replace(rules, typing_room_size_limit=members)

    yield set_limit
    runtime._rules = rules


def test_in_a_room_above_the_size_limit_typing_is_not_forwarded(backend, typing_room_size_limit):
    typing_room_size_limit(2)
    ada, bob, cy = (backend.connect() for _ in range(3))
    ada.enter("lobby", "ada")
    bob.enter("lobby", "bob")
    ada.send(TYPING)
    assert [f["username"] for f in typing_frames(bob)] == ["ada"]  # 2 members: told

    cy.enter("lobby", "cy")
    bob.new_frames(), ada.new_frames()
    backend.clock.shift(limits.TYPING_INTERVAL_SECONDS)
    ada.send(TYPING)
    assert typing_frames(bob) == []  # 3 members: not told
    assert typing_frames(cy) == []
    assert ada.new_frames() == []
