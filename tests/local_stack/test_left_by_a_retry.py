"""The local apply's repair of a create that met itself (scripts/local_stack/terraform.py): what
the provider's "already exists" errors name is deleted from the emulator, so the apply run once
more creates it under the state. Driven with the provider's own error lines, as a failed apply
logged them, against the stack's emulator."""

import json

import pytest
from botocore.exceptions import ClientError

from local_stack import terraform
from local_stack.stack import LocalStack
from tests.local_gateway.gateway_support import aws_client

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
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
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


def test_any_other_failure_is_left_to_fail(stack: LocalStack) -> None:
    logged = "Error: creating DynamoDB Table (chat): ValidationException: One or more parameter"
    assert not terraform.remove_left_by_a_retry(logged, stack.emulator_endpoint)
