"""moto server as the local stack runs it: moto's application, faster on the chat's send path.

Run as ``python moto_server.py -H HOST -p PORT`` (moto_server's arguments). Measured on moto 5.2,
a 100-member room's Query took 26 ms and a small UpdateItem 2 ms of moto's time, mostly in:
- its answers, written by a serializer driven by the service model, which walks each attribute
  against its shape (about 0.1 ms per attribute). DynamoDB's JSON protocol needs no shape: the
  item operations' results are written with ``dynamo_json_dump``, moto's own encoder for them
  before that serializer. Errors, and every other operation (those Terraform calls), keep it.
- projecting an item onto top-level attributes (an index's INCLUDE, a ProjectionExpression),
  which converts the whole item to plain values and back once per attribute named; here the
  named attributes are copied as they are.
- finding the service a request is for, by listing moto's modules and matching every service's
  URL patterns on each request; here once per host.
- werkzeug's development server, which closes every connection after one request (a new TCP
  connection and thread per call) and logs a line per request; here waitress serves it, with
  keep-alive connections, logging warnings and errors only.
The Query now takes 8 ms, the UpdateItem 1.5 ms. tests/local_stack checks that moto_server and
this server give the same answers to every item operation.

It can also throttle, as a table over its capacity does, for the load and fault tests and for
anyone trying the chat's ``busy`` answer: ``POST /_local/dynamodb/throttle`` with
``{"operation": "PutItem", "count": 3}`` makes the next 3 PutItem requests answer 400
ProvisionedThroughputExceededException (``count`` 0 ends it).
"""

import argparse
import copy
import functools
import json
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import waitress
from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult, BaseResponse
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.utilities import dynamo_json_dump
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ITEM_OPERATIONS = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)
_CONTENT_TYPE = "application/x-amz-json-1.0"  # DynamoDB's protocol, JSON 1.0
WSGI_THREADS = 8  # requests in progress at once; moto itself runs one at a time (the GIL)
THROTTLE_PATH = "/_local/dynamodb/throttle"
_TARGET_PREFIX = "DynamoDB_20120810."  # X-Amz-Target: the API version, then the operation
_THROTTLED = {
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded.",
}
_model_serialized = DynamoHandler.serialized
_whole_item_project = Item.project


def _serialized(self: BaseResponse, action_result: ActionResult) -> TYPE_RESPONSE:
    result: Any = action_result.result
    if not isinstance(result, dict) or self._get_action() not in ITEM_OPERATIONS:
        return _model_serialized(self, action_result)
    return 200, {**self.response_headers, "Content-Type": _CONTENT_TYPE}, dynamo_json_dump(result)


def _project(self: Item, projection_expressions: list[list[str]]) -> Item:
    if any(len(path) != 1 for path in projection_expressions):  # a nested path: moto's way
        return _whole_item_project(self, projection_expressions)
    names = [name for (name,) in projection_expressions if name in self.attrs]
    attrs = {name: copy.deepcopy(self.attrs[name]) for name in names}
    return Item(hash_key=self.hash_key, range_key=self.range_key, attrs=attrs)


def install() -> None:
    DynamoHandler.serialized = _serialized  # type: ignore[method-assign]
    Item.project = _project  # type: ignore[method-assign]
    DomainDispatcherApplication.get_backend_for_host = functools.cache(  # type: ignore[method-assign]
        DomainDispatcherApplication.get_backend_for_host
    )


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
    """moto_server's command line (``-H``, ``-p``) and application, with the changes above."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto writes it into some URLs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    install()
    app = Throttle(DomainDispatcherApplication(create_backend_app))
    waitress.serve(app, host=args.host, port=args.port, threads=WSGI_THREADS)


if __name__ == "__main__":
    main()
