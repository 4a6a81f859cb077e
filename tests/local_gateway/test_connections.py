"""`@connections`: from a function through its worker's channel, and over signed HTTP."""

import json
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.local_gateway.gateway_support import (
    STAGE,
    DeployedApi,
    aws_client,
    echo,
    receive_json,
    recorded_events,
    send_json,
)


def connection_id_of(ws: ClientConnection) -> str:
    return str(echo(ws)["event"]["requestContext"]["connectionId"])


def post_from_function(ws: ClientConnection, **request: Any) -> dict[str, Any]:
    send_json(ws, {"action": "post", **request})
    answer: dict[str, Any] = receive_json(ws)
    return answer


@pytest.fixture
def management(deployed_api: DeployedApi) -> Any:
    endpoint = f"http://127.0.0.1:{deployed_api.gateway_port}/{STAGE}"
    return aws_client("apigatewaymanagementapi", endpoint)


def test_a_function_posts_to_another_connection(gateway_url: str) -> None:
    with connect(gateway_url) as sender, connect(gateway_url) as receiver:
        target = connection_id_of(receiver)
        assert post_from_function(sender, to=target, data="hello")["outcome"] == "sent"
        assert receiver.recv(timeout=5) == "hello"


def test_a_function_sees_gone_for_an_unknown_connection(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        answer = post_from_function(ws, to="AAAAAAAAAAAAAAA=", data="x")
    assert answer == {"outcome": "GoneException 410", "retries": 0}


def test_a_function_sees_payload_too_large_over_128_kb(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        answer = post_from_function(ws, size=128 * 1024 + 1)
    assert answer == {"outcome": "PayloadTooLargeException 413", "retries": 0}


def test_many_posts_arrive_in_order(gateway_url: str) -> None:
    with connect(gateway_url) as sender, connect(gateway_url) as receiver:
        target = connection_id_of(receiver)
        assert post_from_function(sender, to=target, data="n", times=200)["outcome"] == "sent"
        assert [receiver.recv(timeout=5) for _ in range(200)] == ["n"] * 200


def test_posts_from_many_threads_each_get_their_own_answer(gateway_url: str) -> None:
    with connect(gateway_url) as sender, connect(gateway_url) as receiver:
        target = connection_id_of(receiver)
        targets = [target if index % 3 else f"GONE{index:011d}=" for index in range(60)]
        send_json(sender, {"action": "threads", "targets": targets, "data": "hi"})
        outcomes = receive_json(sender)["outcomes"]
        delivered = [receiver.recv(timeout=5) for _ in range(40)]
    assert outcomes == ["sent" if index % 3 else "gone" for index in range(60)]
    assert delivered == [f"hi {target}"] * 40


def test_a_function_gets_and_deletes_a_connection(
    gateway_url: str, deployed_api: DeployedApi
) -> None:
    with connect(gateway_url) as manager, connect(gateway_url, user_agent_header="agent-y") as ws:
        target = connection_id_of(ws)
        send_json(manager, {"action": "manage", "do": "get", "to": target})
        described = receive_json(manager)
        assert described["identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "agent-y"}
        connected_at = datetime.fromisoformat(described["connectedAt"])
        assert connected_at <= datetime.fromisoformat(described["lastActiveAt"])
        assert abs(datetime.now(UTC) - connected_at) < timedelta(seconds=30)
        send_json(manager, {"action": "manage", "do": "delete", "to": target})
        assert receive_json(manager) == {"deleted": 204}
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1000
        (event,) = recorded_events(deployed_api.event_dir, "$disconnect", target)
        assert event["requestContext"]["disconnectStatusCode"] == 1000
        assert event["requestContext"]["disconnectReason"] == "Connection Closed Normally"
        for action in ("get", "delete"):
            send_json(manager, {"action": "manage", "do": action, "to": target})
            assert receive_json(manager) == {"error": "GoneException 410"}


def test_signed_http_get_post_and_delete(
    gateway_url: str, management: Any, deployed_api: DeployedApi
) -> None:
    with connect(gateway_url, user_agent_header="test-agent") as ws:
        connection_id = connection_id_of(ws)
        described = management.get_connection(ConnectionId=connection_id)
        assert described["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "test-agent"}
        assert described["ConnectedAt"] <= described["LastActiveAt"]
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"over":"http"}')
        assert json.loads(ws.recv(timeout=5)) == {"over": "http"}
        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    recorded_events(deployed_api.event_dir, "$disconnect", connection_id)
    with pytest.raises(ClientError) as gone:
        management.post_to_connection(ConnectionId=connection_id, Data=b"late")
    assert gone.value.response["Error"]["Code"] == "GoneException"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_unsigned_http_is_forbidden(deployed_api: DeployedApi) -> None:
    url = f"http://127.0.0.1:{deployed_api.gateway_port}/{STAGE}/@connections/AAAAAAAAAAAAAAA="
    request = urllib.request.Request(url, data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 (a fixed http:// URL)
    assert error.value.code == 403


def test_a_badly_signed_http_request_is_forbidden(deployed_api: DeployedApi) -> None:
    management = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"http://127.0.0.1:{deployed_api.gateway_port}/{STAGE}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="not-the-test-secret",
    )
    with pytest.raises(ClientError) as refused:
        management.get_connection(ConnectionId="AAAAAAAAAAAAAAA=")
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def inject_fault(deployed_api: DeployedApi, request: dict[str, int]) -> int:
    url = f"http://127.0.0.1:{deployed_api.gateway_port}/@faults"
    posted = urllib.request.Request(url, data=json.dumps(request).encode(), method="POST")
    try:
        with urllib.request.urlopen(posted, timeout=5) as response:  # noqa: S310 (http:// only)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("status", [429, 500])
def test_injected_faults_are_retried_by_botocore_as_in_aws(
    gateway_url: str, deployed_api: DeployedApi, status: int
) -> None:
    with connect(gateway_url) as sender, connect(gateway_url) as receiver:
        target = connection_id_of(receiver)
        assert inject_fault(deployed_api, {"status": status, "count": 1}) == 204
        answer = post_from_function(sender, to=target, data="after a fault")
        assert answer == {"outcome": "sent", "retries": 1}
        assert receiver.recv(timeout=5) == "after a fault"


def test_unknown_faults_are_refused(deployed_api: DeployedApi) -> None:
    assert inject_fault(deployed_api, {"status": 418, "count": 1}) == 400
    assert inject_fault(deployed_api, {"dynamodb": "not an operation", "count": 1}) == 400


def put_item_from_function(ws: ClientConnection) -> dict[str, Any]:
    send_json(ws, {"action": "put_item"})
    return receive_json(ws)


def test_injected_dynamodb_throttling_is_retried_by_botocore_as_in_aws(
    gateway_url: str, deployed_api: DeployedApi
) -> None:
    with connect(gateway_url) as ws:
        assert put_item_from_function(ws) == {"outcome": "put", "retries": 0}
        assert inject_fault(deployed_api, {"dynamodb": "PutItem", "count": 2}) == 204
        assert put_item_from_function(ws) == {"outcome": "put", "retries": 2}
        assert put_item_from_function(ws) == {"outcome": "put", "retries": 0}


def test_injected_dynamodb_throttling_outlasts_retries_until_ended(
    gateway_url: str, deployed_api: DeployedApi
) -> None:
    with connect(gateway_url) as ws:
        assert inject_fault(deployed_api, {"dynamodb": "PutItem", "count": 100}) == 204
        answer = put_item_from_function(ws)  # 4 attempts in all, each throttled
        assert answer == {"outcome": "ProvisionedThroughputExceededException", "retries": 3}
        assert inject_fault(deployed_api, {"dynamodb": "PutItem", "count": 0}) == 204
        assert put_item_from_function(ws) == {"outcome": "put", "retries": 0}


def test_a_malformed_http_request_gets_400_and_the_port_keeps_serving(
    gateway_url: str, deployed_api: DeployedApi
) -> None:
    with socket.create_connection(("127.0.0.1", deployed_api.gateway_port), timeout=5) as sock:
        sock.sendall(b"GARBAGE\r\nContent-Length: x\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400 Bad Request")
    with connect(gateway_url) as ws:
        assert connection_id_of(ws)
