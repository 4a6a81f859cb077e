"""scripts/deployment: the state bootstrap and the site upload of `make bootstrap|deploy`."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from deployment import bootstrap_state, upload_site


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def test_bootstrap_creates_a_private_versioned_state_bucket(emulator: str, tmp_path: Path) -> None:
    backend = tmp_path / "backend.hcl"
    args = ["--region", "eu-west-1", "--key", "serverless-chat/dev.tfstate"]
    assert (
        bootstrap_state.main([*args, "--backend-file", str(backend), "--endpoint-url", emulator])
        == 0
    )
    # The emulator's account: moto's is 123456789012, MiniStack's and LocalStack's 000000000000.
    account = boto3.client("sts", endpoint_url=emulator).get_caller_identity()["Account"]
    bucket = f"serverless-chat-tfstate-{account}-eu-west-1"
    assert backend.read_text().splitlines()[1:] == [
        f'bucket = "{bucket}"',
        'key    = "serverless-chat/dev.tfstate"',
        'region = "eu-west-1"',
    ]
    s3 = boto3.client("s3", endpoint_url=emulator, region_name="eu-west-1")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    # A second run finds the bucket and changes nothing.
    assert (
        bootstrap_state.main([*args, "--backend-file", str(backend), "--endpoint-url", emulator])
        == 0
    )


def test_upload_keeps_config_json_and_sets_cache_control(emulator: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3", endpoint_url=emulator)
    s3.create_bucket(Bucket="site")
    s3.put_object(Bucket="site", Key="config.json", Body=b'{"websocketUrl": "wss://x/prod"}')
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html>")
    (dist / "config.json").write_text('{"websocketUrl": "ws://dev-server"}')
    (dist / "assets" / "index-B2x9_aZq.js").write_text("console.log(1)")
    (dist / "favicon.svg").write_text("<svg/>")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "site_bucket_name": {"value": "site"},
                "distribution_id": {"value": None},
                "site_url": {"value": None},
                "websocket_url": {"value": "wss://x/prod"},
            }
        )
    )
    argv = ["--outputs", str(outputs), "--dist", str(dist), "--endpoint-url", emulator]
    assert upload_site.main(argv) == 0

    config = s3.get_object(Bucket="site", Key="config.json")["Body"].read()
    assert json.loads(config) == {"websocketUrl": "wss://x/prod"}, "config.json is Terraform's"
    index = s3.head_object(Bucket="site", Key="index.html")
    assert index["CacheControl"] == "no-cache"
    assert index["ContentType"].startswith("text/html")
    asset = s3.head_object(Bucket="site", Key="assets/index-B2x9_aZq.js")
    assert asset["CacheControl"] == "public, max-age=31536000, immutable"
    assert asset["ContentType"].startswith("text/javascript")
    assert s3.head_object(Bucket="site", Key="favicon.svg")["CacheControl"] == "no-cache"
