"""Signed-in users of a private room, for the unit tests of private rooms and moderation (the
``chat`` fixture, in conftest.py, gives the backend their handles and the rooms table)."""

import time

HANDLES_TABLE = "chat-handles"
ROOMS_TABLE = "chat-rooms"
USERS = {
    "ada": "0d6c7e1a-0000-4f7e-9d0f-3c9a2b1e8f00",
    "bob": "1e7d8f2b-0000-4a1b-8c2d-4d0b3c2f9a11",
    "grace": "2f8e903c-0000-4b2c-9d3e-5e1c4d3a0b22",
    "dee": "3a9f014d-0000-4c3d-8e4f-6f2d5e4b1c33",
    "eve": "4b0a125e-0000-4d4e-9f50-7a3e6f5c2d44",
}


def signed_in(chat, handle):
    """A connection of the signed-in user, as its `$connect` authorizer answered."""
    user_id = USERS[handle]
    return chat.connect(
        authorizer={
            "principalId": user_id,
            "userId": user_id,
            "handle": handle,
            "tokenExpiresAt": str(int(time.time()) + 7200),
        }
    )


def private_room(chat, members):
    """Ada's private room with ``members`` added, each connected and entered, their frames so
    far read: the room's id, and each one's socket by handle."""
    ada = signed_in(chat, "ada")
    room_id = ask(ada, "create-room")["roomId"]
    ada.enter(room_id)
    sockets = {"ada": ada}
    for handle in members:
        ask(ada, "add-member", roomId=room_id, handle=handle)
        sockets[handle] = signed_in(chat, handle)
        sockets[handle].enter(room_id)
    for socket in sockets.values():
        socket.new_frames()
    return room_id, sockets


def ask(client, action, **fields):
    """Send a private rooms' action; the one frame answered."""
    client.new_frames()
    client.send({"action": action, **fields})
    (answer,) = client.new_frames()
    return answer
