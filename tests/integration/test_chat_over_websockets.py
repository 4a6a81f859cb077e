"""The chat through the local stack: real WebSocket clients, deployed functions, the emulator."""

import json
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

ADAS_GUEST_KEY = "adas-browser-guest-key-0123"


def room_name() -> str:
    return f"room-{uuid.uuid4().hex[:8]}"


def test_the_seed_client_frames_for_two_users(open_socket):
    room = room_name()
    alice, bob = open_socket(), open_socket()
    # The seed's page sends its first frame with its empty name state.
    alice.send({"action": "on-enter-room", "groupId": room, "username": ""})
    guest = alice.recv_until("room")["username"]
    bob.send({"action": "on-enter-room", "groupId": room, "username": "bob"})
    assert bob.recv_until("room")["members"] == sorted([guest, "bob"])
    assert alice.recv_until("presence")["event"] == "join"

    alice.send({"action": "on-message", "message": "こんにちは", "groupId": room})
    own, other = alice.recv_until("message"), bob.recv_until("message")

    assert (own["message"], own["username"], own["isOwnMessage"]) == ("こんにちは", guest, True)
    assert (other["message"], other["isOwnMessage"]) == ("こんにちは", False)
    assert own["seq"] == other["seq"] == 1

    alice.send({"action": "on-enter-room", "groupId": room, "username": "alice"})
    assert bob.recv_until("presence") == {
        "type": "presence",
        "event": "rename",
        "username": "alice",
        "previousUsername": guest,
        "memberCount": 2,
    }
    bob.send({"action": "on-message", "message": "no groupId"})  # the room held for bob
    assert alice.recv_until("message")["message"] == "no groupId"


def test_three_rooms_each_message_reaches_exactly_its_room_once_in_one_order(open_socket):
    rooms = {room_name(): [open_socket() for _ in range(3)] for _ in range(3)}
    for room, clients in rooms.items():
        for number, client in enumerate(clients):
            client.enter(room, f"user{number}")
    for clients in rooms.values():  # let the join presence frames arrive, then forget them
        for client in clients:
            while not client.nothing_more(0.3):
                pass

    sent = {}
    for room, clients in rooms.items():
        for number, client in enumerate(clients):
            text = f"{room}/{number}"
            client.send({"action": "on-message", "message": text})
            sent.setdefault(room, set()).add(text)

    for room, clients in rooms.items():
        views = []
        for client in clients:
            got = [client.recv_until("message") for _ in range(len(clients))]
            assert client.nothing_more(), "a member got more than its room's messages"
            assert {m["message"] for m in got} == sent[room]
            assert {m["roomId"] for m in got} == {room}
            views.append([m["message"] for m in sorted(got, key=lambda m: m["seq"])])
        assert all(view == views[0] for view in views)


def test_history_on_entry_and_presence(open_socket):
    room = room_name()
    writer = open_socket()
    writer.enter(room, "writer")
    for number in range(3):
        writer.send({"action": "on-message", "message": f"m{number}"})
        writer.recv_until("message")

    reader = open_socket()
    entered = reader.enter(room, "reader")

    assert [m["message"] for m in entered["history"]] == ["m0", "m1", "m2"]
    assert writer.recv_until("presence") == {
        "type": "presence",
        "event": "join",
        "username": "reader",
        "memberCount": 2,
    }
    reader.close()
    assert writer.recv_until("presence")["event"] == "leave"


def frames_until_quiet(client, wait: float = 1.5) -> list[dict]:
    frames = []
    while True:
        try:
            frames.append(client.recv(timeout=wait))
        except TimeoutError:
            return frames


def test_a_resend_from_a_reconnected_socket_with_the_same_guest_key_is_delivered_once(
    open_socket,
):
    room, guest_key = room_name(), uuid.uuid4().hex  # one browser's key, kept across a reload
    page, friend = open_socket(), open_socket()
    page.send(
        {"action": "on-enter-room", "groupId": room, "username": "ada", "guestKey": guest_key}
    )
    page.recv_until("room")
    friend.enter(room, "friend")
    resend = {"action": "on-message", "message": "queued", "clientMessageId": "q-1"}
    page.send(resend)
    first = page.recv_until("message")
    assert friend.recv_until("message")["message"] == "queued"

    page.drop()  # the reload: the page's outbox still holds the message, unconfirmed
    reloaded = open_socket()
    reloaded.send(
        {"action": "on-enter-room", "groupId": room, "username": "ada", "guestKey": guest_key}
    )
    history = reloaded.recv_until("room")["history"]
    reloaded.send(resend)
    confirmation = reloaded.recv_until("message")

    assert [(m["message"], m["isOwnMessage"]) for m in history] == [("queued", True)]
    assert confirmation == first
    assert [f for f in frames_until_quiet(friend) if f["type"] == "message"] == []
    # Another sender reusing the id is another message, not ada's confirmed to it.
    friend.send(resend | {"message": "mine"})
    assert friend.recv_until("message")["message"] == "mine"
    assert reloaded.recv_until("message")["seq"] == first["seq"] + 1


def test_a_client_that_vanishes_without_a_close_frame_leaves(open_socket):
    room = room_name()
    stayer, leaver = open_socket(), open_socket()
    stayer.enter(room, "stayer")
    leaver.enter(room, "leaver")
    stayer.recv_until("presence")

    leaver.drop()

    assert stayer.recv_until("presence") == {
        "type": "presence",
        "event": "leave",
        "username": "leaver",
        "memberCount": 1,
    }


def test_a_connection_gone_behind_the_servers_back_is_cleaned_up_on_410(dynamodb, open_socket):
    room = room_name()
    sender = open_socket()
    sender.enter(room, "sender")
    # A member whose $disconnect never came: API Gateway no longer knows the connection.
    dynamodb.put_item(
        TableName="serverless-chat-local-connections",
        Item={
            "connectionId": {"S": "GoneGoneGoneAA="},
            "roomId": {"S": room},
            "username": {"S": "ghost"},
            "expiresAt": {"N": "9999999999"},
        },
    )

    sender.send({"action": "on-message", "message": "anyone?"})

    assert sender.recv_until("message")["message"] == "anyone?"
    assert sender.recv_until("presence") == {
        "type": "presence",
        "event": "leave",
        "username": "ghost",
        "memberCount": 1,
    }
    item = dynamodb.get_item(
        TableName="serverless-chat-local-connections",
        Key={"connectionId": {"S": "GoneGoneGoneAA="}},
    )
    assert "Item" not in item


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "invalid_json"),
        ({"action": "dance"}, "unknown_action"),
        ({"action": "on-message", "message": "x" * 20_000}, "message_too_long"),
        ({"action": "on-message", "message": "bell\u0007"}, "invalid_message"),
    ],
)
def test_bad_frames_get_a_clear_error_and_everyone_else_is_still_served(open_socket, frame, code):
    room = room_name()
    sender, other = open_socket(), open_socket()
    sender.enter(room, "sender")
    other.enter(room, "other")

    sender.send(frame)

    assert sender.recv_until("error")["code"] == code
    other.send({"action": "on-message", "message": "still here"})
    assert sender.recv_until("message")["message"] == "still here"


@pytest.mark.behaviour("deep-json")  # MiniStack's route selection fails on it: tests/parity
def test_json_nested_5000_deep_gets_an_error_frame_and_the_connection_stays_usable(open_socket):
    """Deeper than Python's recursion limit: the function answers, it does not fail."""
    room = room_name()
    client, other = open_socket(), open_socket()
    client.enter(room, "deep")
    other.enter(room, "other")

    client.send("[" * 5000)  # no action to read: $default
    assert client.recv_until("error")["code"] == "invalid_frame"
    nested = "[" * 100 + "]" * 100  # readable by route selection, but past maxFrameDepth
    client.send(f'{{"action": "on-message", "message": "hi", "x": {nested}}}')
    assert client.recv_until("error")["code"] == "invalid_frame"
    client.send(f'{{"action": "on-enter-room", "groupId": "{room}", "x": {nested}}}')
    assert client.recv_until("error")["code"] == "invalid_frame"

    client.send({"action": "ping"})
    assert client.recv_until("pong") == {"type": "pong"}
    client.send({"action": "on-message", "message": "after the deep ones"})
    assert client.recv_until("message")["message"] == "after the deep ones"
    assert other.recv_until("message")["message"] == "after the deep ones"


def test_html_is_delivered_verbatim(open_socket):
    room = room_name()
    sender, other = open_socket(), open_socket()
    sender.enter(room, "sender")
    other.enter(room, "other")

    sender.send({"action": "on-message", "message": "<img src=x onerror=alert(1)>"})

    assert other.recv_until("message")["message"] == "<img src=x onerror=alert(1)>"


@pytest.mark.behaviour("frame-limit")  # the data plane's, not the chat's: tests/parity
def test_a_frame_over_32_kb_closes_the_connection_with_1009(open_socket):
    client = open_socket()
    client.enter(room_name(), "big")

    client.send(json.dumps({"action": "on-message", "message": "x" * 40_000}))

    with pytest.raises(ConnectionClosed) as closed:
        client.recv_until("message")
    assert closed.value.rcvd.code == 1009


def test_ping_gets_pong(open_socket):
    client = open_socket()

    client.send({"action": "ping"})

    assert client.recv() == {"type": "pong"}


def test_a_browser_origin_outside_the_allowlist_is_refused_at_the_handshake(stack, open_socket):
    with pytest.raises(InvalidStatus) as refused:
        open_socket(origin="https://evil.example")
    assert refused.value.response.status_code == 403
    open_socket(origin=stack.options.site_url)  # the site's own origin is allowed


def flooder_and_bystanders(open_socket, room):
    """A flooder, a bystander and a friend, entered in the room under those names."""
    clients = open_socket(), open_socket(), open_socket()
    for client, name in zip(clients, ("flooder", "bystander", "friend"), strict=True):
        client.enter(room, name)
    return clients


def flood_until_closed(flooder, frames):
    """Send every frame, then read refusals until the chat closes the socket: their codes.
    Fails when it never closes."""
    refusals = []
    try:
        for frame in frames:
            flooder.send(frame)
        while True:
            refusals.append(flooder.recv_until("error")["code"])
    except ConnectionClosed:
        return refusals


@pytest.mark.behaviour("connections-delete")
def test_a_flooder_is_closed_while_a_bystander_keeps_chatting(open_socket):
    room = room_name()
    flooder, bystander, friend = flooder_and_bystanders(open_socket, room)

    # Refused faster than the chat allows: it closes the socket.
    refusals = flood_until_closed(flooder, ["{not json"] * 200)
    assert len(refusals) >= 10
    assert set(refusals) == {"invalid_json"}

    bystander.send({"action": "on-message", "message": "still here"})
    got = [friend.recv() for _ in range(2)]  # its leave ($disconnect, or the 410) and the message
    assert sorted(f["type"] for f in got) == ["message", "presence"]
    assert {f.get("message") for f in got} >= {"still here"}
    assert [f["username"] for f in got if f["type"] == "presence"] == ["flooder"]


@pytest.mark.behaviour("connections-delete")
def test_a_renaming_flood_costs_the_room_three_frames_and_the_flooder_its_socket(open_socket):
    room = room_name()
    flooder, bystander, friend = flooder_and_bystanders(open_socket, room)

    # Renames: 3 in any 30 s, then refusals, then the close.
    renames = [
        {"action": "on-enter-room", "groupId": room, "username": f"f{number}"}
        for number in range(60)
    ]
    assert set(flood_until_closed(flooder, renames)) == {"rate_limited"}

    bystander.send({"action": "on-message", "message": "still here"})
    seen: list[dict] = []
    while not any(f.get("message") == "still here" for f in seen):
        seen.append(friend.recv())
    renames = [f["username"] for f in seen if f.get("event") == "rename"]
    # Three, not 60; which three depends on how the frames' invocations interleave.
    assert len(renames) == 3
    assert set(renames) <= {f"f{number}" for number in range(60)}


def test_a_look_alike_name_is_refused_with_a_variant_and_the_exact_name_comes_back(open_socket):
    room = room_name()
    ada, impostor = open_socket(), open_socket()
    ada.enter(room, "ada", guest_key=ADAS_GUEST_KEY)
    impostor.send({"action": "on-enter-room", "groupId": room, "username": "\u0430da"})  # Cyrillic

    refusal = impostor.recv_until("error")
    assert (refusal["code"], refusal["suggestedUsername"]) == ("name_taken", "\u0430da 2")
    impostor.send({"action": "on-enter-room", "groupId": room, "username": "\u0430da 2"})
    assert impostor.recv_until("room")["members"] == ["ada", "\u0430da 2"]
    # A second tab of ada's (or a reload before the old socket is gone) keeps the exact name;
    # another sender asking for it gets a variant.
    again = open_socket()
    assert again.enter(room, "ada", guest_key=ADAS_GUEST_KEY)["username"] == "ada"
    stranger = open_socket()
    stranger.send({"action": "on-enter-room", "groupId": room, "username": "ada"})
    assert stranger.recv_until("error")["code"] == "name_taken"
