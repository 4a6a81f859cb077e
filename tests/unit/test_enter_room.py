"""on-enter-room: join, rename, move, history, the member cap."""

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from serverless_chat import limits
from tests.unit.conftest import CONNECTIONS_TABLE, MESSAGES_TABLE, ROOM_MEMBER_LIMIT


def test_the_first_entry_joins_and_gets_the_room(backend):
    ada = backend.connect()
    bob = backend.connect()
    ada.enter("lobby", "ada")

    room = bob.enter("lobby", "bob")

    assert room == {
        "type": "room",
        "roomId": "lobby",
        "username": "bob",
        "members": ["ada", "bob"],
        "history": [],
        "more": False,
    }
    assert ada.new_frames()[-1] == {
        "type": "presence",
        "event": "join",
        "username": "bob",
        "memberCount": 2,
    }


def test_an_empty_or_missing_name_gets_a_readable_default(backend):
    first = backend.connect().enter("lobby", "")
    second = backend.connect()
    second.send({"action": "on-enter-room", "groupId": "lobby"})

    assert re.fullmatch(r"guest-\d{4}", first["username"])
    assert re.fullmatch(r"guest-\d{4}", second.last("room")["username"])


def test_room_id_is_an_alias_of_group_id(backend):
    client = backend.connect()
    client.send({"action": "on-enter-room", "roomId": "kitchen", "username": "ada"})

    assert client.last("room")["roomId"] == "kitchen"


def test_entering_the_same_room_again_renames(backend):
    ada = backend.connect()
    bob = backend.connect()
    ada.enter("lobby", "")
    bob.enter("lobby", "bob")
    guest = ada.enter("lobby", "")["username"]  # an empty name again keeps the name it has
    ada.new_frames()

    room = ada.enter("lobby", "ada")

    assert room["username"] == "ada"
    assert room["members"] == ["ada", "bob"]
    assert bob.new_frames() == [
        {
            "type": "presence",
            "event": "rename",
            "username": "ada",
            "previousUsername": guest,
            "memberCount": 2,
        }
    ]


def test_entering_again_under_the_same_name_tells_nobody(backend):
    ada = backend.connect()
    bob = backend.connect()
    ada.enter("lobby", "ada")
    bob.enter("lobby", "bob")
    bob.new_frames()

    ada.enter("lobby", "ada")

    assert bob.new_frames() == []


def test_entering_another_room_moves_the_connection(backend):
    ada = backend.connect()
    old_friend = backend.connect()
    new_friend = backend.connect()
    ada.enter("lobby", "ada")
    old_friend.enter("lobby", "old")
    new_friend.enter("kitchen", "new")
    old_friend.new_frames()

    room = ada.enter("kitchen", "ada")

    assert room["members"] == ["ada", "new"]
    assert old_friend.new_frames() == [
        {"type": "presence", "event": "leave", "username": "ada", "memberCount": 1}
    ]
    assert new_friend.new_frames() == [
        {"type": "presence", "event": "join", "username": "ada", "memberCount": 2}
    ]
    old_friend.say("anyone?")
    assert ada.new_frames() == []


def test_history_is_the_last_fifty_messages_oldest_first(backend):
    writer = backend.connect()
    writer.enter("lobby", "writer")
    for number in range(1, 56):
        writer.say(f"message {number}")

    room = backend.connect().enter("lobby", "reader")

    history = room["history"]
    assert len(history) == limits.HISTORY_PAGE_SIZE
    assert [m["message"] for m in history] == [f"message {n}" for n in range(6, 56)]
    assert [m["seq"] for m in history] == list(range(6, 56))
    assert {m["type"] for m in history} == {"message"}
    assert room["more"] is True  # five older ones
    assert backend.connect().enter("kitchen", "reader")["more"] is False  # an empty room


def test_before_seq_pages_back_to_the_first_message(backend):
    writer = backend.connect()
    writer.enter("lobby", "writer")
    for number in range(1, 121):
        writer.say(f"message {number}")
    reader = backend.connect()
    bob = backend.connect()
    bob.enter("lobby", "bob")
    latest = reader.enter("lobby", "reader")
    bob.new_frames()

    seen = [m["seq"] for m in latest["history"]]
    while True:
        page = reader.enter("lobby", "reader", beforeSeq=seen[0])
        assert [m["seq"] for m in page["history"]] == sorted(m["seq"] for m in page["history"])
        seen = [m["seq"] for m in page["history"]] + seen
        if not page["more"]:
            break

    assert seen == list(range(1, 121))
    assert [f for f in bob.new_frames() if f["type"] == "presence"] == []  # pages tell nobody
    assert reader.enter("lobby", "reader", beforeSeq=1)["history"] == []


@pytest.mark.parametrize("before_seq", [0, -1, 1.5, "7", True, limits.MAX_SEQ + 1])
def test_before_seq_is_a_whole_number_from_one(backend, before_seq):
    reader = backend.connect()

    reader.send({"action": "on-enter-room", "groupId": "lobby", "beforeSeq": before_seq})

    assert reader.last("error")["code"] == "invalid_before_seq"


def test_before_seq_and_after_seq_together_are_refused(backend):
    reader = backend.connect()
    reader.send({"action": "on-enter-room", "groupId": "lobby", "afterSeq": 0, "beforeSeq": 5})
    assert reader.last("error")["code"] == "invalid_before_seq"


def test_history_shows_ones_own_messages_as_own(backend):
    guest_key = "YWRhcy1icm93c2VyLWtlZXBzLXRoaXM"
    ada = backend.connect()
    ada.enter("lobby", "ada", guestKey=guest_key)
    ada.say("mine")

    # A reload: a new connection, the same browser's guest key.
    again = backend.connect().enter("lobby", "ada", guestKey=guest_key)
    other = backend.connect().enter("lobby", "carol")

    assert again["history"][0]["isOwnMessage"] is True
    assert other["history"][0]["isOwnMessage"] is False


def test_after_seq_pages_forward_until_the_gap_is_filled(backend):
    writer = backend.connect()
    writer.enter("lobby", "writer")
    for number in range(1, 121):
        writer.say(f"message {number}")
    reader = backend.connect()

    seen = []
    after = 7
    while True:
        page = reader.enter("lobby", "reader", afterSeq=after)
        seen += [m["seq"] for m in page["history"]]
        if not page["more"]:
            break
        after = page["history"][-1]["seq"]

    assert seen == list(range(8, 121))


def test_after_seq_up_to_the_rooms_last_seq_is_read_and_beyond_it_refused(backend):
    writer = backend.connect()
    writer.enter("lobby", "writer")
    for number in range(1, 4):
        writer.say(f"message {number}")
    reader = backend.connect()

    up_to_date = reader.enter("lobby", "reader", afterSeq=3)
    assert (up_to_date["history"], up_to_date["more"]) == ([], False)
    reader.send({"action": "on-enter-room", "groupId": "lobby", "afterSeq": 4})
    [error] = reader.new_frames()
    assert error["code"] == "invalid_after_seq"
    assert "seq 3" in error["message"]
    assert writer.new_frames()[-1]["event"] == "join"  # the first entry's, not another

    newcomer = backend.connect()
    newcomer.send({"action": "on-enter-room", "groupId": "lobby", "afterSeq": 4})
    assert newcomer.new_frames()[0]["code"] == "invalid_after_seq"
    assert writer.new_frames() == []  # refused before entering: nobody told of a join
    assert [m["seq"] for m in newcomer.enter("lobby", "")["history"]] == [1, 2, 3]


def test_history_of_long_multibyte_messages_fits_in_one_post(backend):
    writer = backend.connect()
    writer.enter("lobby", "writer")
    for _ in range(30):
        writer.say("字" * limits.MAX_MESSAGE_LENGTH)  # 3 bytes each in UTF-8
    reader = backend.connect()

    reader.enter("lobby", "reader")

    raw = backend.connections_api.received[reader.connection_id][-1]
    assert len(raw) <= limits.MAX_POST_BYTES
    assert "字".encode() in raw  # sent as UTF-8, not \\u escapes
    history = reader.frames()[-1]["history"]
    assert 10 < len(history) < 30
    assert history[-1]["seq"] == 30  # the newest are kept


def test_a_full_room_refuses_one_more_member(backend):
    for number in range(ROOM_MEMBER_LIMIT):
        backend.connect().enter("lobby", f"member{number}")
    late = backend.connect()

    late.send({"action": "on-enter-room", "groupId": "lobby", "username": "late"})

    error = late.last("error")
    assert error["code"] == "room_full"
    late.send({"action": "on-message", "message": "hello?"})
    assert late.last("error")["code"] == "not_in_room"


def full_room(backend, room="lobby"):
    members = [backend.connect() for _ in range(ROOM_MEMBER_LIMIT)]
    for number, member in enumerate(members):
        member.enter(room, f"member{number}")
    return members


@pytest.mark.filterwarnings("ignore:No application metrics to publish")  # threads share Metrics
def test_concurrent_joins_take_no_more_places_than_the_room_has(backend, atomic_dynamodb):
    backend.tick_seconds = 0
    joiners = [backend.connect() for _ in range(5 * ROOM_MEMBER_LIMIT)]
    start = threading.Barrier(len(joiners))

    def join(number_and_client):
        number, client = number_and_client
        start.wait()
        client.send({"action": "on-enter-room", "groupId": "lobby", "username": f"j{number}"})
        [answer] = [f for f in client.new_frames() if f["type"] in ("room", "error")]
        return answer

    with ThreadPoolExecutor(len(joiners)) as pool:
        answers = list(pool.map(join, enumerate(joiners)))

    rooms = [a for a in answers if a["type"] == "room"]
    assert len(rooms) == ROOM_MEMBER_LIMIT
    assert {a["code"] for a in answers if a["type"] == "error"} == {"room_full"}
    observer = backend.connect()
    observer.send({"action": "on-enter-room", "groupId": "lobby", "username": "late"})
    assert observer.last("error")["code"] == "room_full"
    # Every admitted joiner is in the room, and only they are.
    member = next(c for c, a in zip(joiners, answers, strict=True) if a["type"] == "room")
    assert set(member.enter("lobby", "")["members"]) == {a["username"] for a in rooms}


def test_a_place_left_without_a_disconnect_is_counted_again(backend):
    members = full_room(backend)
    gone = members[0]
    boto3.client("dynamodb").delete_item(  # its $disconnect never came; TTL removed it
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": gone.connection_id}}
    )

    newcomer = backend.connect()
    room = newcomer.enter("lobby", "newcomer")
    assert "newcomer" in room["members"]
    assert len(room["members"]) == ROOM_MEMBER_LIMIT
    another = backend.connect()
    another.send({"action": "on-enter-room", "groupId": "lobby", "username": "another"})
    assert another.last("error")["code"] == "room_full"  # the repaired count holds


def test_leaving_gives_the_place_back(backend):
    members = full_room(backend)
    members[0].disconnect()
    members[1].enter("kitchen", "mover")  # a move leaves its place too

    first, second = backend.connect(), backend.connect()
    assert first.enter("lobby", "first")["username"] == "first"
    assert second.enter("lobby", "second")["username"] == "second"
    third = backend.connect()
    third.send({"action": "on-enter-room", "groupId": "lobby", "username": "third"})
    assert third.last("error")["code"] == "room_full"


def test_a_move_into_a_full_room_leaves_the_mover_where_it_was(backend):
    members = full_room(backend)
    mover, friend = backend.connect(), backend.connect()
    mover.enter("kitchen", "mover")
    friend.enter("kitchen", "friend")
    for member in members:
        member.new_frames()

    mover.send({"action": "on-enter-room", "groupId": "lobby", "username": "mover"})

    assert mover.last("error")["code"] == "room_full"
    assert all(member.new_frames() == [] for member in members)  # no join was told
    assert friend.new_frames() == []  # nor a leave
    mover.say("still in the kitchen")
    assert friend.frames()[-1]["message"] == "still in the kitchen"


def test_a_member_of_a_full_room_can_still_rename(backend):
    members = full_room(backend)

    assert members[0].enter("lobby", "renamed")["username"] == "renamed"


def test_renames_and_moves_are_at_most_three_in_thirty_seconds(backend):
    backend.tick_seconds = 0  # a burst: every frame at the same instant
    ada, bob = backend.connect(), backend.connect()
    ada.enter("lobby", "ada")  # a first entry is free
    bob.enter("lobby", "bob")
    for name in ("ada-1", "ada-2"):
        assert ada.enter("lobby", name)["username"] == name  # renames
    assert ada.enter("kitchen", "ada-2")["roomId"] == "kitchen"  # a move: the third
    bob.new_frames()

    ada.send({"action": "on-enter-room", "groupId": "lobby", "username": "ada-3"})

    refusal = ada.last("error")
    assert refusal["code"] == "rate_limited"
    assert refusal["retryAfterMs"] == 30_000
    assert bob.new_frames() == []  # nobody was told anything
    ada.say("still in the kitchen as ada-2")
    assert ada.frames()[-1]["username"] == "ada-2"
    assert ada.frames()[-1]["roomId"] == "kitchen"

    backend.clock.shift(29.9)
    ada.send({"action": "on-enter-room", "groupId": "lobby", "username": "ada-3"})
    assert ada.last("error")["retryAfterMs"] == 100
    backend.clock.shift(0.1)
    assert ada.enter("lobby", "ada-3")["username"] == "ada-3"  # one token back after 30 s
    ada.send({"action": "on-enter-room", "groupId": "lobby", "username": "ada-4"})
    assert ada.last("error")["code"] == "rate_limited"  # and only one: 3 in any 30 s


def test_entering_again_unchanged_costs_no_rename_token(backend):
    backend.tick_seconds = 0
    ada = backend.connect()
    for _ in range(10):
        assert ada.enter("lobby", "ada")["username"] == "ada"
    for name in ("a1", "a2", "a3"):
        assert ada.enter("lobby", name)["username"] == name


def test_a_renaming_flood_costs_the_room_three_broadcasts(backend):
    backend.tick_seconds = 0
    flooder, *bystanders = [backend.connect() for _ in range(ROOM_MEMBER_LIMIT)]
    flooder.enter("lobby", "flooder")
    for number, bystander in enumerate(bystanders):
        bystander.enter("lobby", f"bystander-{number}")
    for bystander in bystanders:
        bystander.new_frames()

    for number in range(100):
        flooder.send({"action": "on-enter-room", "groupId": "lobby", "username": f"f{number}"})

    for bystander in bystanders:  # 3 renames each, not 100
        renames = [f for f in bystander.new_frames() if f["event"] == "rename"]
        assert [f["username"] for f in renames] == ["f0", "f1", "f2"]
    codes = [f["code"] for f in flooder.new_frames() if f["type"] == "error"]
    assert codes == ["rate_limited"] * (limits.REFUSAL_BURST + 1)  # then closed
    assert backend.connections_api.closed == [flooder.connection_id]
    bystanders[0].say("we are still served")
    assert [f["message"] for f in bystanders[1].new_frames()] == ["we are still served"]


def test_entries_that_change_nothing_are_at_most_ten_then_one_a_second(backend):
    backend.tick_seconds = 0
    ada, bob = backend.connect(), backend.connect()
    ada.enter("lobby", "ada")  # a first entry takes the first token
    bob.enter("lobby", "bob")
    ada.say("hello")
    for _ in range(limits.REPLY_BURST - 1):  # a page of history each
        ada.send({"action": "on-enter-room", "groupId": "lobby", "afterSeq": 0})
        assert ada.last("room")["history"][0]["message"] == "hello"
    bob.new_frames()

    ada.send({"action": "on-enter-room", "groupId": "lobby", "afterSeq": 0})

    refusal = ada.last("error")
    assert refusal["code"] == "rate_limited"
    assert refusal["retryAfterMs"] == limits.REPLY_INTERVAL_SECONDS * 1000
    assert bob.new_frames() == []
    backend.clock.shift(limits.REPLY_INTERVAL_SECONDS)
    assert ada.enter("lobby", "ada")["members"] == ["ada", "bob"]
    assert ada.enter("lobby", "ada-renamed")["username"] == "ada-renamed"  # renames: own budget


def test_a_paging_flood_reads_the_room_ten_times_and_is_closed(backend, dynamodb_answers):
    backend.tick_seconds = 0
    flooder, bystander = backend.connect(), backend.connect()
    flooder.enter("lobby", "flooder")  # the first token
    bystander.enter("lobby", "bystander")
    bystander.say("hello")
    queries = dynamodb_answers("Query")  # every Query from now on, answered by moto

    for _ in range(limits.REPLY_BURST - 1 + limits.REFUSAL_BURST + 1):
        flooder.send({"action": "on-enter-room", "groupId": "lobby", "afterSeq": 0})

    rooms = [f for f in flooder.new_frames() if f["type"] == "room"]
    assert len(rooms) == limits.REPLY_BURST - 1
    tables = [json.loads(query["body"])["TableName"] for query in queries]  # requests as sent
    # Per page answered, one Query of the members and two of the history (its timeline, and the
    # changes to its messages since afterSeq); none per refusal.
    assert tables.count(MESSAGES_TABLE) == 2 * (limits.REPLY_BURST - 1)
    assert tables.count(CONNECTIONS_TABLE) == limits.REPLY_BURST - 1
    assert backend.connections_api.closed == [flooder.connection_id]
    bystander.say("still served")
    assert [f["message"] for f in bystander.frames() if f["type"] == "message"][-1] == (
        "still served"
    )


# ---------------------------------------------------------------- names nobody can fake


def test_a_look_alike_of_a_members_name_is_refused_with_a_numbered_variant(backend):
    ada = backend.connect()
    ada.enter("lobby", "ada")
    ada.new_frames()

    for look_alike in ("\u0430da", "Ada", "\uff21\uff24\uff21"):  # Cyrillic a, capital, fullwidth
        impostor = backend.connect()
        impostor.send({"action": "on-enter-room", "groupId": "lobby", "username": look_alike})
        refusal = impostor.last("error")
        assert refusal["code"] == "name_taken"
        assert refusal["suggestedUsername"] == f"{look_alike} 2"
        assert '"ada"' in refusal["message"]
        assert ada.new_frames() == []  # nobody was told anything

    assert backend.connect().enter("lobby", "Ada 2")["members"] == ["ada", "Ada 2"]


def test_the_suggestion_is_a_number_nobody_in_the_room_looks_like(backend):
    for name in ("ada", "ada 2", "ada 3"):
        backend.connect().enter("lobby", name)
    newcomer = backend.connect()
    newcomer.send({"action": "on-enter-room", "groupId": "lobby", "username": "Ada"})
    assert newcomer.last("error")["suggestedUsername"] == "Ada 4"


def test_a_rename_or_a_move_onto_a_look_alike_is_refused_and_changes_nothing(backend):
    ada, bob = backend.connect(), backend.connect()
    ada.enter("lobby", "ada")
    bob.enter("kitchen", "bob")
    bob.enter("kitchen", "bob")
    ada.new_frames()

    bob.send({"action": "on-enter-room", "groupId": "kitchen", "username": "b0b"})  # own name
    assert bob.last("room")["username"] == "b0b"  # a variant of its own name is fine
    bob.send({"action": "on-enter-room", "groupId": "lobby", "username": "\u0430da"})
    assert bob.last("error")["code"] == "name_taken"
    bob.say("still in the kitchen")
    assert bob.frames()[-1]["roomId"] == "kitchen"
    assert ada.new_frames() == []

    ada.enter("lobby", "carol")
    ada.send({"action": "on-enter-room", "groupId": "lobby", "username": "CAROL"})
    assert ada.last("room")["username"] == "CAROL"  # alone with its own look-alike: fine


GUEST_KEY = "the-guest-key-of-adas-browser"
ANOTHER_KEY = "the-guest-key-of-someone-else"


def test_the_same_sender_takes_its_name_back_while_its_old_connection_lingers(backend):
    old_tab = backend.connect()
    old_tab.enter("lobby", "ada", guestKey=GUEST_KEY)  # and never closed: a reload or a dropped
    # network that API Gateway has not noticed yet (it keeps such a connection up to 10 minutes)

    reloaded = backend.connect()
    assert reloaded.enter("lobby", "ada", guestKey=GUEST_KEY)["username"] == "ada"
    assert backend.connect().enter("lobby", "Ada", guestKey=GUEST_KEY)["username"] == "Ada"


@pytest.mark.parametrize("other", [{"guestKey": ANOTHER_KEY}, {}], ids=["another-key", "keyless"])
def test_another_sender_meets_name_taken_even_for_the_exact_name(backend, other):
    ada = backend.connect()
    ada.enter("lobby", "ada", guestKey=GUEST_KEY)
    ada.new_frames()

    impostor = backend.connect()
    impostor.send({"action": "on-enter-room", "groupId": "lobby", "username": "ada", **other})

    refusal = impostor.last("error")
    assert refusal["code"] == "name_taken"
    assert refusal["suggestedUsername"] == "ada 2"
    assert ada.new_frames() == []


def test_a_name_nobody_in_the_room_uses_any_more_is_free_again(backend):
    ada = backend.connect()
    ada.enter("lobby", "ada", guestKey=GUEST_KEY)
    ada.enter("lobby", "ada lovelace", guestKey=GUEST_KEY)  # renamed away from "ada"
    backend.clock.shift(10)  # a name taken a moment ago is held: the room index lags behind

    assert backend.connect().enter("lobby", "ada", guestKey=ANOTHER_KEY)["username"] == "ada"
    again = backend.connect()
    again.send(
        {"action": "on-enter-room", "groupId": "lobby", "username": "ADA", "guestKey": GUEST_KEY}
    )
    assert again.last("error")["code"] == "name_taken"  # held by its new sender now


@pytest.mark.filterwarnings("ignore:No application metrics to publish")  # threads share Metrics
def test_two_senders_taking_one_name_at_once_cannot_both_have_it(backend, atomic_dynamodb):
    backend.tick_seconds = 0
    clients = [backend.connect() for _ in range(ROOM_MEMBER_LIMIT - 1)]
    start = threading.Barrier(len(clients))

    def take(number_and_client):
        number, client = number_and_client
        start.wait()
        client.send(
            {
                "action": "on-enter-room",
                "groupId": "lobby",
                "username": "ada",
                "guestKey": f"{GUEST_KEY}-{number}",
            }
        )
        [answer] = [f for f in client.new_frames() if f["type"] in ("room", "error")]
        return answer

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(take, enumerate(clients)))

    assert len([a for a in answers if a["type"] == "room"]) == 1
    assert {a["code"] for a in answers if a["type"] == "error"} == {"name_taken"}
