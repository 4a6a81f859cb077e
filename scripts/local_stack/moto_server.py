"""moto server as the local stack runs it (``EMULATOR=moto``): moto's own application, stock.

Run as ``python moto_server.py -H HOST -p PORT [--allowed-origin ORIGIN...]`` (moto_server's
arguments, and the stack's pages). Two things differ from moto_server, around moto rather than
in it: waitress serves it, with keep-alive connections and warnings and errors only in the log
(werkzeug's development server closes every connection after one request, a new TCP connection
and thread per call, and logs a line per request); and the loopback guard stands in front of it
(local_gateway/loopback_guard.py: moto answers any Host and every origin with permissive CORS,
so any web page in the browser could read or change the local tables). Throttling a table, for
the fault tests and for anyone trying the chat's ``busy`` answer, is the data plane's
(``/@faults``), on any emulator.
"""

import argparse
import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any

import waitress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from local_gateway.loopback_guard import LoopbackGuard

WSGI_THREADS = 8  # requests in progress at once; moto itself runs one at a time (the GIL)


WsgiApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class GuardedApplication:
    """A WSGI application behind the loopback guard: a refused request gets the guard's status
    and never reaches the application."""

    def __init__(self, application: WsgiApplication, guard: LoopbackGuard) -> None:
        self._application = application
        self._guard = guard

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        refusal = self._guard.refusal(environ.get("HTTP_HOST"), environ.get("HTTP_ORIGIN"))
        if refusal is None:
            return self._application(environ, start_response)
        status = f"{refusal.status.value} {refusal.status.phrase}"
        start_response(status, [("Content-Type", "text/plain")])
        return [refusal.explanation]


def main() -> None:
    """moto_server's command line (``-H``, ``-p``) and application, served as said above."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    parser.add_argument("--allowed-origin", action="append", default=[], metavar="ORIGIN")
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto writes it into some URLs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    guard = LoopbackGuard(args.port, frozenset(args.allowed_origin), args.host)
    waitress.serve(
        GuardedApplication(app, guard), host=args.host, port=args.port, threads=WSGI_THREADS
    )


if __name__ == "__main__":
    main()
