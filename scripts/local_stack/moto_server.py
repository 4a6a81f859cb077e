"""moto server as the local stack runs it (``EMULATOR=moto``): moto's own application, stock.

Run as ``python moto_server.py -H HOST -p PORT`` (moto_server's arguments). Two things differ
from moto_server, both around moto rather than in it:
- waitress serves it, with keep-alive connections and warnings and errors only in the log:
  werkzeug's development server closes every connection after one request (a new TCP
  connection and thread per call) and logs a line per request.
- it can throttle, as a table over its capacity does, for the load and fault tests and for
  anyone trying the chat's ``busy`` answer: ``POST /_local/dynamodb/throttle`` with
  ``{"operation": "PutItem", "count": 3}`` makes the next 3 PutItem requests answer 400
  ProvisionedThroughputExceededException (``count`` 0 ends it).
"""

import argparse
import json
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import waitress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_CONTENT_TYPE = "application/x-amz-json-1.0"  # DynamoDB's protocol, JSON 1.0
WSGI_THREADS = 8  # requests in progress at once; moto itself runs one at a time (the GIL)
THROTTLE_PATH = "/_local/dynamodb/throttle"
_TARGET_PREFIX = "DynamoDB_20120810."  # X-Amz-Target: the API version, then the operation
_THROTTLED = {
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded.",
}


class Throttle:
    """WSGI middleware: the next ``count`` requests for one DynamoDB operation are throttled."""

    def __init__(self, app: "WSGIApplication") -> None:
        self._app = app
        self._lock = threading.Lock()
        self._target = ""
        self._remaining = 0

    def __call__(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Any:
        if environ.get("PATH_INFO") == THROTTLE_PATH and environ["REQUEST_METHOD"] == "POST":
            return self._configure(environ, start_response)
        if self._remaining and self._take(environ.get("HTTP_X_AMZ_TARGET", "")):
            return _answer(start_response, "400 Bad Request", _THROTTLED)
        return self._app(environ, start_response)

    def _configure(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            request = json.loads(environ["wsgi.input"].read(length))
            operation, count = str(request["operation"]), int(request["count"])
        except (ValueError, KeyError, TypeError):
            message = {"message": 'expected {"operation": "PutItem", "count": 3}'}
            return _answer(start_response, "400 Bad Request", message)
        with self._lock:
            self._target, self._remaining = f"{_TARGET_PREFIX}{operation}", max(count, 0)
        return _answer(start_response, "204 No Content", None)

    def _take(self, target: str) -> bool:
        with self._lock:
            if target != self._target or self._remaining <= 0:
                return False
            self._remaining -= 1
            return True


def _answer(start_response: "StartResponse", status: str, body: dict[str, str] | None) -> Any:
    content = b"" if body is None else json.dumps(body).encode()
    start_response(status, [("Content-Type", _CONTENT_TYPE), ("Content-Length", str(len(content)))])
    return [content]


def main() -> None:
    """moto_server's command line (``-H``, ``-p``) and application, served as said above."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto writes it into some URLs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = Throttle(DomainDispatcherApplication(create_backend_app))
    waitress.serve(app, host=args.host, port=args.port, threads=WSGI_THREADS)


if __name__ == "__main__":
    main()
