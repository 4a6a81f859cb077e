"""Many clients in several rooms, all sending at once; clients killed mid-stream and back."""

import time
import uuid
from collections import Counter
from typing import Any

from local_stack.stack import LocalStack
from tests.conftest import ChatSocket
from tests.load.conftest import (
    Clients,
    Frame,
    Process,
    collect,
    drain,
    left,
    messages,
    parallel,
    room_members,
    room_name,
    rounds,
    say,
    wait_for,
    wait_until_empty,
)

ROOMS = 5
MEMBERS = 10
MESSAGES_EACH = 4  # within the rate limit's burst of 20
MAX_SENDS = 4  # a message's first send and its resends after errors


def enter_rooms(clients: Clients, rooms: list[str]) -> dict[str, list[ChatSocket]]:
    members = {room: clients.open_many(MEMBERS) for room in rooms}
    entering = [(room, n, c) for room, cs in members.items() for n, c in enumerate(cs)]
    parallel(lambda entry: entry[2].enter(entry[0], f"user{entry[1]}"), entering)
    parallel(drain, [c for cs in members.values() for c in cs])  # the join frames
    return members


def failed(frame: Frame) -> bool:
    """An error the page shows next to its unsent messages: the chat's own (busy…) or API
    Gateway's when a function failed (which does not say for which message)."""
    return frame.get("type") == "error" or frame.get("message") == "Internal server error"


def send_as_the_page_does(client: ChatSocket, room: str, number: int) -> tuple[list[Frame], int]:
    """Send MESSAGES_EACH messages; resend those an error left unconfirmed, with the same
    clientMessageId, as the page's outbox does. Returns the frames received and the resends."""
    outbox = {str(uuid.uuid4()): f"{room}/user{number}/{k}" for k in range(MESSAGES_EACH)}
    frames: list[Frame] = []
    resent = 0
    unconfirmed = dict(outbox)
    for attempt in range(MAX_SENDS):
        for client_message_id, text in unconfirmed.items():
            message = {
                "action": "on-message",
                "message": text,
                "clientMessageId": client_message_id,
            }
            client.send(message)
        resent += len(unconfirmed) if attempt else 0
        start = len(frames)

        def answered(new: list[Frame], waiting: int = len(unconfirmed)) -> bool:
            confirmed = [m for m in messages(new) if m.get("clientMessageId") in outbox]
            return len(confirmed) + sum(map(failed, new)) >= waiting

        frames += collect(client, answered)
        confirmed = {m.get("clientMessageId") for m in messages(frames[start:])}
        unconfirmed = {c: t for c, t in unconfirmed.items() if c not in confirmed}
        if not unconfirmed:
            break
    return frames, resent


def one_round(clients: Clients, dynamodb: Any) -> tuple[float, int]:
    """Everyone sends at once and checks what it got; then everyone leaves at once. Returns the
    seconds until the rooms were empty again, and how many messages were resent."""
    rooms = [room_name() for _ in range(ROOMS)]
    members = enter_rooms(clients, rooms)
    sent: dict[str, set[str]] = {
        room: {f"{room}/user{n}/{k}" for n in range(MEMBERS) for k in range(MESSAGES_EACH)}
        for room in rooms
    }
    senders = [(room, n, c) for room, cs in members.items() for n, c in enumerate(cs)]
    expected = MEMBERS * MESSAGES_EACH

    def send_and_receive(entry: tuple[str, int, ChatSocket]) -> tuple[list[Frame], int]:
        room, number, client = entry
        frames, resent = send_as_the_page_does(client, room, number)
        frames += collect(client, lambda more: len(messages(frames + more)) >= expected)
        return messages(frames), resent

    outcomes = parallel(send_and_receive, senders)
    received = [got for got, _ in outcomes]
    resends = sum(resent for _, resent in outcomes)

    views: dict[str, list[list[tuple[int, str, str]]]] = {room: [] for room in rooms}
    for (room, number, client), got in zip(senders, received, strict=True):
        own = {m["message"].startswith(f"{room}/user{number}/") for m in got if m["isOwnMessage"]}
        assert own == {True}, f"user{number} in {room}: its own messages not marked as its own"
        ids = Counter(m["id"] for m in got)
        assert all(count == 1 for count in ids.values()), f"user{number} in {room}: a duplicate"
        assert {m["roomId"] for m in got} == {room}, "a message crossed rooms"
        assert {m["message"] for m in got} == sent[room], f"user{number} in {room}: lost"
        assert not messages(drain(client)), f"user{number} in {room}: more than its room's"
        views[room].append(sorted((m["seq"], m["id"], m["message"]) for m in got))
    for room, room_views in views.items():
        assert all(view == room_views[0] for view in room_views), f"{room}: views differ"

    clients.close_all()
    emptied = wait_until_empty(dynamodb, rooms)
    assert not any(room_members(dynamodb, room) for room in rooms), "connections left behind"
    return emptied, resends


def test_fifty_clients_in_five_rooms_all_sending_at_once(stack: LocalStack, dynamodb: Any):
    assert stack.gateway is not None
    gateway = Process(stack.gateway.pid)
    port = stack.options.websocket_port
    connections_before = gateway.sockets_on_port(port)
    start: tuple[float, int, int, int] | None = None
    count, emptied, resends = 0, 0.0, 0
    for _ in rounds():
        count += 1
        clients = Clients(stack)
        try:
            round_emptied, round_resends = one_round(clients, dynamodb)
            emptied, resends = max(emptied, round_emptied), resends + round_resends
        finally:
            clients.close_all()
        if start is None:  # measured once warm: workers started, buffers grown
            start = (gateway.rss_mib(), gateway.threads(), gateway.open_files(), gateway.children())
    assert start is not None
    connections_left = wait_for(lambda: gateway.sockets_on_port(port) <= connections_before)
    end = (gateway.rss_mib(), gateway.threads(), gateway.open_files(), gateway.children())
    say(
        f"{count} rounds of {ROOMS * MEMBERS} clients; data plane RSS {start[0]:.1f} -> "
        f"{end[0]:.1f} MiB, threads {start[1]} -> {end[1]}, open files {start[2]} -> {end[2]}, "
        f"workers {start[3]} -> {end[3]}, "
        f"client connections {connections_before} before, {gateway.sockets_on_port(port)} after; "
        f"rooms empty at most {emptied:.1f} s after everyone left; {resends} messages resent "
        "after an error"
    )
    assert connections_left, "the data plane holds connections of clients that left"
    assert end[1] <= start[1] + 2, "the data plane's threads grew"
    assert end[0] < 2 * start[0], "the data plane's memory grew"


STORM = 100
STAYERS = 2


def test_a_hundred_clients_leaving_one_room_at_once_are_each_announced_once(
    stack: LocalStack, dynamodb: Any
):
    clients = Clients(stack)
    try:
        room = room_name("storm")
        members = clients.open_many(STORM)
        for number, member in enumerate(members):  # one by one, as people arrive
            member.send({"action": "on-enter-room", "groupId": room, "username": f"u{number}"})
            member.recv_until("room", timeout=60)
        parallel(drain, members)  # a client that reads nothing cannot read its close frame
        stayers, leavers = members[:STAYERS], members[STAYERS:]
        leaving = {f"u{n}" for n in range(STAYERS, STORM)}

        started = time.monotonic()
        parallel(lambda c: c.close(), leavers)

        def all_left(frames: list[Frame]) -> bool:
            return set(left(frames)) >= leaving

        got = parallel(lambda s: collect(s, all_left) + drain(s), stayers)
        took = time.monotonic() - started
        for frames in got:
            assert sorted(left(frames)) == sorted(leaving), "a leaver not announced, or twice"
        assert len(room_members(dynamodb, room)) == STAYERS
        say(
            f"{STORM - STAYERS} of {STORM} clients left one room at once: announced in {took:.1f} s"
        )
    finally:
        clients.close_all()
