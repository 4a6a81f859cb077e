"""An ``@connections`` stand-in for the fan-out benchmark: answers every POST with 200 after a
fixed delay, many at once, in a process of its own (API Gateway is not on the function's CPU).

``python connections_stand_in.py DELAY_SECONDS`` prints its port, then serves until killed.
"""

import asyncio
import sys

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


async def answer(delay: float, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Keep-alive HTTP/1.1: each request read whole, answered ``delay`` seconds later."""
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = next(
                (int(line.split(b":", 1)[1]) for line in head.lower().split(b"\r\n")
                 if line.startswith(b"content-length:")),
                0,
            )  # fmt: skip
            await reader.readexactly(length)
            await asyncio.sleep(delay)
            writer.write(OK)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def serve(delay: float) -> None:
    server = await asyncio.start_server(
        lambda r, w: answer(delay, r, w), "127.0.0.1", 0, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(float(sys.argv[1])))
