"""$default: a ping gets a pong; anything else an error to the caller only, and nothing breaks."""

import json

import pytest

from serverless_chat import contract, limits


def test_ping_gets_pong(pair):
    ada, bob = pair

    ada.send({"action": "ping"})

    assert ada.new_frames() == [{"type": "pong"}]
    assert bob.new_frames() == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "invalid_json"),
        ("", "invalid_json"),
        ("[1, 2, 3]", "invalid_frame"),
        ('{"action": "dance"}', "unknown_action"),
        ('{"message": "no action"}', "unknown_action"),
        ('{"action": ["ping"]}', "unknown_action"),
        ("[" * 5000, "invalid_frame"),  # past Python's recursion limit: no RecursionError
        ('{"a":' * 5000 + "1" + "}" * 5000, "invalid_frame"),
        ('{"a":' * 17 + "1" + "}" * 17, "invalid_frame"),  # over maxFrameDepth
        ('{"action": NaN}', "invalid_json"),
        ('{"action": "ping", "x": -Infinity}', "invalid_json"),
        ('{"action": "ping", "x": 1' + "0" * 5000 + "}", "invalid_json"),
    ],
)
def test_anything_else_gets_an_error_only_the_caller_sees(pair, body, code):
    ada, bob = pair

    ada.send(body)

    [error] = ada.new_frames()
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["message"]
    assert bob.new_frames() == []
    # The connection stays open and usable.
    ada.say("still here")
    assert [f["message"] for f in bob.new_frames()] == ["still here"]


def test_a_caller_gone_before_its_pong_is_removed_and_its_room_told(pair):
    ada, bob = pair
    ada.drop()

    ada.send({"action": "ping"})  # in flight when the socket vanished

    assert bob.new_frames() == [
        {"type": "presence", "event": "leave", "username": "ada", "memberCount": 1}
    ]


def test_the_stale_connection_it_removes_is_a_metric_flushed_by_the_same_invocation(pair, capsys):
    ada, _ = pair
    ada.drop()
    capsys.readouterr()

    ada.send({"action": "ping"})

    # Powertools writes metrics to stdout as CloudWatch embedded metric format (EMF) documents.
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    [document] = [d for d in printed if "_aws" in d]
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert {"Name": "StaleConnectionsRemoved", "Unit": "Count"} in directive["Metrics"]
    assert directive["Namespace"] == "ServerlessChatTests"
    assert document["StaleConnectionsRemoved"] == [1.0]
    assert [sorted(d) for d in directive["Dimensions"]] == [["environment", "service"]]
    assert (document["service"], document["environment"]) == ("serverless-chat", "test")


def test_an_unknown_action_is_quoted_short(pair):
    ada, _ = pair

    ada.send({"action": "x" * 30_000})

    [error] = ada.new_frames()
    assert error["code"] == "unknown_action"
    assert "x" * 65 not in error["message"]  # quoted to 64 characters, then the known actions
    known = ", ".join(contract.CLIENT_ACTIONS)
    assert len(error["message"]) < 100 + len(known)


def test_a_frame_nested_to_the_limit_is_read(pair):
    ada, _ = pair

    ada.send('{"action": "ping", "extra": ' + "[" * 15 + "]" * 15 + "}")

    assert ada.new_frames() == [{"type": "pong"}]


def test_a_connection_refused_more_than_ten_times_in_a_burst_is_closed(backend):
    backend.tick_seconds = 0
    flooder, bystander = backend.connect(), backend.connect()
    flooder.enter("lobby", "flooder")
    bystander.enter("lobby", "bystander")

    for _ in range(limits.REFUSAL_BURST):
        flooder.send("not json")
    assert backend.connections_api.closed == []  # ten refusals: answered, still open

    flooder.send("not json")

    assert backend.connections_api.closed == [flooder.connection_id]
    assert [f["code"] for f in flooder.frames() if f["type"] == "error"] == ["invalid_json"] * 11
    bystander.send({"action": "on-message", "message": "still served"})
    assert [f.get("message") for f in bystander.new_frames() if f["type"] == "message"] == [
        "still served"
    ]


def test_refusals_spread_out_never_close_a_connection(backend):
    backend.tick_seconds = limits.REFUSAL_INTERVAL_SECONDS  # one refusal per interval
    client = backend.connect()
    for _ in range(3 * limits.REFUSAL_BURST):
        client.send({"action": "wave"})
    assert backend.connections_api.closed == []


def test_a_busy_table_is_no_refusal_of_the_client(backend, throttle):
    backend.tick_seconds = 0
    client = backend.connect()
    client.enter("lobby", "ada")
    throttle("UpdateItem")
    for number in range(2 * limits.REFUSAL_BURST):
        client.send({"action": "on-message", "message": f"try {number}"})
    assert {f["code"] for f in client.frames() if f["type"] == "error"} == {"busy"}
    assert backend.connections_api.closed == []


def test_pings_beyond_the_budget_are_refused_until_a_token_is_back(backend):
    backend.tick_seconds = 0
    client = backend.connect()
    for _ in range(limits.REPLY_BURST):
        client.send({"action": "ping"})
    assert client.new_frames() == [{"type": "pong"}] * limits.REPLY_BURST

    client.send({"action": "ping"})
    [refusal] = client.new_frames()
    assert refusal["code"] == "rate_limited"
    assert refusal["retryAfterMs"] == limits.REPLY_INTERVAL_SECONDS * 1000

    backend.clock.shift(limits.REPLY_INTERVAL_SECONDS)
    client.send({"action": "ping"})
    assert client.new_frames() == [{"type": "pong"}]


def test_a_ping_flood_is_closed_while_the_room_keeps_chatting(backend):
    backend.tick_seconds = 0
    flooder, bystander = backend.connect(), backend.connect()
    flooder.enter("lobby", "flooder")
    bystander.enter("lobby", "bystander")

    for _ in range(100):
        flooder.send({"action": "ping"})

    frames = flooder.new_frames()
    pongs = [f for f in frames if f["type"] == "pong"]
    refusals = [f["code"] for f in frames if f["type"] == "error"]
    assert len(pongs) == limits.REPLY_BURST - 1  # the entry took the first token
    assert refusals[: limits.REFUSAL_BURST + 1] == ["rate_limited"] * (limits.REFUSAL_BURST + 1)
    assert flooder.connection_id in backend.connections_api.closed
    bystander.say("still served")
    assert [f["message"] for f in bystander.frames() if f["type"] == "message"][-1] == (
        "still served"
    )
