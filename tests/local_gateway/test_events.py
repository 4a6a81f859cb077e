"""The events the functions receive have API Gateway's shapes (samples in tests/events/)."""

import json
import re
from pathlib import Path
from typing import Any

from websockets.sync.client import connect
from websockets.typing import Origin, Subprotocol

from tests.local_gateway.gateway_support import (
    SITE_ORIGIN,
    DeployedApi,
    echo,
    recorded_events,
    shape,
)

SAMPLES = Path(__file__).resolve().parents[1] / "events"
AWS_ID = re.compile(r"^[A-Za-z0-9]{15}=$")
REQUEST_TIME = re.compile(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return event


def test_message_event_has_the_shape_of_api_gateways(gateway_url: str) -> None:
    with connect(gateway_url) as ws:
        event = echo(ws, "whatever")["event"]
    assert shape(event) == shape(sample("aws-message.json"))
    context = event["requestContext"]
    assert context["routeKey"] == "$default"
    assert context["eventType"] == "MESSAGE"
    assert json.loads(event["body"]) == {"action": "whatever"}
    for name in ("connectionId", "requestId", "messageId", "extendedRequestId"):
        assert AWS_ID.match(context[name]), context[name]
    assert REQUEST_TIME.match(context["requestTime"])
    assert context["connectedAt"] <= context["requestTimeEpoch"]
    assert context["stage"] == "local"
    assert context["identity"]["sourceIp"] == "127.0.0.1"


def test_connect_event_carries_headers_and_query(
    gateway_url: str, deployed_api: DeployedApi
) -> None:
    origin = SITE_ORIGIN  # the page the gateway lets in (--allowed-origin)
    with connect(f"{gateway_url}?room=lobby&room=hall", origin=Origin(origin)) as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
    (event,) = recorded_events(deployed_api.event_dir, "$connect", connection_id)
    expected = sample("aws-connect.json")
    assert set(event) == {*expected, "queryStringParameters", "multiValueQueryStringParameters"}
    assert shape(event["requestContext"]) == shape(expected["requestContext"])
    assert event["requestContext"]["eventType"] == "CONNECT"
    assert event["headers"]["Origin"] == origin
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["multiValueHeaders"]["Origin"] == [origin]
    assert event["queryStringParameters"] == {"room": "hall"}
    assert event["multiValueQueryStringParameters"] == {"room": ["lobby", "hall"]}
    assert event["isBase64Encoded"] is False


def test_connect_event_without_a_query_string_has_no_query_keys(
    gateway_url: str, deployed_api: DeployedApi
) -> None:
    with connect(gateway_url) as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
    (event,) = recorded_events(deployed_api.event_dir, "$connect", connection_id)
    assert set(event) == set(sample("aws-connect.json"))


def test_disconnect_event_reports_the_close(gateway_url: str, deployed_api: DeployedApi) -> None:
    with connect(gateway_url) as ws:
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
        ws.close(code=4000, reason="bye")
    (event,) = recorded_events(deployed_api.event_dir, "$disconnect", connection_id)
    assert shape(event) == shape(sample("aws-disconnect.json"))
    assert event["requestContext"]["disconnectStatusCode"] == 4000
    assert event["requestContext"]["disconnectReason"] == "bye"


def test_a_subprotocol_is_echoed_when_connect_answers_one(
    gateway_url: str, deployed_api: DeployedApi
) -> None:
    offered = [Subprotocol("chat.v2"), Subprotocol("chat.v1")]
    with connect(f"{gateway_url}?choose=1", subprotocols=offered) as ws:
        assert ws.subprotocol == "chat.v2"
        assert ws.response.headers["Sec-WebSocket-Protocol"] == "chat.v2"
        connection_id = echo(ws)["event"]["requestContext"]["connectionId"]
    (event,) = recorded_events(deployed_api.event_dir, "$connect", connection_id)
    assert event["headers"]["Sec-WebSocket-Protocol"] == "chat.v2, chat.v1"
    assert event["multiValueHeaders"]["Sec-WebSocket-Protocol"] == ["chat.v2, chat.v1"]


def test_no_subprotocol_is_echoed_when_connect_answers_none(gateway_url: str) -> None:
    with connect(gateway_url, subprotocols=[Subprotocol("chat.v1")]) as ws:
        assert ws.subprotocol is None  # a browser fails such a handshake, as against AWS
        assert "Sec-WebSocket-Protocol" not in ws.response.headers
