"""`@connections` failing for a while, members that are gone, and a DynamoDB table throttling the
send path: both faults injected by the data plane (/@faults), on whichever emulator runs."""

import time
from collections.abc import Iterator
from typing import Any

import pytest

from local_stack.stack import LocalStack
from tests.conftest import ChatSocket, dynamodb_of
from tests.load.conftest import (
    CONNECTIONS_TABLE,
    Clients,
    Frame,
    collect,
    drain,
    inject_faults,
    left,
    messages,
    parallel,
    room_members,
    room_name,
    rounds,
    say,
    throttle_table,
    wait_until_empty,
)

MEMBERS = 5
# The functions' botocore retries a post 5 times ({"max_attempts": 5} counts retries): 6 attempts.
RETRIES = 5
DYNAMODB_ATTEMPTS = 4  # the functions' DynamoDB client: botocore's "standard" mode, for DynamoDB
BACKOFF_S = 30.0  # its backoff between those attempts: at most 2 + 4 + 8 s


@pytest.fixture
def faults(stack: LocalStack) -> Any:
    yield lambda status, count: inject_faults(stack, status, count)
    inject_faults(stack, 500, 0)  # nothing left over for the next test


@pytest.fixture
def throttled(stack: LocalStack) -> Any:
    yield lambda operation, count: throttle_table(stack, operation, count)
    throttle_table(stack, "PutItem", 0)  # nothing left over for the next test


def clients_of(stack: LocalStack) -> Iterator[Clients]:
    """Clients whose leaving is over when the test ends: their posts take no injected fault."""
    opened = Clients(stack)
    yield opened
    opened.close_all()
    wait_until_empty(dynamodb_of(stack), opened.rooms)
    time.sleep(1)  # the last leave announcements


@pytest.fixture
def clients(stack: LocalStack) -> Iterator[Clients]:
    yield from clients_of(stack)


def room_of(clients: Clients, size: int, prefix: str) -> tuple[str, list[ChatSocket]]:
    room = room_name(prefix)
    clients.rooms.append(room)
    members = clients.open_many(size)
    for number, member in enumerate(members):  # one by one: each join is announced to the rest
        member.enter(room, f"m{number}")
    parallel(drain, members)
    return room, members


def texts(frames: list[Frame]) -> list[str]:
    return [m["message"] for m in messages(frames)]


@pytest.mark.parametrize("status", [429, 500])
def test_connections_answering_429_or_500_for_a_while_still_delivers_everything(
    clients: Clients, faults: Any, status: int
):
    room, members = room_of(clients, MEMBERS, f"faults{status}")
    sent, took = 0, 0.0
    for _ in rounds():
        for number, sender in enumerate(members):
            faults(status, RETRIES)
            text = f"{room}/{status}/{sent}/{number}"
            started = time.monotonic()
            sender.send({"action": "on-message", "message": text})
            got = parallel(lambda m, t=text: collect(m, lambda f: t in texts(f)), members)
            took = time.monotonic() - started
            assert all(texts(frames) == [text] for frames in got), "lost or sent twice"
            sent += 1
        assert all(texts(drain(m)) == [] for m in members), "a message arrived twice"
    say(
        f"@connections {status} x{RETRIES} before each of {sent} messages: all delivered "
        f"(the last one after {took:.1f} s)"
    )


def test_a_message_whose_posts_all_failed_is_still_in_the_room_after_a_rejoin(
    clients: Clients, faults: Any
):
    room, (sender, reader) = room_of(clients, 2, "undelivered")
    faults(500, 2 * (RETRIES + 1))  # every attempt of both posts fails

    sender.send({"action": "on-message", "message": "through in the end"})

    assert texts(drain(sender, quiet=2)) + texts(drain(reader, quiet=2)) == []
    reader.send({"action": "on-enter-room", "groupId": room, "username": "m1", "afterSeq": 0})
    history = reader.recv_until("room")["history"]
    assert [m["message"] for m in history] == ["through in the end"]


GHOSTS = 10
DROPPED = 3


def test_gone_members_are_removed_and_announced_once_and_the_rest_receive(
    clients: Clients, dynamodb: Any
):
    room, members = room_of(clients, MEMBERS + DROPPED, "gone")
    stayers, droppers = members[:MEMBERS], members[MEMBERS:]
    for number in range(GHOSTS):  # connections whose $disconnect never came
        dynamodb.put_item(
            TableName=CONNECTIONS_TABLE,
            Item={
                "connectionId": {"S": f"Ghost{number:03d}GoneAAA="},
                "roomId": {"S": room},
                "username": {"S": f"ghost{number}"},
                "expiresAt": {"N": "9999999999"},
            },
        )
    gone = {f"ghost{n}" for n in range(GHOSTS)} | {f"m{MEMBERS + n}" for n in range(DROPPED)}

    for dropper in droppers:
        dropper.drop()
    parallel(
        lambda s: s[1].send({"action": "on-message", "message": f"from m{s[0]}"}),
        list(enumerate(stayers[:2])),
    )

    def everything(frames: list[Frame]) -> bool:
        return len(messages(frames)) >= 2 and set(left(frames)) >= gone

    got = parallel(lambda s: collect(s, everything) + drain(s), stayers)
    for frames in got:
        assert sorted(texts(frames)) == ["from m0", "from m1"]
        assert sorted(left(frames)) == sorted(gone), (
            "a gone member not announced, or announced twice"
        )
    assert len(room_members(dynamodb, room)) == MEMBERS, "a gone member is still in the room"


@pytest.mark.parametrize(
    ("operation", "client_message_id"),
    [
        ("Query", "q-1"),  # reading the room's members
        ("PutItem", None),  # storing the message
        ("TransactWriteItems", "t-1"),  # storing the message with its clientMessageId
    ],
)
def test_a_throttled_table_gets_the_sender_busy_and_leaves_nothing_behind_until_a_resend(
    clients: Clients, throttled: Any, operation: str, client_message_id: str | None
):
    room, (ada, bob) = room_of(clients, 2, "throttled")
    frame = {"action": "on-message", "message": "not now", "clientMessageId": client_message_id}
    frame = {name: value for name, value in frame.items() if value is not None}

    throttled(operation, DYNAMODB_ATTEMPTS)  # every attempt of the SDK's
    ada.send(frame)
    error = ada.recv_until("error", timeout=BACKOFF_S)
    assert error["code"] == "busy"
    assert error.get("clientMessageId") == client_message_id
    assert messages(drain(bob)) == []

    late = clients.open()
    assert late.enter(room, "late")["history"] == []  # nothing was stored

    ada.send(frame)  # the table keeps up again: the resend goes through, once
    assert texts(collect(bob, lambda got: len(messages(got)) == 1)) == ["not now"]
    assert texts(late.enter(room, "late")["history"]) == ["not now"]
