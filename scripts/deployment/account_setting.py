"""Read the account's API Gateway CloudWatch Logs role (`aws apigateway get-account`).

There is one such setting per account and region, and terraform/envs/account decides from it
whether to create, keep, import or adopt the role; the AWS provider has no data source for it. So
`make account` runs this first and passes what it prints (the ARN, or an empty line when none is
registered) as `-var=registered_role_arn=…`.

`--require` is `make deploy`'s check before envs/dev or envs/prod are applied: their stages log to
CloudWatch, which fails ("CloudWatch Logs role ARN must be set in account settings") when no role
is registered; and a registered role that no longer exists silently stops every API's logs. Either
way it stops and says to run `make account` first.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import boto3
from botocore.exceptions import ClientError


class AccountSettingError(Exception):
    """The setting is missing or names a role that is gone: the message says what to do."""


def registered_role_arn(apigateway: Any) -> str:
    """The role ARN the account's API Gateway setting names, or "" when none."""
    return str(apigateway.get_account().get("cloudwatchRoleArn") or "")


def role_exists(iam: Any, role_arn: str) -> bool | None:
    """Whether the role exists; None when this identity may not look (then it is not judged)."""
    try:
        iam.get_role(RoleName=role_arn.rsplit("/", 1)[-1])
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code == "NoSuchEntity":
            return False
        if code in ("AccessDenied", "AccessDeniedException"):
            return None
        raise
    return True


def require(apigateway: Any, iam: Any, region: str, env: str) -> str:
    """The registered role ARN, or AccountSettingError when deploying would fail or log nothing."""
    arn = registered_role_arn(apigateway)
    fix = (
        f"Run `make account ENV={env}` first (`make bootstrap ENV={env}` does too): it registers a"
        " role, or adopts the one another stack registered. See terraform/README.md."
    )
    if not arn:
        raise AccountSettingError(
            f"API Gateway in {region} has no CloudWatch Logs role in its account settings, so the"
            f" {env} stage (access and execution logs) cannot be created. {fix}"
        )
    if role_exists(iam, arn) is False:
        raise AccountSettingError(
            f"API Gateway in {region} names the CloudWatch Logs role {arn}, which no longer exists:"
            f" no API in the region can write its logs. {fix}"
        )
    return arn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True, help="the environment's region")
    parser.add_argument(
        "--require",
        metavar="ENV",
        help="fail (naming ENV in the advice) unless a role that exists is registered",
    )
    parser.add_argument("--endpoint-url", help="API Gateway/IAM endpoint (an emulator, for tests)")
    args = parser.parse_args(argv)

    session = boto3.session.Session(region_name=args.region)
    apigateway = session.client("apigateway", endpoint_url=args.endpoint_url)
    if args.require is None:
        print(registered_role_arn(apigateway))
        return 0
    iam = session.client("iam", endpoint_url=args.endpoint_url)
    try:
        arn = require(apigateway, iam, args.region, args.require)
    except AccountSettingError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"API Gateway CloudWatch Logs role ({args.region}): {arn}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
