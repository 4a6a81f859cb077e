"""Rows: the CPU a function spends on two choices made for speed, inside the function's own
process, with the network taken out.

- A room read for delivery: ``recipients()`` (a Query projecting the connection id and expiry)
  against ``members()`` (every attribute the room index holds), for one room of ``members``.
- A post: ``post_to_connection`` with botocore's parameter validation off (as the functions'
  client has it) against on.

Each call goes through botocore for real (serialization, signing, parsing, our adapter's code);
only the HTTP exchange is replaced, by a ``before-send`` handler on the client's event system
answering what DynamoDB or ``@connections`` would. CPU is ``time.process_time()``; each side runs
``rounds`` times in alternation and the row reports the medians per call.
"""

import json
import statistics
import time
from collections.abc import Callable
from typing import Any, cast

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.compat import HTTPHeaders
from botocore.config import Config

from bench.rows import Row
from serverless_chat.adapters.dynamodb import ConnectionsTable

REGION = "us-east-1"
ROOM = "bench-room"
ROOM_INDEX = "room-index"
USER_INDEX = "user-index"
_EXPIRES_AT = str(int(time.time()) + 3600)


class _Body:
    """What botocore reads an answer's body from."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Any:
        yield self._content


def _answer(request: AWSPreparedRequest, status: int, body: bytes) -> AWSResponse:
    headers = HeadersDict(
        {"x-amzn-RequestId": "bench", "Content-Type": "application/x-amz-json-1.0"}
    )
    # botocore's stubs name the type HTTPHeaders; any case-insensitive mapping serves
    return AWSResponse(request.url, status, cast(HTTPHeaders, headers), _Body(body))


def _room_index_items(members: int) -> list[dict[str, dict[str, str]]]:
    """The room index's items, as the tables module projects them (keys, username, expiresAt)."""
    return [
        {
            "connectionId": {"S": f"bench-{n:05d}AbCdEfG="},
            "roomId": {"S": ROOM},
            "username": {"S": f"guest-{1000 + n}"},
            "expiresAt": {"N": _EXPIRES_AT},
        }
        for n in range(members)
    ]


def _dynamodb(members: int) -> Any:
    items = _room_index_items(members)
    projected = [{k: item[k] for k in ("connectionId", "expiresAt")} for item in items]

    def query(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        asked = json.loads(cast(bytes, request.body or b"{}"))
        answer = projected if "ProjectionExpression" in asked else items
        body = {"Items": answer, "Count": len(answer), "ScannedCount": len(answer)}
        return _answer(request, 200, json.dumps(body).encode())

    client = _client("dynamodb", "http://dynamodb.bench")
    client.meta.events.register("before-send.dynamodb.Query", query)
    return client


def _client(service: str, endpoint: str, **config: Any) -> Any:
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106 - nothing leaves this process
        config=Config(**config),
    )


def _connections_api(*, validation: bool) -> Any:
    client = _client(
        "apigatewaymanagementapi", "http://connections.bench/local", parameter_validation=validation
    )
    client.meta.events.register(
        "before-send.apigatewaymanagementapi.PostToConnection",
        lambda request, **_: _answer(request, 200, b""),
    )
    return client


def _cpu_per_call(calls: int, action: Callable[[], object]) -> float:
    action()  # warm: botocore loads models and builds handlers on first use
    started = time.process_time()
    for _ in range(calls):
        action()
    return (time.process_time() - started) / calls


def _paired(
    rounds: int, calls: int, ours: Callable[[], object], baseline: Callable[[], object]
) -> tuple[float, float]:
    """Median CPU seconds per call of each side, measured in alternation."""
    ours_s, baseline_s = [], []
    for _ in range(rounds):
        ours_s.append(_cpu_per_call(calls, ours))
        baseline_s.append(_cpu_per_call(calls, baseline))
    return statistics.median(ours_s), statistics.median(baseline_s)


def measure(members: int, rounds: int, calls: int) -> list[Row]:
    table = ConnectionsTable(_dynamodb(members), "bench-connections", ROOM_INDEX, USER_INDEX)
    if len(table.recipients(ROOM)) != members or len(table.members(ROOM)) != members:
        raise RuntimeError("the room read did not return every member")
    read_ours, read_baseline = _paired(
        rounds, calls, lambda: table.recipients(ROOM), lambda: table.members(ROOM)
    )
    unchecked, checked = _connections_api(validation=False), _connections_api(validation=True)
    frame = b'{"type":"message","message":"hi"}'
    post_ours, post_baseline = _paired(
        rounds,
        calls * 10,
        lambda: unchecked.post_to_connection(ConnectionId="bench-00001AbCdEfG=", Data=frame),
        lambda: checked.post_to_connection(ConnectionId="bench-00001AbCdEfG=", Data=frame),
    )
    return [
        Row(
            name=f"function CPU per room read for delivery ({members} members): "
            "recipients() vs members()",
            unit="µs",
            ours=read_ours * 1e6,
            baseline=read_baseline * 1e6,
            goal="less than members() (else drop recipients())",
            met=read_ours < read_baseline,
        ),
        # About 2 % of a post (15 rounds of 1,000 posts: 352 vs 359 µs), within this row's noise
        # at small sizes: reported, not a goal that could fail on noise.
        Row(
            name="function CPU per post_to_connection: parameter validation off vs on",
            unit="µs",
            ours=post_ours * 1e6,
            baseline=post_baseline * 1e6,
            goal="reported",
            met=True,
        ),
    ]
