"""The local stack's moto server (scripts/local_stack/moto_server.py) answers every DynamoDB item
operation as moto_server does: same items, same errors, only sooner; and it throttles when
asked to."""

import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local_stack.emulator import Emulator, free_port, start_moto
from local_stack.moto_server import THROTTLE_PATH
from tests.chat_tables import create_chat_tables

PLAIN_MOTO = (str(Path(sys.executable).with_name("moto_server")),)
CONNECTIONS, MESSAGES = "connections", "messages"

EVERY_TYPE = {
    "str": {"S": "text"},
    "num": {"N": "1.50"},
    "bin": {"B": b"\x00\xffbytes"},
    "ss": {"SS": ["b", "a"]},
    "ns": {"NS": ["2", "1"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "m": {"M": {"inner": {"S": "x"}, "list": {"L": [{"N": "1"}, {"B": b"\x03"}]}}},
    "l": {"L": [{"S": "y"}, {"M": {"deep": {"BOOL": True}}}]},
    "bool": {"BOOL": False},
    "null": {"NULL": True},
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """moto_server as moto ships it, and ours."""
    started: list[Emulator] = []
    with open(tmp_path_factory.mktemp("moto") / "servers.log", "wb") as log:
        try:
            started.append(start_moto("127.0.0.1", free_port(), log, PLAIN_MOTO))
            started.append(start_moto("127.0.0.1", free_port(), log))
            yield started[0].endpoint, started[1].endpoint
        finally:
            for server in started:
                server.stop()


def connection(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "connectionId": {"S": f"c{n}"},
        "roomId": {"S": "room"},
        "username": {"S": f"user{n}"},
        "expiresAt": {"N": "9999999999"},
        "userAgent": {"S": "a browser"},
        **extra,
    }


def key(n: int) -> dict[str, Any]:
    return {"connectionId": {"S": f"c{n}"}}


def operations(client: Any) -> list[tuple[str, Callable[[], Any]]]:
    """Every item operation, with the options the chat uses and the ones it does not."""
    room = {":room": {"S": "room"}}
    return [
        ("put", lambda: client.put_item(TableName=CONNECTIONS, Item=connection(1, **EVERY_TYPE))),
        ("put old", lambda: client.put_item(
            TableName=CONNECTIONS, Item=connection(1, **EVERY_TYPE), ReturnValues="ALL_OLD",
            ReturnConsumedCapacity="TOTAL")),
        ("batch write", lambda: client.batch_write_item(RequestItems={CONNECTIONS: [
            {"PutRequest": {"Item": connection(n)}} for n in range(2, 12)]})),
        ("get", lambda: client.get_item(TableName=CONNECTIONS, Key=key(1))),
        ("get missing", lambda: client.get_item(TableName=CONNECTIONS, Key=key(99))),
        ("get projected", lambda: client.get_item(
            TableName=CONNECTIONS, Key=key(1), ProjectionExpression="ss, bin, #m",
            ExpressionAttributeNames={"#m": "m"})),
        ("get nested", lambda: client.get_item(
            TableName=CONNECTIONS, Key=key(1), ProjectionExpression="m.inner, l[1].deep")),
        ("batch get", lambda: client.batch_get_item(RequestItems={CONNECTIONS: {
            "Keys": [key(2), key(3)], "ProjectionExpression": "connectionId, username"}})),
        ("query index", lambda: client.query(
            TableName=CONNECTIONS, IndexName="room", KeyConditionExpression="roomId = :room",
            ExpressionAttributeValues=room)),
        ("query index projected", lambda: client.query(
            TableName=CONNECTIONS, IndexName="room", KeyConditionExpression="roomId = :room",
            ProjectionExpression="connectionId, expiresAt", ExpressionAttributeValues=room)),
        ("query index page", lambda: client.query(
            TableName=CONNECTIONS, IndexName="room", KeyConditionExpression="roomId = :room",
            ExpressionAttributeValues=room, Limit=4)),
        ("scan filtered", lambda: client.scan(
            TableName=CONNECTIONS, FilterExpression="username = :u",
            ExpressionAttributeValues={":u": {"S": "user3"}}, ReturnConsumedCapacity="TOTAL")),
        ("update new", lambda: client.update_item(
            TableName=CONNECTIONS, Key=key(2), UpdateExpression="SET tat = :t ADD ns :one",
            ExpressionAttributeValues={":t": {"N": "5"}, ":one": {"NS": ["7"]}},
            ReturnValues="ALL_NEW")),
        ("update counter", lambda: client.update_item(
            TableName=MESSAGES, Key={"roomId": {"S": "room"}, "seq": {"N": "0"}},
            UpdateExpression="ADD lastSeq :one", ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW")),
        ("update refused", lambda: client.update_item(
            TableName=CONNECTIONS, Key=key(3), UpdateExpression="SET tat = :t",
            ConditionExpression="attribute_not_exists(connectionId)",
            ExpressionAttributeValues={":t": {"N": "5"}})),
        ("transact write", lambda: client.transact_write_items(TransactItems=[
            {"Put": {"TableName": MESSAGES, "Item": {
                "roomId": {"S": "room"}, "seq": {"N": str(n)}, "message": {"S": f"m{n}"}}}}
            for n in (1, 2)])),
        ("transact refused", lambda: client.transact_write_items(TransactItems=[
            {"Put": {"TableName": MESSAGES, "Item": {"roomId": {"S": "room"}, "seq": {"N": "1"}},
                     "ConditionExpression": "attribute_not_exists(roomId)"}}])),
        ("transact get", lambda: client.transact_get_items(TransactItems=[
            {"Get": {"TableName": MESSAGES, "Key": {"roomId": {"S": "room"}, "seq": {"N": "2"}}}}
        ])),
        ("query newest", lambda: client.query(
            TableName=MESSAGES, KeyConditionExpression="roomId = :room AND seq > :after",
            ExpressionAttributeValues={**room, ":after": {"N": "0"}}, ScanIndexForward=False,
            Limit=1)),
        ("delete old", lambda: client.delete_item(
            TableName=CONNECTIONS, Key=key(1), ReturnValues="ALL_OLD")),
        ("delete missing", lambda: client.delete_item(
            TableName=CONNECTIONS, Key=key(1), ReturnValues="ALL_OLD")),
        ("bad key", lambda: client.get_item(TableName=CONNECTIONS, Key={"roomId": {"S": "x"}})),
    ]  # fmt: skip


def comparable(value: Any) -> Any:
    """A response without what differs on every call (request ids); sets in a fixed order."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k in ("SS", "NS", "BS") else comparable(v)
            for k, v in value.items()
            if k != "ResponseMetadata"
        }
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def dynamodb(endpoint: str, config: Config | None = None) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )


def answers(endpoint: str) -> dict[str, Any]:
    client = dynamodb(endpoint)
    create_chat_tables(client, CONNECTIONS, "room", MESSAGES)
    answered: dict[str, Any] = {}
    for name, operation in operations(client):
        try:
            answered[name] = comparable(operation())
        except ClientError as error:
            answered[name] = comparable(error.response)
    return answered


def test_every_item_operation_is_answered_as_moto_server_answers_it(servers: tuple[str, str]):
    plain, ours = servers
    expected = answers(plain)
    assert answers(ours) == expected
    assert "Error" in expected["transact refused"]  # the errors were compared, not skipped
    assert len(expected["query index page"]["Items"]) == 4


def throttle(endpoint: str, body: bytes) -> int:
    request = urllib.request.Request(f"{endpoint}{THROTTLE_PATH}", data=body, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_throttle_switch_throttles_one_operation_as_many_times_as_asked(
    servers: tuple[str, str],
):
    _, ours = servers
    client = dynamodb(ours, Config(retries={"total_max_attempts": 1}))
    assert throttle(ours, b'{"operation": "ListTables", "count": 2}') == 204

    for _ in range(2):
        with pytest.raises(ClientError, match="ProvisionedThroughputExceededException"):
            client.list_tables()
    client.list_tables()  # the third is answered
    client.describe_limits()  # and other operations never were throttled

    assert throttle(ours, b'{"operation": "ListTables"}') == 400
    assert throttle(ours, b'{"operation": "ListTables", "count": 5}') == 204
    assert throttle(ours, b'{"operation": "ListTables", "count": 0}') == 204
    client.list_tables()
