"""Create the S3 bucket that holds Terraform state (when missing) and write a backend.hcl.

`make bootstrap ENV=dev|prod` runs this with the deploying identity's credentials. The bucket is
versioned, encrypted, private (public access blocked, ACLs disabled) and refuses plain HTTP.
Terraform >= 1.10 locks state with a lock file in the same bucket (`use_lockfile = true`), so
no DynamoDB lock table is needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError


def ensure_bucket(s3: Any, bucket: str, region: str) -> bool:
    """Create and harden `bucket`; return False when it already existed."""
    try:
        s3.head_bucket(Bucket=bucket)
        created = False
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
            raise  # 403: the name is taken by another account, or no permission
        kwargs: dict[str, object] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
        s3.get_waiter("bucket_exists").wait(Bucket=bucket)
        created = True
    # Idempotent hardening, also for a bucket that existed.
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    return created


def main(argv: list[str] | None = None, session: boto3.session.Session | None = None) -> int:
    """`session`: the boto3 session to call AWS with (a test's, to record the calls)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True, help="region of the state bucket")
    parser.add_argument(
        "--key", required=True, help="state object key, e.g. serverless-chat/dev.tfstate"
    )
    parser.add_argument("--backend-file", required=True, type=Path, help="backend.hcl to write")
    parser.add_argument(
        "--bucket", help="bucket name (default: serverless-chat-tfstate-<account>-<region>)"
    )
    parser.add_argument("--endpoint-url", help="S3/STS endpoint (an emulator, for tests)")
    args = parser.parse_args(argv)

    session = session or boto3.session.Session(region_name=args.region)
    sts = session.client("sts", region_name=args.region, endpoint_url=args.endpoint_url)
    account = sts.get_caller_identity()["Account"]
    bucket = args.bucket or f"serverless-chat-tfstate-{account}-{args.region}"
    s3 = session.client("s3", region_name=args.region, endpoint_url=args.endpoint_url)
    created = ensure_bucket(s3, bucket, args.region)
    print(
        f"state bucket s3://{bucket} ({args.region}, account {account}):",
        "created" if created else "already there",
    )

    args.backend_file.write_text(
        "# Written by `make bootstrap`; read by `make plan|deploy|destroy`"
        " (terraform init -backend-config).\n"
        f'bucket = "{bucket}"\nkey    = "{args.key}"\nregion = "{args.region}"\n'
    )
    print(f"wrote {args.backend_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
