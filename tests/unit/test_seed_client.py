"""The seed's page (the blog post's Chat.jsx) keeps working with its frames unchanged."""

import json


def seed_enter(client, group_id, username):
    # websocket.send(JSON.stringify({action: "on-enter-room", groupId: groupId ?? "dummy",
    #                                username: username ?? "no_name"}))
    client.send(json.dumps({"action": "on-enter-room", "groupId": group_id, "username": username}))


def seed_send(client, group_id, text):
    # ws.send(JSON.stringify({action: "on-message", message: input, groupId: groupId}))
    client.send(json.dumps({"action": "on-message", "message": text, "groupId": group_id}))


def test_the_seed_page_chats_renames_and_marks_own_messages(backend):
    tab1, tab2 = backend.connect(), backend.connect()

    # On open, the seed sends its empty name state: the server names it.
    seed_enter(tab1, "room42", "")
    seed_enter(tab2, "room42", "")
    guest = tab1.last("room")["username"]
    assert guest.startswith("guest-")

    # Changing the name from the menu resends on-enter-room with the new name.
    seed_enter(tab1, "room42", "たけもと")
    assert tab2.new_frames()[-1] == {
        "type": "presence",
        "event": "rename",
        "username": "たけもと",
        "previousUsername": guest,
        "memberCount": 2,
    }

    seed_send(tab1, "room42", "こんにちは")

    (own,) = [f for f in tab1.new_frames() if f["type"] == "message"]
    (other,) = [f for f in tab2.new_frames() if f["type"] == "message"]
    # The seed page reads message, username and isOwnMessage; username is now a plain string.
    assert (own["message"], own["username"], own["isOwnMessage"]) == (
        "こんにちは",
        "たけもと",
        True,
    )
    assert (other["message"], other["username"], other["isOwnMessage"]) == (
        "こんにちは",
        "たけもと",
        False,
    )
