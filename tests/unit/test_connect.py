"""$connect registers the connection; an origin outside the allowlist is refused with 403."""

import time

import boto3

from tests.unit.conftest import CONNECTIONS_TABLE


def stored_connection(connection_id):
    response = boto3.client("dynamodb").get_item(
        TableName=CONNECTIONS_TABLE, Key={"connectionId": {"S": connection_id}}
    )
    return response.get("Item")


def test_connect_registers_who_connected_and_until_when(backend):
    connected_at = int(time.time() * 1000)
    client = backend.connect()

    assert client.handshake_status == 200
    item = stored_connection(client.connection_id)
    assert item["connectedAt"] == {"N": str(connected_at)}
    assert item["sourceIp"] == {"S": "203.0.113.10"}
    assert item["userAgent"]["S"].startswith("Mozilla/5.0")
    # API Gateway closes a connection after 2 hours; the item outlives it by 10 minutes.
    assert int(item["expiresAt"]["N"]) == connected_at // 1000 + 2 * 3600 + 600


def test_an_origin_outside_the_allowlist_is_refused_with_403(backend):
    client = backend.connect(origin="https://evil.example")

    assert client.handshake_status == 403
    assert stored_connection(client.connection_id) is None


def test_every_listed_origin_is_allowed(backend):
    assert backend.connect(origin="http://127.0.0.1:8080").handshake_status == 200


def test_a_client_that_is_not_a_browser_sends_no_origin_and_is_allowed(backend):
    assert backend.connect(origin=None).handshake_status == 200
