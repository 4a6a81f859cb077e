"""Print the one AWS region of an environment: that of its stack and of its state bucket alike.

`make bootstrap|plan|deploy|destroy` ask this for the region and pass it both to the state
bootstrap and to Terraform (`-var=region=…`), so the two cannot end up apart. It is, first found:
REGION=… (the make variable, given here as --region), AWS_REGION, AWS_DEFAULT_REGION, the region
of the AWS profile (AWS_PROFILE, else `default`, in ~/.aws/config). None of them is an error, and
so is a disagreeing setting: a backend.hcl (`make bootstrap` wrote it) with the state in another
region, or a TF_VAR_region or TF_STATE_REGION that differs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import botocore.session
from botocore.exceptions import ProfileNotFound

NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
BACKEND_REGION = re.compile(r'^\s*region\s*=\s*"([^"]*)"', re.MULTILINE)


class RegionError(Exception):
    """No region, or settings that disagree: the message says what to do."""


def profile_region() -> str | None:
    """The region of the AWS profile botocore would use (AWS_PROFILE, else default)."""
    try:
        region = botocore.session.Session().get_scoped_config().get("region")
    except ProfileNotFound as error:
        raise RegionError(f"{error}; set REGION=<region> or fix AWS_PROFILE") from error
    return str(region) if region else None


def resolve(
    explicit: str | None,
    environ: Mapping[str, str],
    profile: Callable[[], str | None] = profile_region,
) -> tuple[str, str]:
    """The region and where it came from."""
    named = [
        ("REGION", explicit),
        ("AWS_REGION", environ.get("AWS_REGION")),
        ("AWS_DEFAULT_REGION", environ.get("AWS_DEFAULT_REGION")),
    ]
    source, value = next(((s, v) for s, v in named if v), ("", None))
    if not value:
        source, value = f"AWS profile {environ.get('AWS_PROFILE') or 'default'}", profile()
    if not value:
        raise RegionError(
            "No AWS region: set REGION=<region> (e.g. make deploy ENV=dev REGION=eu-west-1),"
            " or AWS_REGION, or a region in your AWS profile (aws configure set region …)."
        )
    if not NAME.fullmatch(value):
        raise RegionError(f"{source} is {value!r}, not an AWS region name like eu-west-1.")
    return value, source


def backend_region(backend_file: Path) -> str | None:
    """The region of the state in a backend.hcl, if there is one that names it."""
    if not backend_file.is_file():
        return None
    found = BACKEND_REGION.search(backend_file.read_text())
    return found.group(1) if found else None


def check(region: str, source: str, environ: Mapping[str, str], backend_file: Path | None) -> None:
    """Refuse a setting that puts the state or the stack elsewhere."""
    for name in ("TF_VAR_region", "TF_STATE_REGION"):
        other = environ.get(name)
        if other and other != region:
            raise RegionError(
                f"{name} is {other}, but the region is {region} (from {source}): the stack and"
                f" its state share one region, set by REGION=…; set REGION={other} or unset {name}."
            )
    state = backend_region(backend_file) if backend_file else None
    if state and state != region:
        raise RegionError(
            f"{backend_file} keeps the state in {state}, but the region is {region} (from"
            f" {source}). Run with REGION={state}; or, to start over in {region}, delete"
            f" {backend_file} and run make bootstrap again (a new state bucket; the old state"
            f" and stack stay in {state})."
        )


def main(argv: list[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", help="REGION=…, when given")
    parser.add_argument("--backend-file", type=Path, help="the environment's backend.hcl")
    parser.add_argument("--announce", action="store_true", help="also print 'region: …' on stderr")
    args = parser.parse_args(argv)
    try:
        region, source = resolve(args.region, environ)
        check(region, source, environ, args.backend_file)
    except RegionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.announce:
        print(f"region: {region} (from {source})", file=sys.stderr)
    print(region)
    return 0


if __name__ == "__main__":
    sys.exit(main())
