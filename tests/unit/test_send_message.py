"""on-message: stored first, then sent to every member of the sender's room — and nobody else."""

import importlib
import json
import threading
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.unit.conftest import (
    CONNECTIONS_TABLE,
    MESSAGES_TABLE,
    ROOM_INDEX,
    ROOM_MEMBER_LIMIT,
    transaction_cancelled,
)


def in_room(backend, room, *names):
    clients = []
    for name in names:
        client = backend.connect()
        client.enter(room, name)
        clients.append(client)
    for client in clients:
        client.new_frames()
    return clients


def stored_messages(room):
    response = boto3.client("dynamodb").query(
        TableName=MESSAGES_TABLE,
        KeyConditionExpression="roomId = :room AND seq > :zero",
        ExpressionAttributeValues={":room": {"S": room}, ":zero": {"N": "0"}},
    )
    return response["Items"]


def test_a_message_reaches_every_member_with_own_marked_for_the_sender(backend):
    ada, bob, carol = in_room(backend, "lobby", "ada", "bob", "carol")

    own = ada.say("hello <b>world</b> 😀")

    assert own == {
        "type": "message",
        "id": own["id"],
        "roomId": "lobby",
        "seq": 1,
        "message": "hello <b>world</b> 😀",
        "username": "ada",
        "isOwnMessage": True,
        "sentAt": "2026-11-26T10:00:06.000Z",
    }
    for other in (bob, carol):
        assert other.new_frames() == [{**own, "isOwnMessage": False}]


def test_a_message_is_stored_before_it_is_sent(backend):
    (ada,) = in_room(backend, "lobby", "ada")

    sent = ada.say("kept")

    [item] = stored_messages("lobby")
    assert item["message"] == {"S": "kept"}
    assert item["seq"] == {"N": str(sent["seq"])}
    assert item["id"] == {"S": sent["id"]}
    assert "expiresAt" in item


def test_a_message_never_reaches_another_room(backend):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    (stranger,) = in_room(backend, "kitchen", "stranger")

    ada.say("lobby only")
    stranger.say("kitchen only")

    assert [f["message"] for f in bob.new_frames()] == ["lobby only"]
    assert [f["message"] for f in stranger.frames() if f["type"] == "message"] == ["kitchen only"]


def test_the_room_is_the_one_the_server_holds_not_the_one_the_client_names(backend):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    (stranger,) = in_room(backend, "kitchen", "stranger")

    ada.send({"action": "on-message", "message": "sneaky", "groupId": "kitchen"})

    error = ada.last("error")
    assert error["code"] == "room_mismatch"
    assert stranger.new_frames() == []
    assert bob.new_frames() == []
    assert stored_messages("kitchen") == []
    assert stored_messages("lobby") == []


def test_group_id_may_be_left_out(backend):
    ada, bob = in_room(backend, "lobby", "ada", "bob")

    ada.send({"action": "on-message", "message": "no room named"})

    assert bob.new_frames()[0]["message"] == "no room named"


def test_a_connection_in_no_room_gets_an_error(backend):
    loner = backend.connect()

    loner.send({"action": "on-message", "message": "hello?", "groupId": "lobby"})

    assert loner.last("error")["code"] == "not_in_room"
    assert stored_messages("lobby") == []


def test_seq_increases_by_one_per_message_in_each_room(backend):
    (ada,) = in_room(backend, "lobby", "ada")
    (bob,) = in_room(backend, "kitchen", "bob")

    lobby = [ada.say(f"l{n}")["seq"] for n in range(3)]
    kitchen = [bob.say(f"k{n}")["seq"] for n in range(2)]

    assert lobby == [1, 2, 3]
    assert kitchen == [1, 2]


# The threads share one module's Metrics, which Lambda never does (one invocation at a time
# per execution environment): one flush may leave another with nothing to publish.
@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_seq_is_unique_and_increasing_under_concurrent_senders(backend, atomic_dynamodb):
    senders = in_room(backend, "lobby", *[f"sender{n}" for n in range(ROOM_MEMBER_LIMIT)])
    start = threading.Barrier(len(senders))

    def send_five(client):
        start.wait()
        for number in range(6):
            client.send({"action": "on-message", "message": f"{client.connection_id} {number}"})

    threads = [threading.Thread(target=send_five, args=(client,)) for client in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    seqs = sorted(int(item["seq"]["N"]) for item in stored_messages("lobby"))
    assert seqs == list(range(1, 6 * ROOM_MEMBER_LIMIT + 1))
    for client in senders:  # and every member received each once
        received = [f["seq"] for f in client.frames() if f["type"] == "message"]
        assert sorted(received) == seqs
    # Each sender's own messages got increasing seqs, in the order it sent them.
    for client in senders:
        own = [f for f in client.frames() if f["type"] == "message" and f["isOwnMessage"]]
        assert [f["message"].split()[-1] for f in sorted(own, key=lambda f: f["seq"])] == [
            str(n) for n in range(6)
        ]


def test_a_resent_client_message_id_is_stored_and_sent_once(backend):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    frame = {"action": "on-message", "message": "once", "clientMessageId": "7f9c-01"}

    first = ada.say(
        **{k: v for k, v in frame.items() if k not in ("action", "message")}, text="once"
    )
    ada.send(frame)  # the page resends after a reconnect
    confirmation = ada.new_frames()

    assert first["clientMessageId"] == "7f9c-01"
    assert confirmation == [first]
    assert [f["message"] for f in bob.new_frames()] == ["once"]
    assert len(stored_messages("lobby")) == 1


def test_a_resend_from_a_new_connection_after_a_reconnect_is_stored_once(backend):
    guest_key = "Zm9yLXRoZS1yZWxvYWQtdGVzdA"  # one browser's, kept across the reload
    ada, bob = backend.connect(), backend.connect()
    ada.enter("lobby", "ada", guestKey=guest_key)
    bob.enter("lobby", "bob")
    bob.new_frames()
    first = ada.say("once", clientMessageId="5e1d-02")
    ada.drop()
    again = backend.connect()
    again.enter("lobby", "ada", afterSeq=first["seq"], guestKey=guest_key)

    repeated = again.say("once", clientMessageId="5e1d-02")

    assert repeated["seq"] == first["seq"]
    assert repeated["id"] == first["id"]
    assert len(stored_messages("lobby")) == 1
    assert [f["message"] for f in bob.new_frames() if f["type"] == "message"] == ["once"]


def test_a_burst_beyond_the_rate_limit_is_refused_then_allowed_again(backend):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    backend.tick_seconds = 0  # everything at the same instant

    for number in range(20):  # the default burst
        ada.send({"action": "on-message", "message": f"m{number}"})
    ada.send({"action": "on-message", "message": "one too many", "clientMessageId": "c-21"})

    error = ada.last("error")
    assert error["code"] == "rate_limited"
    assert error["clientMessageId"] == "c-21"
    assert len([f for f in bob.new_frames() if f["type"] == "message"]) == 20

    backend.clock.shift(0.2)  # one interval at 5 messages a second
    assert ada.say("allowed again")["type"] == "message"
    ada.send({"action": "on-message", "message": "but only one"})
    assert ada.last("error")["code"] == "rate_limited"


def test_a_burst_takes_one_conditional_update_per_message_once_it_is_a_burst(
    backend, dynamodb_answers
):
    """The idle and busy conditions of the rate bucket exclude each other: the one that held
    last for the sender is tried first, so only the change from idle to busy costs a second."""
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    backend.tick_seconds = 0  # a burst: everything at the same instant
    ada.say("the bucket was idle")  # whatever this function saw of ada's bucket before
    bob.new_frames()
    updates = dynamodb_answers("UpdateItem")  # every UpdateItem from now on, answered by moto

    for number in range(10):
        ada.send({"action": "on-message", "message": f"m{number}"})

    assert len([f for f in bob.new_frames() if f["type"] == "message"]) == 10
    tables = [json.loads(call["body"])["TableName"] for call in updates]  # requests as sent
    on_the_bucket = [table for table in tables if table == CONNECTIONS_TABLE]
    # The first of the burst tries idle, then busy; the nine after it, busy at once.
    assert len(on_the_bucket) == 10 + 1


def test_a_send_racing_another_of_the_same_connection_is_still_allowed(backend):
    """The bursting sender's first try (busy) finds the bucket idle; before its second (idle)
    lands, another send of the connection takes the bucket busy: a third try decides."""
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    backend.tick_seconds = 0
    ada.say("one")
    ada.say("two")  # a burst: this function now tries busy first for ada
    backend.clock.shift(10)  # ada's bucket is idle again
    bob.new_frames()
    events = importlib.import_module("serverless_chat.runtime").dynamodb.meta.events
    calls: list[str] = []

    def another_send_first(params: dict[str, Any], **_: Any) -> None:
        if json.loads(params["body"])["TableName"] != CONNECTIONS_TABLE:
            return
        calls.append("update")
        if len(calls) == 2:  # between the first try and the second, the other send lands
            other = boto3.client("dynamodb")
            now_ms = int(time.time() * 1000)
            other.update_item(
                TableName=CONNECTIONS_TABLE,
                Key={"connectionId": {"S": ada.connection_id}},
                UpdateExpression="SET tat = :tat",
                ExpressionAttributeValues={":tat": {"N": str(now_ms + 200)}},
            )

    events.register("before-call.dynamodb.UpdateItem", another_send_first)
    try:
        reply = ada.say("three")
    finally:
        events.unregister("before-call.dynamodb.UpdateItem", another_send_first)

    assert reply["type"] == "message"
    assert [f["message"] for f in bob.new_frames() if f["type"] == "message"] == ["three"]
    assert len(calls) == 3


def test_a_gone_recipient_is_removed_and_the_room_told_it_left(backend):
    ada, bob, carol = in_room(backend, "lobby", "ada", "bob", "carol")
    bob.drop()

    ada.say("who is still here?")

    assert [f["type"] for f in carol.new_frames()] == ["message", "presence"]
    assert carol.frames()[-1] == {
        "type": "presence",
        "event": "leave",
        "username": "bob",
        "memberCount": 2,
    }
    dynamodb = boto3.client("dynamodb")
    removed = dynamodb.get_item(
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": bob.connection_id}}
    )
    kept = dynamodb.get_item(
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": ada.connection_id}}
    )
    assert "Item" not in removed
    assert "Item" in kept  # the sender stays: only the gone recipient is removed


def test_many_gone_members_cost_one_leave_post_per_remaining_member(backend):
    # A full room of 6, 3 of them gone: the message reaches all 6 (3 answer 410), and each of
    # the 3 who remain gets ONE leave naming all 3: 6 + 3 posts, not 6 + 3 x 3 (at N members
    # and K gone, N + K instead of N + N x K).
    names = [f"member-{n}" for n in range(ROOM_MEMBER_LIMIT)]
    clients = in_room(backend, "crowd", *names)
    staying, gone = clients[:3], clients[3:]
    for client in gone:
        client.drop()
    attempts_before = sum(backend.connections_api.attempts.values())

    staying[0].say("who is still here?")

    assert sum(backend.connections_api.attempts.values()) - attempts_before == 6 + 3
    for client in staying:
        message, leave = client.frames()[-2:]
        assert message["message"] == "who is still here?"
        assert sorted(leave.pop("usernames")) == names[3:]
        assert leave["username"] in names[3:]
        assert leave == {**leave, "type": "presence", "event": "leave", "memberCount": 3}
    members = boto3.client("dynamodb").query(
        TableName=CONNECTIONS_TABLE,
        IndexName=ROOM_INDEX,
        KeyConditionExpression="roomId = :room",
        ExpressionAttributeValues={":room": {"S": "crowd"}},
    )["Items"]
    assert sorted(m["connectionId"]["S"] for m in members) == sorted(
        c.connection_id for c in staying
    )


def test_one_failing_recipient_does_not_stop_the_others(backend):
    ada, bob, carol = in_room(backend, "lobby", "ada", "bob", "carol")
    backend.connections_api.failures[bob.connection_id] = [403]
    attempts_before = backend.connections_api.attempts[bob.connection_id]

    ada.say("still delivered")

    assert [f["message"] for f in carol.new_frames()] == ["still delivered"]
    assert bob.new_frames() == []
    # 403 is never retried
    assert backend.connections_api.attempts[bob.connection_id] == attempts_before + 1
    ada.say("bob is still a member")
    assert [f["message"] for f in bob.new_frames()] == ["bob is still a member"]


@pytest.mark.parametrize("status", [429, 500])
def test_a_throttled_or_failing_post_is_retried_until_delivered(backend, status):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    backend.connections_api.failures[bob.connection_id] = [status]
    attempts_before = backend.connections_api.attempts[bob.connection_id]

    ada.say("eventually")

    assert [f["message"] for f in bob.new_frames()] == ["eventually"]
    assert backend.connections_api.attempts[bob.connection_id] == attempts_before + 2


def test_the_room_counter_expires_with_the_rooms_newest_message(backend):
    (ada,) = in_room(backend, "lobby", "ada")
    dynamodb = boto3.client("dynamodb")

    def counter_expiry():
        key = {"roomId": {"S": "lobby"}, "seq": {"N": "0"}}
        return int(dynamodb.get_item(TableName=MESSAGES_TABLE, Key=key)["Item"]["expiresAt"]["N"])

    ada.say("first")
    [first] = stored_messages("lobby")
    assert counter_expiry() == int(first["expiresAt"]["N"])
    backend.clock.shift(3600)
    ada.say("an hour later")
    newest = max(stored_messages("lobby"), key=lambda item: int(item["seq"]["N"]))
    assert counter_expiry() == int(newest["expiresAt"]["N"]) >= int(first["expiresAt"]["N"]) + 3600


def test_log_lines_name_route_connection_and_room_but_never_the_text(backend, log_lines):
    (ada,) = in_room(backend, "lobby", "ada")

    ada.say("my secret plans")

    lines = log_lines()
    [sent] = [line for line in lines if line["message"] == "message sent"]
    assert sent["route"] == "on-message"
    assert sent["connection_id"] == ada.connection_id
    assert sent["room_id"] == "lobby"
    assert sent["recipients"] == 1
    assert all("secret" not in json.dumps(line) for line in lines)


@pytest.mark.parametrize(
    ("operation", "client_message_id"),
    [
        ("UpdateItem", "t-1"),  # the rate bucket, or the room's seq counter
        ("Query", "t-1"),  # the room's members
        ("GetItem", "t-1"),  # the clientMessageId marker
        ("TransactWriteItems", "t-1"),  # the message with its marker
        ("PutItem", None),  # the message alone
    ],
)
def test_a_throttled_table_gets_the_sender_a_clear_error_and_leaves_nothing_behind(
    backend, throttle, operation, client_message_id
):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    throttle(operation)

    frame = {"action": "on-message", "message": "not now", "clientMessageId": client_message_id}
    ada.send({k: v for k, v in frame.items() if v is not None})

    error = ada.last("error")
    assert error["code"] == "busy"
    assert error.get("clientMessageId") == client_message_id
    assert stored_messages("lobby") == []
    assert bob.new_frames() == []


def stored_marker(room, client_message_id):
    markers = boto3.client("dynamodb").scan(
        TableName=MESSAGES_TABLE,
        FilterExpression="seq = :zero AND begins_with(roomId, :room) AND contains(roomId, :id)",
        ExpressionAttributeValues={
            ":zero": {"N": "0"},
            ":room": {"S": f"{room}#"},
            ":id": {"S": f"#{client_message_id}"},
        },
    )["Items"]
    return markers[0] if markers else None


@pytest.mark.parametrize("reason", ["ThrottlingError", "TransactionConflict"])
def test_a_transaction_cancelled_by_a_busy_table_is_tried_again_once_and_sent(
    backend, dynamodb_answers, reason
):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    attempts = dynamodb_answers("TransactWriteItems", transaction_cancelled(reason, "None"))

    sent = ada.say("second time lucky", clientMessageId="r-1")

    assert len(attempts) == 2
    assert sent["type"] == "message"
    assert sent["seq"] == 1  # the retry keeps the message's seq
    assert [f["message"] for f in bob.new_frames()] == ["second time lucky"]
    assert len(stored_messages("lobby")) == 1


@pytest.mark.parametrize("reason", ["ThrottlingError", "TransactionConflict"])
def test_a_transaction_cancelled_twice_gets_the_sender_busy_and_stores_nothing(
    backend, dynamodb_answers, reason
):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    attempts = dynamodb_answers(
        "TransactWriteItems",
        transaction_cancelled(reason, "None"),
        transaction_cancelled("None", reason),
    )

    ada.send({"action": "on-message", "message": "not now", "clientMessageId": "r-2"})

    assert len(attempts) == 2
    assert ada.new_frames() == [
        {
            "type": "error",
            "code": "busy",
            "message": "The chat is busy right now; nothing was sent. Try again.",
            "clientMessageId": "r-2",
        }
    ]
    assert bob.new_frames() == []
    assert stored_messages("lobby") == []
    assert stored_marker("lobby", "r-2") is None
    # Nothing half-stored: the page's resend is a new message, not a "duplicate" of nothing.
    resent = ada.say("not now", clientMessageId="r-2")
    assert resent["type"] == "message"
    assert [f["message"] for f in bob.new_frames()] == ["not now"]
    assert len(stored_messages("lobby")) == 1


def test_a_transaction_cancelled_for_another_reason_is_not_retried_or_called_busy(
    backend, dynamodb_answers
):
    (ada,) = in_room(backend, "lobby", "ada")
    attempts = dynamodb_answers("TransactWriteItems", transaction_cancelled("ValidationError"))

    with pytest.raises(ClientError, match="TransactionCanceledException"):
        ada.send({"action": "on-message", "message": "broken", "clientMessageId": "r-3"})

    assert len(attempts) == 1


def test_a_resend_racing_a_concurrent_one_stays_the_duplicate_path(backend, dynamodb_answers):
    ada, bob = in_room(backend, "lobby", "ada", "bob")
    first = ada.say("once", clientMessageId="d-1")
    # The resend's marker check runs before the other one's transaction commits: its own
    # transaction is then cancelled for ConditionalCheckFailed (by moto, as by DynamoDB).
    dynamodb_answers("GetItem", {})
    attempts = dynamodb_answers("TransactWriteItems")

    ada.send({"action": "on-message", "message": "once", "clientMessageId": "d-1"})

    assert len(attempts) == 1
    assert ada.new_frames() == [first]
    assert [f["message"] for f in bob.new_frames()] == ["once"]  # the first send's, only
    assert len(stored_messages("lobby")) == 1
