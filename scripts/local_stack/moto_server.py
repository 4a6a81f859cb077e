"""moto server as the local stack runs it (``EMULATOR=moto``): moto's own application, stock.

Run as ``python moto_server.py -H HOST -p PORT`` (moto_server's arguments). One thing differs
from moto_server, around moto rather than in it: waitress serves it, with keep-alive
connections and warnings and errors only in the log (werkzeug's development server closes every
connection after one request, a new TCP connection and thread per call, and logs a line per
request). Throttling a table, for the fault tests and for anyone trying the chat's ``busy``
answer, is the data plane's (``/@faults``), on any emulator.
"""

import argparse
import os
import signal
import sys

import waitress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

WSGI_THREADS = 8  # requests in progress at once; moto itself runs one at a time (the GIL)


def main() -> None:
    """moto_server's command line (``-H``, ``-p``) and application, served as said above."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto writes it into some URLs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    waitress.serve(app, host=args.host, port=args.port, threads=WSGI_THREADS)


if __name__ == "__main__":
    main()
