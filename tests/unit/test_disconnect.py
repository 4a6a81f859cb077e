"""$disconnect and 410 cleanup: a member leaves once, whichever path finds it gone first."""

import boto3

from tests.unit.conftest import CONNECTIONS_TABLE


def leaves(client):
    return [f for f in client.new_frames() if f["type"] == "presence" and f["event"] == "leave"]


def test_disconnect_removes_the_connection_and_tells_the_room(backend):
    ada, bob = backend.connect(), backend.connect()
    ada.enter("lobby", "ada")
    bob.enter("lobby", "bob")
    ada.new_frames()

    bob.disconnect()

    assert ada.new_frames() == [
        {"type": "presence", "event": "leave", "username": "bob", "memberCount": 1}
    ]
    item = boto3.client("dynamodb").get_item(
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": bob.connection_id}}
    )
    assert "Item" not in item


def test_a_late_disconnect_after_a_410_cleanup_announces_nothing_more(backend):
    ada, bob, carol = backend.connect(), backend.connect(), backend.connect()
    for client, name in ((ada, "ada"), (bob, "bob"), (carol, "carol")):
        client.enter("lobby", name)
    carol.new_frames()
    bob.drop()
    ada.say("bob?")  # finds bob gone: cleanup and leave

    backend.invoke("$disconnect", bob.connection_id)  # API Gateway's best-effort $disconnect

    assert [f["username"] for f in leaves(carol)] == ["bob"]


def test_a_410_after_the_disconnect_announces_nothing_more(backend):
    ada, bob, carol = backend.connect(), backend.connect(), backend.connect()
    for client, name in ((ada, "ada"), (bob, "bob"), (carol, "carol")):
        client.enter("lobby", name)
    carol.new_frames()

    bob.disconnect()
    ada.say("after bob left")

    assert [f["username"] for f in leaves(carol)] == ["bob"]


def test_disconnecting_before_entering_a_room_tells_nobody(backend):
    ada, loner = backend.connect(), backend.connect()
    ada.enter("lobby", "ada")
    ada.new_frames()

    loner.disconnect()

    assert ada.new_frames() == []


def test_connections_past_their_expiry_are_not_members(backend):
    old = backend.connect()
    old.enter("lobby", "old")
    backend.clock.shift(2 * 3600 + 601)  # DynamoDB has not deleted the expired item yet
    fresh = backend.connect()

    room = fresh.enter("lobby", "fresh")

    assert room["members"] == ["fresh"]
    old.new_frames()
    fresh.say("hello")
    assert old.new_frames() == []


def test_messages_past_their_retention_are_not_history(backend):
    writer = backend.connect()
    writer.enter("lobby", "writer")
    writer.say("old news")
    backend.clock.shift(7 * 86400 + 1)

    assert backend.connect().enter("lobby", "reader")["history"] == []


def test_members_that_vanished_together_each_leave_once(backend):
    clients = [backend.connect() for _ in range(5)]
    for client, name in zip(clients, ["ada", "bob", "carol", "dave", "eve"], strict=True):
        client.enter("lobby", name)
    ada, bob, carol, dave, eve = clients
    eve.new_frames()
    for vanished in (bob, carol, dave):
        vanished.drop()

    ada.say("who is left?")

    frames = eve.new_frames()
    assert [f["message"] for f in frames if f["type"] == "message"] == ["who is left?"]
    [leave] = [f for f in frames if f["type"] == "presence"]  # one frame names all three
    assert sorted(leave["usernames"]) == ["bob", "carol", "dave"]
    assert leave["username"] in leave["usernames"]
    assert leave["memberCount"] == 2
