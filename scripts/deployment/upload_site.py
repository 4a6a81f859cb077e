"""Upload the built frontend around Terraform's config.json, invalidate CloudFront, print URLs.

`make deploy` runs this after `terraform apply` and `make frontend`. Rules:
- config.json belongs to Terraform: a config.json in the build is skipped, and nothing in the
  bucket is ever deleted (old hashed assets stay for pages that are still open; bucket
  versioning expires overwritten versions).
- HTML and other unhashed files are sent with `Cache-Control: no-cache`; content-hashed assets
  (Vite's `name-<hash>.ext`, under assets/) with a one-year immutable cache.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import re
import sys
import time
from pathlib import Path
from typing import Any

import boto3

CONFIG_KEY = "config.json"
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
HASHED = re.compile(r"[-.][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$")


def cache_control(key: str) -> str:
    if key.endswith(".html") or key == CONFIG_KEY:
        return NO_CACHE
    if key.startswith("assets/") and HASHED.search(key):
        return IMMUTABLE
    return NO_CACHE


def content_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix in (".js", ".mjs"):
        return "text/javascript; charset=utf-8"
    if guessed and (
        guessed.startswith("text/") or guessed in ("application/json", "image/svg+xml")
    ):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def upload(s3: Any, bucket: str, dist: Path) -> int:
    count = 0
    # index.html last: a page never references assets that are not uploaded yet.
    files = sorted(
        (p for p in dist.rglob("*") if p.is_file()), key=lambda p: (p.name == "index.html", str(p))
    )
    for path in files:
        key = path.relative_to(dist).as_posix()
        if key == CONFIG_KEY:
            print(f"  skip {key} (written by Terraform)")
            continue
        s3.upload_file(
            str(path),
            bucket,
            key,
            ExtraArgs={"ContentType": content_type(path), "CacheControl": cache_control(key)},
        )
        count += 1
    return count


def main(argv: list[str] | None = None, session: boto3.session.Session | None = None) -> int:
    """`session`: the boto3 session to call AWS with (a test's, to record the calls)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--outputs", required=True, type=Path, help="`terraform output -json` of the env"
    )
    parser.add_argument("--dist", required=True, type=Path, help="built frontend (frontend/dist)")
    parser.add_argument("--endpoint-url", help="AWS endpoint (the local emulator)")
    args = parser.parse_args(argv)

    outputs = {k: v["value"] for k, v in json.loads(args.outputs.read_text()).items()}
    if not (args.dist / "index.html").is_file():
        print(f"{args.dist}/index.html is missing: run `make frontend` first", file=sys.stderr)
        return 1
    session = session or boto3.session.Session()
    s3 = session.client("s3", endpoint_url=args.endpoint_url)
    bucket = outputs["site_bucket_name"]
    print(f"uploading {args.dist} to s3://{bucket}")
    print(f"  {upload(s3, bucket, args.dist)} files")

    distribution = outputs.get("distribution_id")
    if distribution:
        cloudfront = session.client("cloudfront", endpoint_url=args.endpoint_url)
        invalidation = cloudfront.create_invalidation(
            DistributionId=distribution,
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": str(time.time_ns()),
            },
        )
        print(
            f"invalidation {invalidation['Invalidation']['Id']}",
            f"of distribution {distribution} started",
        )

    print(f"site:      {outputs.get('site_url') or '(no CDN in this environment: make site)'}")
    print(f"websocket: {outputs['websocket_url']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
