"""Clients killed mid-stream come back: `afterSeq` and paging fill their gap (more than the 50
messages of a room's history), and a resend with the same clientMessageId is stored once."""

import uuid
from collections import Counter

from tests.conftest import ChatSocket
from tests.load.conftest import (
    Clients,
    Frame,
    collect,
    drain,
    messages,
    parallel,
    room_name,
    rounds,
    say,
)

WRITERS = 6
VICTIMS = 3
PER_PHASE = 10  # each writer, before and after the victims vanish: 2 x 10, within the burst
SEEN_BEFORE_DROP = 5
MAX_PAGES = 100
HISTORY_PAGE = 50  # what one page of history holds

Member = tuple[int, ChatSocket]


def contiguous_prefix(seqs: set[int]) -> int:
    """The last seq up to which nothing is missing: what a client asks `afterSeq` for."""
    last = 0
    while last + 1 in seqs:
        last += 1
    return last


def write(room: str, writer: Member, phase: int) -> None:
    number, client = writer
    for k in range(PER_PHASE):
        client.send({"action": "on-message", "message": f"{room}/w{number}/{phase}/{k}"})


def send_own(room: str, client: ChatSocket, number: int, client_message_id: str) -> None:
    text = f"{room}/v{number}"
    client.send({"action": "on-message", "message": text, "clientMessageId": client_message_id})


def guest_key(number: int) -> str:
    """A victim's browser: the same guest key on every connection, as the page keeps it."""
    return f"victim-{number}-guest-key-0123456789"


def rejoin(
    clients: Clients, room: str, number: int, after_seq: int
) -> tuple[ChatSocket, list[Frame]]:
    """A new connection enters with afterSeq and pages on while `more` is true."""
    client = clients.open()
    pages: list[Frame] = []
    for _ in range(MAX_PAGES):
        client.send(
            {
                "action": "on-enter-room",
                "groupId": room,
                "username": f"v{number}",
                "guestKey": guest_key(number),
                "afterSeq": after_seq,
            }
        )
        page = client.recv_until("room", timeout=60)
        pages += page["history"]
        if not page["more"]:
            break
        after_seq = page["history"][-1]["seq"]
    return client, pages


def one_round(clients: Clients) -> int:
    """One room: writers write, victims vanish mid-stream and come back. Returns the pages the
    victims needed at most."""
    room = room_name("rejoin")
    writers: list[Member] = list(enumerate(clients.open_many(WRITERS)))
    victims: list[Member] = list(enumerate(clients.open_many(VICTIMS)))
    parallel(lambda w: w[1].enter(room, f"w{w[0]}"), writers)
    parallel(lambda v: v[1].enter(room, f"v{v[0]}", guest_key(v[0])), victims)
    parallel(drain, [c for _, c in writers + victims])
    own_ids = {number: str(uuid.uuid4()) for number, _ in victims}
    writer_total = WRITERS * PER_PHASE * 2
    total = writer_total + VICTIMS

    def killed_mid_stream(victim: Member) -> set[int]:
        number, client = victim
        got = collect(client, lambda frames: len(messages(frames)) >= SEEN_BEFORE_DROP)
        send_own(room, client, number, own_ids[number])
        client.drop()  # no close frame; its own message perhaps not even handled yet
        return {m["seq"] for m in messages(got)}

    def phase_one(entry: tuple[bool, Member]) -> set[int]:
        is_writer, member = entry
        if is_writer:
            write(room, member, 0)
            return set()
        return killed_mid_stream(member)

    entries = [(True, w) for w in writers] + [(False, v) for v in victims]
    seen_before = parallel(phase_one, entries)[WRITERS:]
    parallel(lambda w: write(room, w, 1), writers)

    def writers_done(frames: list[Frame]) -> bool:
        return sum("/w" in m["message"] for m in messages(frames)) >= writer_total

    live = parallel(lambda w: collect(w[1], writers_done), writers)

    def back(victim: Member) -> tuple[set[int], list[Frame], Frame, set[int]]:
        number, _ = victim
        before = set(range(1, contiguous_prefix(seen_before[number]) + 1))
        client, pages = rejoin(clients, room, number, max(before, default=0))
        send_own(room, client, number, own_ids[number])  # the offline queue resends it
        after = collect(client, lambda f: any(m.get("clientMessageId") for m in messages(f)))
        confirmed = next(m for m in messages(after) if m.get("clientMessageId"))
        known = before | {m["seq"] for m in pages + messages(after)}
        after += collect(client, lambda f: len(known | {m["seq"] for m in messages(f)}) >= total)
        return before, pages, confirmed, known | {m["seq"] for m in messages(after)}

    returned = parallel(back, victims)
    views = [
        messages(got + collect(w[1], lambda f, got=got: len(messages(got + f)) >= total))
        for got, w in zip(live, writers, strict=True)
    ]

    truth = {m["seq"]: m["id"] for m in views[0]}
    for view in views:
        assert Counter(m["id"] for m in view).most_common(1)[0][1] == 1, "a message twice"
        assert {m["seq"]: m["id"] for m in view} == truth, "two members saw different rooms"
    texts = Counter(m["message"] for m in views[0])
    assert len(truth) == total, "a message lost or stored twice"
    assert all(texts[f"{room}/v{number}"] == 1 for number, _ in victims), "a resend stored twice"
    assert all(count == 1 for count in texts.values())

    for (number, _), (before, pages, confirmed, known) in zip(victims, returned, strict=True):
        page_seqs = [m["seq"] for m in pages]
        assert len(page_seqs) == len(set(page_seqs)), f"v{number}: a message twice in the pages"
        assert before.isdisjoint(page_seqs), f"v{number}: the pages repeat what it had"
        assert all(truth[m["seq"]] == m["id"] for m in pages)
        assert known == set(truth), f"v{number}: its gap was not filled"
        assert (confirmed["clientMessageId"], confirmed["isOwnMessage"]) == (own_ids[number], True)
        assert truth[confirmed["seq"]] == confirmed["id"], f"v{number}: the resend was stored again"
        assert len(pages) > HISTORY_PAGE, f"v{number}: missed no more than one page"
    return max(len(pages) for _, pages, _, _ in returned)


def test_clients_killed_mid_stream_fill_their_gap_with_after_seq_and_resend_once(stack):
    count, most = 0, 0
    for _ in rounds():
        count += 1
        clients = Clients(stack)
        try:
            most = max(most, one_round(clients))
        finally:
            clients.close_all()
    say(f"rejoin: {count} rounds; a victim paged up to {most} missed messages")
