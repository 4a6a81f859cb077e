"""Blocking as the routes see it: the blocker stops receiving the blocked user's messages, live
and in history, in every room and after reconnects on either side; everyone else still gets
them; the blocked user is not told; unblocking undoes it."""

import pytest

from serverless_chat import limits
from tests.unit.rooms_support import ask, signed_in


@pytest.fixture
def lobby(chat):
    """Ada, bob and grace signed in, in the lobby, their entry frames read."""
    sockets = {handle: signed_in(chat, handle) for handle in ("ada", "bob", "grace")}
    for socket in sockets.values():
        socket.enter("lobby")
    for socket in sockets.values():
        socket.new_frames()
    return sockets


def messages(socket):
    return [f["message"] for f in socket.new_frames() if f["type"] == "message"]


def test_the_blocker_no_longer_receives_the_blocked_users_messages(chat, lobby):
    assert ask(lobby["ada"], "block-user", handle="Bob") == {"type": "blocked", "handle": "Bob"}

    confirmed = lobby["bob"].say("can anyone hear me")
    assert confirmed["type"] == "message"  # bob is not told: his own copy comes as ever
    assert messages(lobby["ada"]) == []
    assert messages(lobby["grace"]) == ["can anyone hear me"]
    lobby["grace"].say("grace to all")
    assert messages(lobby["ada"]) == ["grace to all"]
    assert messages(lobby["bob"]) == ["grace to all"]


def test_a_block_holds_across_rooms_and_reconnects_of_both(chat, lobby):
    ask(lobby["ada"], "block-user", handle="bob")
    bob_again, ada_again = signed_in(chat, "bob"), signed_in(chat, "ada")
    for socket in (bob_again, ada_again, lobby["grace"]):
        socket.enter("elsewhere")
        socket.new_frames()
    bob_again.say("from my phone, in another room")
    assert messages(ada_again) == []
    assert messages(lobby["grace"]) == ["from my phone, in another room"]


def test_the_blocked_users_messages_leave_the_blockers_history(chat, lobby):
    lobby["bob"].say("before the block")
    lobby["grace"].say("grace's")
    ask(lobby["ada"], "block-user", handle="bob")
    history = signed_in(chat, "ada").enter("lobby")["history"]
    assert [m["message"] for m in history] == ["grace's"]
    everyone = signed_in(chat, "grace").enter("lobby")["history"]
    assert [m["message"] for m in everyone] == ["before the block", "grace's"]


def test_the_blocker_lists_whom_they_block(chat, lobby):
    assert ask(lobby["ada"], "list-blocks") == {"type": "blocks", "handles": []}
    ask(lobby["ada"], "block-user", handle="grace")
    ask(lobby["ada"], "block-user", handle="BOB")
    assert ask(lobby["ada"], "list-blocks") == {"type": "blocks", "handles": ["bob", "grace"]}
    ask(lobby["ada"], "unblock-user", handle="grace")
    assert ask(lobby["ada"], "list-blocks")["handles"] == ["bob"]
    assert ask(lobby["bob"], "list-blocks")["handles"] == []  # bob is not told


def test_unblocking_restores_both(chat, lobby):
    ask(lobby["ada"], "block-user", handle="bob")
    lobby["bob"].say("while blocked")
    assert ask(lobby["ada"], "unblock-user", handle="bob")["type"] == "unblocked"
    lobby["bob"].say("after")
    assert messages(lobby["ada"]) == ["after"]
    history = signed_in(chat, "ada").enter("lobby")["history"]
    assert [m["message"] for m in history] == ["while blocked", "after"]


def test_blocking_is_for_signed_in_users_and_names_someone_else(chat, lobby):
    assert ask(lobby["ada"], "block-user", handle="ada")["code"] == "cannot_block"
    assert ask(lobby["ada"], "block-user", handle="nobody")["code"] == "unknown_handle"
    guest = chat.connect()
    guest.enter("lobby", "zoe")
    assert ask(guest, "block-user", handle="bob")["code"] == "not_signed_in"
    lobby["bob"].say("still to everyone")
    assert messages(guest) == ["still to everyone"]
    assert messages(lobby["ada"]) == ["still to everyone"]


def test_a_guest_is_never_left_out_by_a_block(chat, lobby):
    """A block names a handle; no guest can take a name that looks like one."""
    ask(lobby["ada"], "block-user", handle="bob")
    guest = chat.connect()
    guest.enter("lobby", "zoe")
    guest.new_frames()
    lobby["bob"].say("hello zoe")
    assert messages(guest) == ["hello zoe"]


def test_blocks_are_bounded(chat, lobby, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BLOCKED_USERS", 1)
    ask(lobby["ada"], "block-user", handle="bob")
    assert ask(lobby["ada"], "block-user", handle="bob")["type"] == "blocked"  # again: no more
    assert ask(lobby["ada"], "block-user", handle="grace")["code"] == "too_many_blocks"
    lobby["grace"].say("grace still heard")
    assert messages(lobby["ada"]) == ["grace still heard"]
