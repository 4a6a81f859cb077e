"""`AWS_IAM` on `$connect`: the upgrade GET must carry a SigV4 signature of the test
credentials for `execute-api`, in its headers or as a presigned URL; the connection's events
then carry who signed it in `requestContext.identity`."""

import json
import time

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    REGION,
    STAGE,
    DeployedApi,
    GatewayProcess,
    GatewayStarter,
    Route,
    deploy,
    echo,
    recorded_events,
)

TEST_CREDENTIALS = Credentials("test", "test")
# moto's STS for the test credentials (GetCallerIdentity)
MOTO_CALLER = {
    "accessKey": "test",
    "accountId": "123456789012",
    "caller": "AKIAIOSFODNN7EXAMPLE",
    "user": "AKIAIOSFODNN7EXAMPLE",
    "userArn": "arn:aws:sts::123456789012:user/moto",
}


class IamApi:
    """An API whose `$connect` is `AWS_IAM`, served by its own gateway on `port`."""

    def __init__(self, gateway: GatewayProcess, port: int, deployed: DeployedApi) -> None:
        self.gateway = gateway
        self.http_url = f"http://127.0.0.1:{port}/{STAGE}"  # what the client signs
        self.url = f"ws://127.0.0.1:{port}/{STAGE}"
        self.event_dir = deployed.event_dir

    def signed_headers(self, credentials: Credentials = TEST_CREDENTIALS) -> dict[str, str]:
        request = AWSRequest(method="GET", url=self.http_url)
        SigV4Auth(credentials, "execute-api", REGION).add_auth(request)
        return {name: request.headers[name] for name in ("Authorization", "X-Amz-Date")}

    def presigned_url(
        self, credentials: Credentials = TEST_CREDENTIALS, expires_s: int = 60
    ) -> str:
        request = AWSRequest(method="GET", url=self.http_url)
        SigV4QueryAuth(credentials, "execute-api", REGION, expires=expires_s).add_auth(request)
        return request.url.replace("http://", "ws://", 1)

    def refusal(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        """The refused handshake's status and JSON body."""
        with pytest.raises(InvalidStatus) as refused, connect(url, additional_headers=headers):
            pass
        response = refused.value.response
        assert response.headers["Content-Type"] == "application/json"
        return response.status_code, json.loads(response.body)


@pytest.fixture(scope="module")
def iam_api(deployed_api: DeployedApi, start_gateway: GatewayStarter) -> IamApi:
    api_id = deploy(
        deployed_api.endpoint,
        deployed_api.function_zip.read_bytes(),
        {"EVENT_DIR": str(deployed_api.event_dir)},
        routes={
            "$connect": Route("handlers.connect", 8),
            "$default": Route("handlers.echo", two_way=True),
            "$disconnect": Route("handlers.disconnect"),
        },
        api_name="iam-test",
        prefix="iam",
        connect_iam=True,
    )
    port = free_port()
    gateway = start_gateway(port=port, api=api_id)
    gateway.wait_for("Listening on")
    return IamApi(gateway, port, deployed_api)


def test_a_handshake_signed_in_its_headers_connects(iam_api: IamApi) -> None:
    with connect(iam_api.url, additional_headers=iam_api.signed_headers(), open_timeout=20) as ws:
        assert echo(ws)["event"]["requestContext"]["routeKey"] == "$default"


def test_a_presigned_url_connects(iam_api: IamApi) -> None:
    with connect(iam_api.presigned_url(), open_timeout=20) as ws:
        assert echo(ws)["event"]["requestContext"]["routeKey"] == "$default"


def test_every_event_of_a_signed_connection_carries_who_signed(iam_api: IamApi) -> None:
    with connect(iam_api.presigned_url(), open_timeout=20) as ws:
        message = echo(ws)["event"]
        connection_id = message["requestContext"]["connectionId"]
    (connected,) = recorded_events(iam_api.event_dir, "$connect", connection_id)
    (disconnected,) = recorded_events(iam_api.event_dir, "$disconnect", connection_id)
    for event in (connected, message, disconnected):
        identity = event["requestContext"]["identity"]
        assert identity == {
            **MOTO_CALLER,
            "sourceIp": "127.0.0.1",
            "userAgent": identity["userAgent"],
        }
    assert "X-Amz-Signature" in connected["queryStringParameters"]


def test_an_unsigned_handshake_is_refused_with_403(iam_api: IamApi) -> None:
    assert iam_api.refusal(iam_api.url) == (403, {"message": "Missing Authentication Token"})
    iam_api.gateway.wait_for("MissingAuthenticationTokenException")


@pytest.mark.parametrize("form", ["headers", "presigned"])
def test_a_signature_of_another_secret_is_refused_with_403(iam_api: IamApi, form: str) -> None:
    wrong = Credentials("test", "not-the-secret")
    if form == "headers":
        status, body = iam_api.refusal(iam_api.url, iam_api.signed_headers(wrong))
    else:
        status, body = iam_api.refusal(iam_api.presigned_url(wrong))
    assert status == 403
    assert body["message"].startswith("The request signature we calculated does not match")


def test_another_access_key_is_refused_with_403(iam_api: IamApi) -> None:
    status, body = iam_api.refusal(iam_api.presigned_url(Credentials("AKIAOTHER", "test")))
    assert (status, body) == (
        403,
        {"message": "The security token included in the request is invalid."},
    )


def test_an_expired_presigned_url_is_refused_with_403(iam_api: IamApi) -> None:
    url = iam_api.presigned_url(expires_s=1)
    time.sleep(2.1)
    status, body = iam_api.refusal(url)
    assert status == 403
    assert body["message"].startswith("Signature expired: ")
