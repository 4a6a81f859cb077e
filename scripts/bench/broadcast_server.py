"""The raw limit of the end-to-end rows: a bare ``websockets`` server that broadcasts each message
to its room, in a process of its own, speaking only the frames the harness needs — a ``room``
reply to ``on-enter-room`` and a ``message`` frame to every member (the sender included).

``python -m bench.broadcast_server`` prints its port, then serves until killed.
"""

import asyncio
import json

from websockets import broadcast
from websockets.asyncio.server import ServerConnection, serve

ROOM_REPLY = json.dumps({"type": "room"})


async def chat(connection: ServerConnection, rooms: dict[str, set[ServerConnection]]) -> None:
    room: set[ServerConnection] = set()
    try:
        async for text in connection:
            frame = json.loads(text)
            if frame.get("action") == "on-enter-room":
                room = rooms.setdefault(str(frame["groupId"]), set())
                room.add(connection)
                await connection.send(ROOM_REPLY)
            elif frame.get("action") == "on-message":
                broadcast(room, json.dumps({"type": "message", "message": frame["message"]}))
    finally:
        room.discard(connection)


async def main() -> None:
    rooms: dict[str, set[ServerConnection]] = {}
    async with serve(lambda c: chat(c, rooms), "127.0.0.1", 0) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
