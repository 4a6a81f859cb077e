"""terraform/envs/local applied to the emulator EMULATOR chooses, re-planned (no drift), applied
again with auth_mode = "optional" (a user pool in the emulator's Cognito and the $connect
authorizer), and destroyed.

The test starts its own emulator on a free port (tests/terraform/conftest.py), applies the root with
`-var emulator_endpoint=...`, checks through boto3 clients made by localstack-client that
what AWS would hold is what the contract declares, requires `plan -detailed-exitcode` to be 0,
and destroys. Terraform's state and working directory live in a temporary directory, so the
repository (and a local stack someone else runs) is never touched.

Run through `make test-terraform` (it points Terraform at the provider mirror); directly,
`.venv/bin/pytest tests/terraform` uses build/terraform/cli.tfrc when `make` has written one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from localstack_client.session import Session

from local_stack import provider_log, rehearsal
from local_stack.rehearsal import MINISTACK_UNREAD
from local_stack.terraform import (
    APPLY_ATTEMPTS,
    environment,
    remove_left_by_a_retry,
    removing_statements_met_again,
)
from serverless_chat import contract

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV = ROOT / "terraform" / "envs" / "local"
NAME = "serverless-chat-local"
STAGE = "local"
WEBSOCKET_URL = "ws://127.0.0.1:8081/local"

# The contract: route key -> (function key, handler string), the limits, the environment.
ROUTES = {key: (route.function, route.handler) for key, route in contract.ROUTES.items()}
# function key -> handler: the private rooms' route keys share one function
FUNCTIONS = dict(ROUTES.values())
TABLES = ("connections", "messages", "handles", "rooms")
LIMITS = contract.LIMITS
# Every function's: the contract's environment.
ENVIRONMENT_KEYS = contract.ENVIRONMENT
AUTHORIZER = contract.document()["authorizer"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tf-local")


@pytest.fixture(scope="module")
def lambda_zip(workdir: Path) -> Path:
    """SERVERLESS_CHAT_LAMBDA_ZIP if given, else a throwaway zip (moto never runs the code)."""
    given = os.environ.get("SERVERLESS_CHAT_LAMBDA_ZIP")
    if given:
        return Path(given).resolve()
    path = workdir / "lambdas.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("serverless_chat/__init__.py", '"""placeholder package for the emulator"""\n')
    return path


class Terraform:
    def __init__(self, workdir: Path, endpoint: str, package: Path) -> None:
        self.endpoint = endpoint
        # The provider's requests, read while applying for what a resent create left behind
        # (local_stack/terraform.py), and kept for a failure's evidence.
        self.debug_log = workdir / "terraform-provider.log"
        self.env = environment(
            workdir / ".terraform",
            {"TF_LOG_PROVIDER": "DEBUG", "TF_LOG_PATH": str(self.debug_log)},
        )
        self.state = workdir / "terraform.tfstate"
        self.vars = [
            f"-var=emulator_endpoint={endpoint}",
            f"-var=lambda_package_path={package}",
            f"-var=websocket_url={WEBSOCKET_URL}",
        ]

    def apply(self) -> None:
        """As the local stack applies envs/local: what a resent create left is removed, and a
        failed apply run again when that was all (local_stack/terraform.py)."""
        for attempt in range(1, APPLY_ATTEMPTS + 1):
            with removing_statements_met_again(self.debug_log, self.endpoint):
                proc = self.run("apply", "-auto-approve", "-no-color", *self.vars, check=False)
            if proc.returncode == 0:
                return
            logged = proc.stdout + proc.stderr
            with self.debug_log.open(errors="replace") as lines:
                resent = provider_log.conflicts_met_by_a_resend(lines)
            if attempt == APPLY_ATTEMPTS or not remove_left_by_a_retry(
                logged, self.endpoint, resent
            ):
                pytest.fail(f"terraform apply failed ({proc.returncode}):\n{logged[-8000:]}")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["terraform", f"-chdir={LOCAL_ENV}", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and proc.returncode != 0:
            pytest.fail(
                f"terraform {args[0]} failed ({proc.returncode}):\n"
                f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
            )
        return proc


@pytest.fixture(scope="module")
def terraform(workdir: Path, emulator: str, lambda_zip: Path) -> Iterator[Terraform]:
    tf = Terraform(workdir, emulator, lambda_zip)
    tf.run("init", "-input=false", "-no-color", f"-backend-config=path={tf.state}")
    tf.apply()
    yield tf
    if tf.state.exists() and json.loads(tf.state.read_text()).get("resources"):
        tf.run("destroy", "-auto-approve", "-no-color", *tf.vars, check=False)


@pytest.fixture(scope="module")
def outputs(terraform: Terraform) -> dict[str, Any]:
    raw = json.loads(terraform.run("output", "-json").stdout)
    return {k: v["value"] for k, v in raw.items()}


@pytest.fixture(scope="module")
def aws(emulator: str) -> Session:
    return Session(localstack_host=emulator.removeprefix("http://"), region_name="us-east-1")


def test_replan_shows_no_drift(terraform: Terraform, emulator_kind: str, workdir: Path) -> None:
    plan = workdir / "replan.tfplan"
    proc = terraform.run(
        "plan", "-detailed-exitcode", "-no-color", f"-out={plan}", *terraform.vars, check=False
    )
    if emulator_kind != "ministack":
        assert proc.returncode == 0, (
            f"plan after apply is not empty:\n{proc.stdout[-6000:]}\n{proc.stderr}"
        )
        return
    assert proc.returncode in (0, 2), proc.stderr
    plan_json = json.loads(terraform.run("show", "-json", str(plan)).stdout)
    # What MiniStack does not read back (its alarms' attributes), listed with the reasons in
    # scripts/local_stack/rehearsal.py for the rehearsal of envs/dev as well.
    unexpected = rehearsal.drift(plan_json, MINISTACK_UNREAD)
    assert unexpected == {}, f"drift beyond what MiniStack reads back:\n{proc.stdout[-6000:]}"


def test_tables_and_room_index(terraform: Terraform, aws: Session) -> None:
    ddb = aws.client("dynamodb")
    connections = ddb.describe_table(TableName=f"{NAME}-connections")["Table"]
    assert connections["KeySchema"] == [{"AttributeName": "connectionId", "KeyType": "HASH"}]
    assert connections["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    indexes = {i["IndexName"]: i for i in connections["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == ["room-index", "user-index"]
    index = indexes["room-index"]
    assert index["KeySchema"] == [{"AttributeName": "roomId", "KeyType": "HASH"}]
    assert index["Projection"]["ProjectionType"] == "INCLUDE"
    assert sorted(index["Projection"]["NonKeyAttributes"]) == ["expiresAt", "guest", "username"]
    users = indexes["user-index"]
    assert users["KeySchema"] == [{"AttributeName": "userId", "KeyType": "HASH"}]
    assert users["Projection"]["ProjectionType"] == "KEYS_ONLY"

    messages = ddb.describe_table(TableName=f"{NAME}-messages")["Table"]
    assert messages["KeySchema"] == [
        {"AttributeName": "roomId", "KeyType": "HASH"},
        {"AttributeName": "seq", "KeyType": "RANGE"},
    ]
    handles = ddb.describe_table(TableName=f"{NAME}-handles")["Table"]
    assert handles["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert handles["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    for table in (f"{NAME}-connections", f"{NAME}-messages"):
        ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}
        backups = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        # envs/local turns recovery off (nothing to restore in an emulator); prod keeps it on.
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"


def test_each_function_has_the_zip_and_the_contract_environment(
    terraform: Terraform, aws: Session, lambda_zip: Path
) -> None:
    lam = aws.client("lambda")
    code_sha256 = base64.b64encode(hashlib.sha256(lambda_zip.read_bytes()).digest()).decode()
    roles = set()
    for function_key, handler in FUNCTIONS.items():
        config = lam.get_function(FunctionName=f"{NAME}-{function_key}")["Configuration"]
        assert config["Handler"] == handler
        assert config["Runtime"] == "python3.12"
        assert config["Architectures"] == ["x86_64"]
        assert config["CodeSha256"] == code_sha256
        env = config["Environment"]["Variables"]
        assert set(env) == ENVIRONMENT_KEYS
        assert env["CONNECTIONS_TABLE"] == f"{NAME}-connections"
        assert env["CONNECTIONS_ROOM_INDEX"] == "room-index"
        assert env["CONNECTIONS_USER_INDEX"] == "user-index"
        assert env["MESSAGES_TABLE"] == f"{NAME}-messages"
        assert env["ROOM_MEMBER_LIMIT"] == str(LIMITS["defaultRoomMemberLimit"])
        assert env["RATE_LIMIT_PER_SECOND"] == str(LIMITS["defaultRateLimitPerSecond"])
        assert env["RATE_LIMIT_BURST"] == str(LIMITS["defaultRateLimitBurst"])
        assert env["MESSAGE_RETENTION_DAYS"] == str(LIMITS["defaultMessageRetentionDays"])
        assert env["FANOUT_CONCURRENCY"] == "64"
        # Every local client shares 127.0.0.1: the caps per source address are off locally.
        assert env["CONNECTIONS_PER_ADDRESS"] == "0"
        assert env["CONNECTS_PER_ADDRESS_PER_MINUTE"] == "0"
        assert env["ENVIRONMENT"] == "local"
        assert env["POWERTOOLS_SERVICE_NAME"] == "serverless-chat"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "ServerlessChat"
        assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
        assert env["AUTH_MODE"] == "off"
        assert env["HANDLES_TABLE"] == f"{NAME}-handles"
        assert env["ROOMS_TABLE"] == f"{NAME}-rooms"
        roles.add(config["Role"])
    assert len(roles) == len(FUNCTIONS), "every function has a role of its own"


def test_routes_and_integrations(
    terraform: Terraform, aws: Session, outputs: dict[str, Any]
) -> None:
    apigw = aws.client("apigatewayv2")
    api_id = outputs["api_id"]
    api = apigw.get_api(ApiId=api_id)
    assert api["ProtocolType"] == "WEBSOCKET"
    assert api["RouteSelectionExpression"] == "$request.body.action"

    integrations = {i["IntegrationId"]: i for i in apigw.get_integrations(ApiId=api_id)["Items"]}
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api_id)["Items"]}
    assert set(routes) == set(ROUTES)
    for route_key, (function_key, _) in ROUTES.items():
        integration = integrations[routes[route_key]["Target"].removeprefix("integrations/")]
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert f":function:{NAME}-{function_key}/invocations" in integration["IntegrationUri"]

    stage = apigw.get_stage(ApiId=api_id, StageName=STAGE)
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert stage["AccessLogSettings"]["DestinationArn"].endswith(
        f":log-group:/aws/apigateway/{NAME}/{STAGE}/access"
    )
    # Every local client is 127.0.0.1: envs/local leaves the source IP out of the access log.
    access_log_fields = json.loads(stage["AccessLogSettings"]["Format"])
    assert "connectionId" in access_log_fields
    assert "sourceIp" not in access_log_fields


def test_log_groups_and_alarms(terraform: Terraform, aws: Session) -> None:
    logs = aws.client("logs")
    groups = {
        g["logGroupName"]: g.get("retentionInDays")
        for g in logs.describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]
    }
    for function_key in FUNCTIONS:
        assert groups[f"/aws/lambda/{NAME}-{function_key}"] == 30
    # envs/local keeps the access log a day (prod's default is 7, README's Data and privacy).
    assert groups[f"/aws/apigateway/{NAME}/{STAGE}/access"] == 1

    alarms = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix=NAME)["MetricAlarms"]
    metrics = sorted({(a["Namespace"], a["MetricName"]) for a in alarms})
    assert metrics == [
        ("AWS/ApiGateway", "ExecutionError"),
        ("AWS/ApiGateway", "IntegrationError"),
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("ServerlessChat", "StaleConnectionsRemoved"),
    ]
    assert len(alarms) == 2 * len(FUNCTIONS) + 2 + 2 * len(TABLES) + 1
    topics = {a for alarm in alarms for a in alarm["AlarmActions"]}
    assert len(topics) == 1
    assert topics.pop().endswith(f":{NAME}-alarms")


def test_config_json_points_at_the_local_data_plane(
    terraform: Terraform, aws: Session, outputs: dict[str, Any]
) -> None:
    s3 = aws.client("s3")
    obj = s3.get_object(Bucket=outputs["site_bucket_name"], Key="config.json")
    assert json.loads(obj["Body"].read()) == {
        "websocketUrl": WEBSOCKET_URL,
        "authMode": "off",
        "userPoolId": "",
        "userPoolClientId": "",
        "cognitoEndpoint": "",
    }
    assert obj["CacheControl"] == "no-cache"
    assert obj["ContentType"] == "application/json"
    block = s3.get_public_access_block(Bucket=outputs["site_bucket_name"])[
        "PublicAccessBlockConfiguration"
    ]
    assert all(block.values())


def test_auth_optional_adds_a_user_pool_and_the_connect_authorizer(
    terraform: Terraform, aws: Session, emulator: str
) -> None:
    """The same stack applied again with sign-in: an upgrade in place, $connect moving to the
    authorized route."""
    terraform.vars.append("-var=auth_mode=optional")
    terraform.apply()
    raw = json.loads(terraform.run("output", "-json").stdout)
    outputs = {k: v["value"] for k, v in raw.items()}
    sign_in = outputs["sign_in"]
    assert sign_in["auth_mode"] == "optional"
    assert sign_in["cognito_endpoint"] == emulator
    assert sign_in["origin"] == emulator

    cognito = aws.client("cognito-idp")
    pool = cognito.describe_user_pool(UserPoolId=sign_in["user_pool_id"])["UserPool"]
    assert pool["Name"] == f"{NAME}-users"
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["MfaConfiguration"] == "OPTIONAL"
    client = cognito.describe_user_pool_client(
        UserPoolId=pool["Id"], ClientId=sign_in["user_pool_client_id"]
    )["UserPoolClient"]
    assert sorted(client["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert "ClientSecret" not in client

    lam = aws.client("lambda")
    authorizer = lam.get_function(FunctionName=f"{NAME}-{AUTHORIZER['function']}")["Configuration"]
    assert authorizer["Handler"] == AUTHORIZER["handler"]
    env = authorizer["Environment"]["Variables"]
    assert set(env) == ENVIRONMENT_KEYS | set(AUTHORIZER["environment"])
    assert env["AUTH_MODE"] == "optional"
    assert env["TOKEN_ISSUER"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool['Id']}"
    assert env["TOKEN_AUDIENCE"] == client["ClientId"]
    assert env["TOKEN_USE"] == "id"
    # MiniStack's own keys, where it serves them (never derived from the AWS issuer URL).
    assert env["JWKS_URL"] == f"{emulator}/{pool['Id']}/.well-known/jwks.json"
    for function_key in FUNCTIONS:
        config = lam.get_function(FunctionName=f"{NAME}-{function_key}")["Configuration"]
        assert config["Environment"]["Variables"]["AUTH_MODE"] == "optional"

    apigw = aws.client("apigatewayv2")
    (found,) = apigw.get_authorizers(ApiId=outputs["api_id"])["Items"]
    assert found["AuthorizerType"] == "REQUEST"
    assert f":function:{NAME}-{AUTHORIZER['function']}/invocations" in found["AuthorizerUri"]
    assert not found.get("IdentitySource"), "optional: API Gateway calls it for guests too"
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=outputs["api_id"])["Items"]}
    assert set(routes) == set(ROUTES)
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    assert routes["$connect"]["AuthorizerId"] == found["AuthorizerId"]
    assert {r["AuthorizationType"] for k, r in routes.items() if k != "$connect"} == {"NONE"}

    s3 = aws.client("s3")
    config_json = s3.get_object(Bucket=outputs["site_bucket_name"], Key="config.json")["Body"]
    assert json.loads(config_json.read()) == {
        "websocketUrl": WEBSOCKET_URL,
        "authMode": "optional",
        "userPoolId": pool["Id"],
        "userPoolClientId": client["ClientId"],
        "cognitoEndpoint": emulator,
    }


def test_destroy_removes_everything(terraform: Terraform, aws: Session) -> None:
    terraform.run("destroy", "-auto-approve", "-no-color", *terraform.vars)
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
    assert aws.client("lambda").list_functions()["Functions"] == []
    assert aws.client("apigatewayv2").get_apis()["Items"] == []
    assert aws.client("s3").list_buckets()["Buckets"] == []
    assert aws.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
