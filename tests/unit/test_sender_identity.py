"""Who is sending: the guest key a browser keeps (or, without one, the connection), never a name.

A reload opens a new connection and the page resends its queued messages from it: de-duplication
of ``clientMessageId`` and ``isOwnMessage`` in history follow the sender, not the connection and
not the display name. The key is stored only hashed, and no frame tells anyone who a sender is.
"""

import json

import boto3
import pytest

from serverless_chat import limits
from serverless_chat.domain import identity
from tests.unit.conftest import CONNECTIONS_TABLE, MESSAGES_TABLE

ADAS_KEY = "s3cr3t-0f-adas-br0wser-AAAA"
MALLORYS_KEY = "an0ther-br0wser-entirely-BBB"


def stored_messages(room):
    response = boto3.client("dynamodb").query(
        TableName=MESSAGES_TABLE,
        KeyConditionExpression="roomId = :room AND seq > :zero",
        ExpressionAttributeValues={":room": {"S": room}, ":zero": {"N": "0"}},
    )
    return response["Items"]


def whole_tables():
    client = boto3.client("dynamodb")
    return [
        item
        for table in (CONNECTIONS_TABLE, MESSAGES_TABLE)
        for item in client.scan(TableName=table)["Items"]
    ]


def messages_in(frames):
    return [f["message"] for f in frames if f["type"] == "message"]


def entered(backend, room, username, guest_key=None):
    client = backend.connect()
    extra = {} if guest_key is None else {"guestKey": guest_key}
    client.enter(room, username, **extra)
    return client


# ---------------------------------------------------------------- clientMessageId, per sender


def test_two_senders_reusing_one_client_message_id_are_both_stored_and_sent(backend):
    ada = entered(backend, "lobby", "ada", ADAS_KEY)
    bob = entered(backend, "lobby", "bob")  # no key: his connection is his sender
    ada.new_frames()

    from_ada = ada.say("ada's", clientMessageId="m-1")
    from_bob = bob.say("bob's", clientMessageId="m-1")

    assert (from_ada["message"], from_bob["message"]) == ("ada's", "bob's")
    assert from_bob["seq"] == from_ada["seq"] + 1
    assert messages_in(ada.new_frames()) == ["bob's"]
    assert len(stored_messages("lobby")) == 2


def test_a_resend_from_the_same_key_on_a_new_connection_is_stored_and_sent_once(backend):
    ada = entered(backend, "lobby", "ada", ADAS_KEY)
    bob = entered(backend, "lobby", "bob")
    first = ada.say("queued", clientMessageId="q-1")
    ada.drop()  # a reload: the old socket is gone
    reloaded = entered(backend, "lobby", "ada", ADAS_KEY)
    bob.new_frames()

    confirmation = reloaded.say("queued", clientMessageId="q-1")  # the outbox resends it

    assert confirmation == first  # isOwnMessage and clientMessageId included
    assert messages_in(bob.new_frames()) == []  # bob got it the first time only
    assert len(stored_messages("lobby")) == 1


def test_another_key_reusing_a_senders_id_is_another_message(backend):
    ada = entered(backend, "lobby", "ada", ADAS_KEY)
    mallory = entered(backend, "lobby", "mallory", MALLORYS_KEY)
    ada.say("ada's", clientMessageId="q-1")

    mallorys = mallory.say("mallory's", clientMessageId="q-1")

    assert mallorys["message"] == "mallory's"  # not ada's message confirmed to mallory
    assert messages_in(ada.new_frames()) == ["mallory's"]
    assert len(stored_messages("lobby")) == 2


def test_a_keyless_clients_new_connection_is_a_new_sender(backend):
    wscat = entered(backend, "lobby", "wscat")
    wscat.say("once", clientMessageId="w-1")
    wscat.drop()
    again = entered(backend, "lobby", "wscat again")  # "wscat" is its old connection's

    resent = again.say("once", clientMessageId="w-1")

    assert resent["seq"] == 2  # its connection was its sender: a new one sends anew
    assert len(stored_messages("lobby")) == 2


# ---------------------------------------------------------------- isOwnMessage in history


def test_a_newcomer_with_your_name_does_not_see_your_history_as_theirs(backend):
    ada = entered(backend, "lobby", "ada", ADAS_KEY)
    ada.say("mine")
    ada.disconnect()
    backend.clock.shift(10)  # "ada" is free again: nobody in the room uses it

    impostor = backend.connect().enter("lobby", "ada", guestKey=MALLORYS_KEY)
    keyless = backend.connect().enter("lobby", "ada 2")

    assert [m["isOwnMessage"] for m in impostor["history"]] == [False]
    assert [m["isOwnMessage"] for m in keyless["history"]] == [False]
    assert all("clientMessageId" not in m for m in impostor["history"] + keyless["history"])


def test_your_new_connection_sees_your_history_as_yours_under_any_name(backend):
    ada = entered(backend, "lobby", "ada", ADAS_KEY)
    ada.say("before")
    grace = entered(backend, "lobby", "grace")
    grace.say("grace's")
    ada.enter("lobby", "ada lovelace", guestKey=ADAS_KEY)  # a rename, as the page sends it
    ada.say("after")

    reloaded = backend.connect().enter("lobby", "someone else", guestKey=ADAS_KEY)

    assert [(m["message"], m["isOwnMessage"]) for m in reloaded["history"]] == [
        ("before", True),
        ("grace's", False),
        ("after", True),
    ]


def test_a_keyless_client_sees_its_own_connections_messages_as_own(backend):
    wscat = entered(backend, "lobby", "wscat")
    wscat.say("mine")

    again = wscat.enter("side")  # the same connection, moved: still its sender
    back = wscat.enter("lobby")

    assert again["history"] == []
    assert [m["isOwnMessage"] for m in back["history"]] == [True]


def test_each_entry_sets_the_sender_its_key_or_without_one_its_connection(backend):
    tab = entered(backend, "lobby", "ada")
    tab.say("as a connection")
    tab.enter("lobby", "ada", guestKey=ADAS_KEY)  # the same connection, now with a key
    tab.say("as a browser")
    tab.enter("lobby", "ada l.")  # a rename that leaves the key out: the connection again
    tab.say("renamed without the key")

    reloaded = backend.connect().enter("lobby", "ada again", guestKey=ADAS_KEY)

    assert [(m["message"], m["isOwnMessage"]) for m in reloaded["history"]] == [
        ("as a connection", False),
        ("as a browser", True),
        ("renamed without the key", False),
    ]


# ---------------------------------------------------------------- the key stays a secret


def test_the_key_is_stored_only_hashed_and_no_frame_tells_who_a_sender_is(backend):
    ada = entered(backend, "lobby", "ada", ADAS_KEY)
    bob = entered(backend, "lobby", "bob")
    ada.say("hi", clientMessageId="h-1")
    bob.say("hello", clientMessageId="h-1")
    carol = entered(backend, "lobby", "carol", MALLORYS_KEY)
    ada.enter("lobby", "ada2", guestKey=ADAS_KEY)
    ada.drop()
    bob.say("ada left?")

    secrets = [
        ADAS_KEY,
        MALLORYS_KEY,
        identity.guest_sender_id(ADAS_KEY),
        identity.guest_sender_id(MALLORYS_KEY),
        identity.connection_sender_id(bob.connection_id),
    ]
    frames = json.dumps([client.frames() for client in (ada, bob, carol)])
    assert "hello" in frames  # the frames are all there
    for secret in secrets:
        assert secret not in frames
    stored = json.dumps(whole_tables())
    assert identity.guest_sender_id(ADAS_KEY) in stored  # the hash is what the tables keep
    assert ADAS_KEY not in stored
    assert MALLORYS_KEY not in stored


def test_a_senders_hash_is_one_per_key_and_tells_keys_from_connections():
    by_key = identity.guest_sender_id(ADAS_KEY)

    assert identity.guest_sender_id(ADAS_KEY) == by_key
    assert identity.guest_sender_id(MALLORYS_KEY) != by_key
    assert identity.connection_sender_id("Conn-1") != identity.connection_sender_id("Conn-2")
    # A key that spells a connection id is not that connection's sender.
    spelt = "Conn00000001AbC_abcdefghij"
    assert identity.guest_sender_id(spelt) != identity.connection_sender_id(spelt)
    assert len(by_key) == 64
    assert ADAS_KEY not in by_key


@pytest.mark.parametrize(
    "guest_key",
    [
        "",
        "x" * (limits.MIN_GUEST_KEY_LENGTH - 1),
        "x" * (limits.MAX_GUEST_KEY_LENGTH + 1),
        "has space" + "x" * limits.MIN_GUEST_KEY_LENGTH,
        "non-ascii-é" + "x" * limits.MIN_GUEST_KEY_LENGTH,
        12345678901234567890123,
        ["x" * limits.MIN_GUEST_KEY_LENGTH],
    ],
)
def test_an_invalid_guest_key_is_refused_and_changes_nothing(pair, guest_key):
    ada, bob = pair

    ada.send({"action": "on-enter-room", "groupId": "side", "guestKey": guest_key})

    [error] = ada.new_frames()
    assert (error["type"], error["code"]) == ("error", "invalid_guest_key")
    assert error["message"] == (
        f"guestKey must be {limits.MIN_GUEST_KEY_LENGTH} to {limits.MAX_GUEST_KEY_LENGTH} "
        "letters, digits, '-' or '_'."
    )
    assert bob.new_frames() == []
    ada.say("still here")  # in the lobby, not moved
    assert messages_in(bob.new_frames()) == ["still here"]


@pytest.mark.parametrize(
    "guest_key", ["x" * limits.MIN_GUEST_KEY_LENGTH, "A-_z" * (limits.MAX_GUEST_KEY_LENGTH // 4)]
)
def test_a_guest_key_of_the_shortest_and_longest_lengths_is_taken(backend, guest_key):
    room = backend.connect().enter("lobby", "ada", guestKey=guest_key)

    assert room["type"] == "room"


def test_the_sender_comes_with_the_send_claim_no_extra_read(backend, dynamodb_answers):
    ada = entered(backend, "lobby", "ada", ADAS_KEY)
    calls = {op: dynamodb_answers(op) for op in ("GetItem", "UpdateItem", "Query")}

    ada.say("hi", clientMessageId="n-1")

    def on_connections(operation):
        tables = [json.loads(call["body"])["TableName"] for call in calls[operation]]
        return tables.count(CONNECTIONS_TABLE)

    # The rate bucket's update returns the item, senderId included; the room's read is the
    # index's. Nothing else reads the connection.
    assert (on_connections("UpdateItem"), on_connections("GetItem")) == (1, 0)
    assert on_connections("Query") == 1
    [stored] = stored_messages("lobby")
    assert stored["senderId"] == {"S": identity.guest_sender_id(ADAS_KEY)}
