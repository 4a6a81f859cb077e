"""Row 1: items DynamoDB reads to deliver one message, ours against the seed's Scan-and-filter.

Both run against the stack's own tables in the emulator, filled with ``rooms`` x ``members``
connections for the measurement and emptied of them after it (moto reads a whole table to answer
a Query on an index: left there, they would slow every row measured after this one). Items read
are the ``ScannedCount`` of every Query and Scan the send path makes (plus one per item a GetItem
returns); moto reports a constant consumed capacity, so that is not used.
"""

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import boto3

from bench.rows import Row
from serverless_chat.adapters.dynamodb import ConnectionsTable, MessagesTable
from serverless_chat.domain.chat import Chat, ChatRules
from serverless_chat.domain.ports import Outbox
from serverless_chat.domain.rate_limit import RateLimit

BATCH = 25  # BatchWriteItem's limit


class ReadCounter:
    """Sums the items each DynamoDB read returned as scanned."""

    def __init__(self) -> None:
        self.items = 0

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in ("Query", "Scan"):
            self.items += int(parsed.get("ScannedCount", 0))
        elif model.name == "GetItem" and "Item" in parsed:
            self.items += 1


class NoPosts:
    """An outbox that accepts every post: this row counts reads, not posts."""

    def send(self, _posts: Sequence[tuple[str, bytes]]) -> list[str]:
        return []

    def close(self, _connection_id: str) -> None: ...


class NoTelemetry:
    def in_room(self, room_id: str) -> None: ...

    def message_sent(self, recipients: int) -> None: ...

    def stale_connections_removed(self, count: int) -> None: ...

    def refused(self, code: str) -> None: ...

    def closed_for_refusals(self) -> None: ...


def measure(endpoint: str, tables: dict[str, str], rooms: int, members: int) -> Row:
    client = boto3.client("dynamodb", endpoint_url=endpoint)
    counter = ReadCounter()
    client.meta.events.register("after-call.dynamodb", counter)
    room, sender = "bench-room-0", "bench-0-0"
    with stored(client, tables["CONNECTIONS_TABLE"], "bench", rooms, members):
        chat = chat_without_posts(client, tables, members)
        counter.items = 0
        chat.send_message(
            sender, json.dumps({"action": "on-message", "message": "hi", "groupId": room})
        )
        ours = counter.items

        counter.items = 0
        recipients = _seed_recipients(client, tables["CONNECTIONS_TABLE"], room)
        baseline = counter.items
    if len(recipients) != members:
        raise RuntimeError(f"the seed's Scan found {len(recipients)} of {members} members")
    return Row(
        name=f"DynamoDB items read per message ({rooms:,} rooms x {members} members stored)",
        unit="items",
        ours=ours,
        baseline=baseline,
        goal="at least 100x fewer",
        met=ours * 100 <= baseline,
    )


def chat_without_posts(
    client: Any,
    tables: dict[str, str],
    room_member_limit: int,
    outbox: Outbox | None = None,
    clock: Callable[[], float] = time.time,
) -> Chat:
    """The chat's send path on the stack's tables, its posts left out (or given to ``outbox``),
    its rate limit raised."""
    return Chat(
        connections=ConnectionsTable(
            client,
            tables["CONNECTIONS_TABLE"],
            tables["CONNECTIONS_ROOM_INDEX"],
            tables["CONNECTIONS_USER_INDEX"],
        ),
        messages=MessagesTable(client, tables["MESSAGES_TABLE"], retention_days=1),
        outbox=outbox or NoPosts(),
        telemetry=NoTelemetry(),
        rules=ChatRules(
            room_member_limit=room_member_limit,
            rate_limit=RateLimit(per_second=1000, burst=1000),
        ),
        clock=clock,
    )


@contextmanager
def stored(client: Any, table: str, prefix: str, rooms: int, members: int) -> Iterator[None]:
    """``rooms`` x ``members`` connections, ``{prefix}-{room}-{member}`` in room
    ``{prefix}-room-{room}``, stored for the length of the block."""
    items = [
        {
            "connectionId": {"S": f"{prefix}-{room}-{member}"},
            "roomId": {"S": f"{prefix}-room-{room}"},
            "username": {"S": f"member{member}"},
            "connectedAt": {"N": "1795660000000"},
            "expiresAt": {"N": "9999999999"},
        }
        for room in range(rooms)
        for member in range(members)
    ]
    _write(client, table, [{"PutRequest": {"Item": item}} for item in items])
    try:
        yield
    finally:
        keys = [{"connectionId": item["connectionId"]} for item in items]
        _write(client, table, [{"DeleteRequest": {"Key": key}} for key in keys])


def _write(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    for start in range(0, len(requests), BATCH):
        pending: dict[str, Any] = {table: requests[start : start + BATCH]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _seed_recipients(client: Any, table: str, room: str) -> list[str]:
    """The seed's on-message: Scan every connection, keep those in the sender's group —
    paginating past 1 MB, as a correct Scan must."""
    found: list[str] = []
    request: dict[str, Any] = {"TableName": table}
    while True:
        page = client.scan(**request)
        found += [
            i["connectionId"]["S"] for i in page["Items"] if i.get("roomId", {}).get("S") == room
        ]
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
