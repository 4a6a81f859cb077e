"""moto server, with two of its DynamoDB costs per item taken out of the send path.

Run as ``python moto_server.py -H HOST -p PORT`` (moto_server's arguments). In moto 5.2 a Query
of a 100-member room takes 26 ms, almost all of it in two places that grow with every item:
- answers are written by a serializer driven by the service model, which walks each attribute
  against its shape (about 0.1 ms per attribute). DynamoDB's JSON protocol needs no shape: the
  item operations' results are written with ``dynamo_json_dump``, moto's own encoder for them
  before that serializer. Errors, and every other operation (those Terraform calls), keep it.
- projecting an item onto top-level attributes (an index's INCLUDE, a ProjectionExpression)
  converts the whole item to plain values and back once per attribute named; here the named
  attributes are copied as they are.
With both the Query takes 8 ms. tests/local_stack checks that moto_server and this server give
the same answers to every item operation. Two costs per request go too (12 % and 7 % of a small
UpdateItem's 2 ms): the service a request is for is looked up once per host, not by listing
moto's modules and matching every service's URL patterns each time; and warnings and errors are
logged, not a line per request (which names neither the operation nor the table).
"""

import copy
import functools
import logging
import sys
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult, BaseResponse
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.utilities import dynamo_json_dump
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

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


if __name__ == "__main__":
    install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from moto.server import main

    main(sys.argv[1:])
