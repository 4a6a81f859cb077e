"""The local stack's moto server (scripts/local_stack/moto_server.py, EMULATOR=moto) throttles a
DynamoDB operation when asked to. It no longer changes moto itself, so there is nothing of moto's
answers left to compare with moto_server's."""

import urllib.error
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local_stack.emulator import free_port, start_moto
from local_stack.moto_server import THROTTLE_PATH


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with open(tmp_path_factory.mktemp("moto") / "server.log", "wb") as log:
        server = start_moto("127.0.0.1", free_port(), log)
    try:
        yield server.endpoint
    finally:
        server.stop()


def throttle(endpoint: str, body: bytes) -> int:
    request = urllib.request.Request(f"{endpoint}{THROTTLE_PATH}", data=body, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_throttle_switch_throttles_one_operation_as_many_times_as_asked(moto: str):
    client = boto3.client(
        "dynamodb",
        endpoint_url=moto,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),
    )
    assert throttle(moto, b'{"operation": "ListTables", "count": 2}') == 204

    for _ in range(2):
        with pytest.raises(ClientError, match="ProvisionedThroughputExceededException"):
            client.list_tables()
    client.list_tables()  # the third is answered
    client.describe_limits()  # and other operations never were throttled

    assert throttle(moto, b'{"operation": "ListTables"}') == 400
    assert throttle(moto, b'{"operation": "ListTables", "count": 5}') == 204
    assert throttle(moto, b'{"operation": "ListTables", "count": 0}') == 204
    client.list_tables()
