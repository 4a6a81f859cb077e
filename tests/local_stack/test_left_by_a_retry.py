"""The local apply's repair of a create that met itself (scripts/local_stack/terraform.py): a
Lambda permission the provider's AddPermission finds already existing is deleted from the
emulator while the apply runs, so the provider's own retry adds it; what a failed apply's "already
exists" errors name is deleted, so the apply run once more creates it under the state. Driven by
the real provider against the stack's emulator, and with the provider's own error lines as a
failed apply logged them."""

import json
import textwrap
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from local_stack import provider_log, terraform
from local_stack.stack import LocalStack
from tests.local_gateway.gateway_support import aws_client
from tests.local_stack.test_provider_log import met_again_entries

# As the provider logged them in a failed fresh-clone run (the request id shortened).
PERMISSION_ERROR = (
    "Error: adding Lambda Permission ({function}/{sid}): operation error Lambda: AddPermission, "
    "https response error StatusCode: 409, RequestID: b96331a7, ResourceConflictException: The "
    "statement id ({sid}) provided already exists. Please provide a new statement id, or remove "
    "the existing statement."
)
ROLE_ERROR = (
    "Error: creating IAM Role ({role}): operation error IAM: CreateRole, https response error "
    "StatusCode: 409, RequestID: 5d2c, EntityAlreadyExists: Role with name {role} already exists."
)


# A function role's trust policy, as the stack's roles have it.
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def statement_ids(lambdas, function: str) -> list[str]:  # type: ignore[no-untyped-def]
    policy = json.loads(lambdas.get_policy(FunctionName=function)["Policy"])
    return [statement["Sid"] for statement in policy["Statement"]]


def test_what_a_retried_create_left_is_deleted_and_nothing_else(stack: LocalStack) -> None:
    lambdas = aws_client("lambda", stack.emulator_endpoint)
    iam = aws_client("iam", stack.emulator_endpoint)
    function = "serverless-chat-local-disconnect"
    lambdas.add_permission(
        FunctionName=function,
        StatementId="LeftByARetry",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
    )
    role = "serverless-chat-left-by-a-retry"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=json.dumps(policy))
    before = statement_ids(lambdas, function)

    logged = "\n".join(
        [
            "module.chat...: Still creating... [5m0s elapsed]",
            PERMISSION_ERROR.format(function=function, sid="LeftByARetry"),
            ROLE_ERROR.format(role=role),
        ]
    )
    assert terraform.remove_left_by_a_retry(logged, stack.emulator_endpoint)

    assert statement_ids(lambdas, function) == [sid for sid in before if sid != "LeftByARetry"]
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName=role)


def test_a_role_that_was_there_before_the_apply_is_left_alone(stack: LocalStack) -> None:
    """Its CreateRole was not resent: a real conflict (the account root adopts roles, and its
    tests must see one), not what a resend left."""
    iam = aws_client("iam", stack.emulator_endpoint)
    role = "serverless-chat-there-before"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))
    try:
        logged = ROLE_ERROR.format(role=role)
        assert not terraform.remove_left_by_a_retry(logged, stack.emulator_endpoint, resent=set())
        assert iam.get_role(RoleName=role)["Role"]["RoleName"] == role
    finally:
        iam.delete_role(RoleName=role)


def test_any_other_failure_is_left_to_fail(stack: LocalStack) -> None:
    logged = "Error: creating DynamoDB Table (chat): ValidationException: One or more parameter"
    assert not terraform.remove_left_by_a_retry(logged, stack.emulator_endpoint)


# A root of one Lambda permission on a function of the stack, through the stack's emulator.
PERMISSION_ROOT = textwrap.dedent(
    """
    variable "endpoint" {
      type = string
    }

    provider "aws" {
      region                      = "us-east-1"
      access_key                  = "test"
      secret_key                  = "test"
      skip_credentials_validation = true
      skip_metadata_api_check     = true
      skip_requesting_account_id  = true
      endpoints {
        lambda = var.endpoint
        sts    = var.endpoint
      }
    }

    resource "aws_lambda_permission" "met_again" {
      function_name = "serverless-chat-local-disconnect"
      statement_id  = "MetAgain"
      action        = "lambda:InvokeFunction"
      principal     = "apigateway.amazonaws.com"
    }
    """
)


def test_a_permission_met_again_is_removed_and_the_providers_retry_adds_it(
    stack: LocalStack, tmp_path: Path
) -> None:
    """As when the SDK resent an AddPermission that went through: the statement is already in
    the emulator when the provider adds it. Without the removal the provider retries the 409 for
    5 minutes and fails; with it, its next attempt succeeds and the apply completes."""
    lambdas = aws_client("lambda", stack.emulator_endpoint)
    function = "serverless-chat-local-disconnect"
    lambdas.add_permission(
        FunctionName=function,
        StatementId="MetAgain",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
    )
    (tmp_path / "main.tf").write_text(PERMISSION_ROOT)
    debug_log = tmp_path / "provider.log"
    environment = terraform.environment(
        tmp_path / "data", {"TF_LOG_PROVIDER": "DEBUG", "TF_LOG_PATH": str(debug_log)}
    )
    with (tmp_path / "terraform.log").open("wb") as log:
        terraform.run(tmp_path, ["init", "-input=false"], log, environment)
        try:
            with terraform.removing_statements_met_again(debug_log, stack.emulator_endpoint):
                terraform.run(
                    tmp_path,
                    [
                        "apply",
                        "-input=false",
                        "-auto-approve",
                        f"-var=endpoint={stack.emulator_endpoint}",
                    ],
                    log,
                    environment,
                )
        finally:
            with debug_log.open() as lines:
                met_again = provider_log.statements_met_again(lines)
            lambdas.remove_permission(FunctionName=function, StatementId="MetAgain")

    assert met_again == {(function, "MetAgain")}  # the provider did meet it: a 409, then a retry
    state = json.loads((tmp_path / "terraform.tfstate").read_text())
    assert [resource["name"] for resource in state["resources"]] == ["met_again"]


def test_an_earlier_runs_conflicts_are_not_removed_again(stack: LocalStack, tmp_path: Path) -> None:
    """A re-apply's removal reads only its own run's log: a statement removed and re-added by
    the first run is in the state now, and stays."""
    lambdas = aws_client("lambda", stack.emulator_endpoint)
    function = "serverless-chat-local-disconnect"
    debug_log = tmp_path / "provider.log"
    debug_log.write_text(met_again_entries(function, "AddedByTheFirstRun"))
    lambdas.add_permission(
        FunctionName=function,
        StatementId="AddedByTheFirstRun",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
    )
    try:
        with terraform.removing_statements_met_again(debug_log, stack.emulator_endpoint):
            time.sleep(3 * terraform.SWEEP_PERIOD_S)
            with debug_log.open("a") as log:
                log.write("2026-12-04T02:21:53.000Z [DEBUG] provider: HTTP Request Sent: x=y\n")
            time.sleep(3 * terraform.SWEEP_PERIOD_S)
        assert "AddedByTheFirstRun" in statement_ids(lambdas, function)
    finally:
        lambdas.remove_permission(FunctionName=function, StatementId="AddedByTheFirstRun")
