"""The data plane's front door (loopback_guard.py in front of the port): a foreign page's
Origin, or a DNS-rebinding Host, is refused before any `$connect`, `@connections` call or fault
switch; the stack's own page, and clients that send no Origin (SDKs, curl), are served."""

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.local_gateway.gateway_support import (
    SITE_ORIGIN,
    STAGE,
    DeployedApi,
    GatewayProcess,
    echo,
    receive_json,
    send_json,
)
from tests.raw_http import http_request

FOREIGN_ORIGIN = "http://evil.example"
REBINDING_NAME = "evil.example"  # a name its owner made resolve to 127.0.0.1


def connect_invocations(gateway: GatewayProcess) -> int:
    """How many `$connect` invocations the gateway has logged (one line each)."""
    return gateway.count(" $connect ")


def test_the_sites_own_page_and_clients_without_origin_open_sockets(
    gateway_url: str, gateway: GatewayProcess
) -> None:
    with connect(gateway_url, origin=SITE_ORIGIN) as from_the_site, connect(gateway_url) as sdk:
        assert echo(from_the_site)["event"]["requestContext"]["routeKey"] == "$default"
        assert echo(sdk)["event"]["requestContext"]["routeKey"] == "$default"


def test_a_foreign_pages_upgrade_is_refused_before_connect(
    gateway_url: str, gateway: GatewayProcess
) -> None:
    before = connect_invocations(gateway)
    with pytest.raises(InvalidStatus) as refused:
        connect(gateway_url, origin=FOREIGN_ORIGIN, open_timeout=5)
    assert refused.value.response.status_code == 403
    with connect(gateway_url) as ws:  # a later $connect is logged after any earlier one
        echo(ws)
    assert connect_invocations(gateway) == before + 1


def test_an_upgrade_through_a_rebinding_name_is_refused(
    deployed_api: DeployedApi, gateway: GatewayProcess
) -> None:
    port = deployed_api.gateway_port
    upgrade = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    before = connect_invocations(gateway)
    rebound = http_request(
        port, "GET", f"/{STAGE}", {**upgrade, "Host": f"{REBINDING_NAME}:{port}"}
    )
    assert rebound.status == 421
    same_origin = {
        **upgrade,
        "Host": f"{REBINDING_NAME}:{port}",
        "Origin": f"http://{REBINDING_NAME}:{port}",
    }
    assert http_request(port, "GET", f"/{STAGE}", same_origin).status == 421
    assert connect_invocations(gateway) == before


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": FOREIGN_ORIGIN}, 403),
        ({"Host": f"{REBINDING_NAME}:{{port}}"}, 421),
        ({"Host": "127.0.0.1:1"}, 421),  # another port's name
    ],
    ids=["foreign-origin", "rebinding-host", "other-port"],
)
def test_connections_calls_from_a_foreign_page_or_name_are_refused(
    deployed_api: DeployedApi, gateway: GatewayProcess, headers: dict[str, str], status: int
) -> None:
    port = deployed_api.gateway_port
    headers = {name: value.format(port=port) for name, value in headers.items()}
    path = f"/{STAGE}/@connections/AAAAAAAAAAAAAAA="
    answer = http_request(port, "POST", path, headers, b"hi")
    assert answer.status == status
    assert answer.headers["content-type"] == "text/plain"
    assert "access-control-allow-origin" not in answer.headers


def test_a_foreign_pages_preflight_gets_no_cors_answer(
    deployed_api: DeployedApi, gateway: GatewayProcess
) -> None:
    preflight = {
        "Origin": FOREIGN_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,x-amz-date",
    }
    path = f"/{STAGE}/@connections/AAAAAAAAAAAAAAA="
    answer = http_request(deployed_api.gateway_port, "OPTIONS", path, preflight)
    assert answer.status == 403
    assert not [name for name in answer.headers if name.startswith("access-control-")]


def test_unsigned_connections_calls_get_api_gateways_answer(
    deployed_api: DeployedApi, gateway: GatewayProcess
) -> None:
    path = f"/{STAGE}/@connections/AAAAAAAAAAAAAAA="
    answer = http_request(deployed_api.gateway_port, "POST", path, {}, b"hi")
    assert answer.status == 403
    assert answer.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert json.loads(answer.body) == {"message": "Missing Authentication Token"}


@pytest.mark.parametrize(
    "headers",
    [{"Origin": FOREIGN_ORIGIN}, {"Host": f"{REBINDING_NAME}:{{port}}"}],
    ids=["foreign-origin", "rebinding-host"],
)
def test_the_fault_switch_is_refused_to_a_foreign_page_or_name(
    gateway_url: str, deployed_api: DeployedApi, headers: dict[str, str]
) -> None:
    port = deployed_api.gateway_port
    headers = {name: value.format(port=port) for name, value in headers.items()}
    fault = json.dumps({"dynamodb": "PutItem", "count": 100}).encode()
    answer = http_request(
        port, "POST", "/@faults", {"Content-Type": "text/plain", **headers}, fault
    )
    assert answer.status in (403, 421)
    with connect(gateway_url) as ws:  # not armed: the function's PutItem goes through at once
        send_json(ws, {"action": "put_item"})
        assert receive_json(ws) == {"outcome": "put", "retries": 0}
