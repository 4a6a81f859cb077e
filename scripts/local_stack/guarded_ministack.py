"""MiniStack as the local stack runs it: MiniStack's own ASGI application, stock, served by
Hypercorn in this process behind the loopback guard (local_gateway/loopback_guard.py).

MiniStack answers every origin with permissive CORS and any Host header, so any web page open in
the user's browser could read or change the local tables through it, and a DNS-rebinding name
reaches it even without CORS. The guard answers 421 to a Host that is not a loopback name on the
port and 403 to an Origin that is not one of the stack's pages (its preflights included), before
MiniStack sees the request; requests without Origin (terraform, boto3, the functions) pass.

Run with MiniStack's own interpreter (build/tools/ministack) as ``python guarded_ministack.py
--allowed-origin ORIGIN...``, with MiniStack's ``GATEWAY_PORT``, ``BIND_HOST`` and
``LOG_LEVEL``. Only public entry points are used: ``ministack.app:app`` is the application that
MiniStack's own detached mode serves (``python -m hypercorn ministack.app:app``), and Hypercorn's
``serve`` with the settings MiniStack's ``main`` gives it (bind, 75 s keep-alive, log level).
The guard is a wrapper in front of the application, not a change to it: same process, so the
hot path (every DynamoDB call of every function) pays a header lookup, not a second hop.
"""

import argparse
import asyncio
import os
import resource
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# The guard's one implementation, from the data plane's sources: MiniStack's venv does not have
# the data plane installed, and the guard needs nothing but the standard library.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "local_gateway" / "src"))

from local_gateway.loopback_guard import LoopbackGuard

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Application = Callable[[Scope, Receive, Send], Awaitable[None]]


class GuardedApplication:
    """An ASGI application behind the loopback guard: a refused HTTP request gets the guard's
    status; a refused WebSocket upgrade gets it too (ASGI's `websocket.http.response`, which
    Hypercorn offers), or 403 where a server does not offer it."""

    def __init__(self, application: Application, guard: LoopbackGuard) -> None:
        self._application = application
        self._guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._application(scope, receive, send)  # lifespan
            return
        host = origin = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
            elif name == b"origin":
                origin = value.decode("latin-1")
        refusal = self._guard.refusal(host, origin)
        if refusal is None:
            await self._application(scope, receive, send)
            return
        start: Message = {
            "status": refusal.status.value,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(refusal.explanation)).encode()),
            ],
        }
        body: Message = {"body": refusal.explanation}
        if scope["type"] == "http":
            await send({"type": "http.response.start", **start})
            await send({"type": "http.response.body", **body})
        elif "websocket.http.response" in scope.get("extensions", {}):
            await send({"type": "websocket.http.response.start", **start})
            await send({"type": "websocket.http.response.body", **body})
        else:
            await send({"type": "websocket.close"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--allowed-origin", action="append", default=[], metavar="ORIGIN")
    args = parser.parse_args()

    from hypercorn.asyncio import serve  # noqa: PLC0415 - MiniStack's venv, not ours
    from hypercorn.config import Config  # noqa: PLC0415
    from ministack.app import app  # noqa: PLC0415

    port = int(os.environ.get("GATEWAY_PORT", "4566"))
    host = os.environ.get("BIND_HOST", "127.0.0.1")
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.keep_alive_timeout = 75
    config.loglevel = os.environ.get("LOG_LEVEL", "WARNING").upper()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # bursts of connections, as MiniStack
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    guard = LoopbackGuard(port, frozenset(args.allowed_origin), host)
    asyncio.run(serve(GuardedApplication(app, guard), config))


if __name__ == "__main__":
    main()
