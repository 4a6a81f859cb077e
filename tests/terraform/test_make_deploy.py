"""`make bootstrap|plan|destroy|account|account-destroy ENV=dev` run for real on a fresh copy of
the repository, with a stand-in for `terraform` first on PATH that records each call (and
`make bootstrap` and the account setting against the emulator): plan and destroy build
build/lambdas.zip before Terraform reads it, the state bucket and the stack get one region, and
envs/account is destroyed on the state it was applied with."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the deployment targets read; .venv is shared (never reinstalled from the copy: -o below).
COPIED = ("Makefile", "pyproject.toml", "lambdas", "scripts", "terraform")
NOT_COPIED = shutil.ignore_patterns(
    "__pycache__", "*.egg-info", ".terraform", "backend.hcl", "node_modules"
)
FAKE_TERRAFORM = """#!/usr/bin/env bash
# Stands in for terraform: one line per call, saying whether build/lambdas.zip was there.
if [ -f build/lambdas.zip ]; then zip=zip; else zip=no-zip; fi
echo "$zip $*" >> "$FAKE_TERRAFORM_LOG"
# `state list` answers FAKE_STATE (one address a line), when given.
if [ "$2 $3" = "state list" ] && [ -n "${FAKE_STATE:-}" ]; then printf '%s\n' "$FAKE_STATE"; fi
"""


class Repository:
    def __init__(self, path: Path, bin_dir: Path) -> None:
        self.path = path
        self.log = bin_dir / "terraform.log"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MAKE", "TF_", "AWS_")) and k not in ("REGION", "CONFIRM")
        }
        self.env |= {
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "FAKE_TERRAFORM_LOG": str(self.log),
        }

    def make(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", "-o", ".venv/bin/.local", *args],
            cwd=self.path,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def terraform_calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def copy_repository(tmp_path: Path, fake_terraform: str = FAKE_TERRAFORM) -> tuple[Path, Path]:
    """The repository's COPIED files under tmp_path (its .venv linked), and a bin directory
    holding `fake_terraform` as `terraform`: (the copy, the bin directory)."""
    copy = tmp_path / "repository"
    for relative in COPIED:
        source = ROOT / relative
        if source.is_dir():
            shutil.copytree(source, copy / relative, ignore=NOT_COPIED)
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy2(source, copy / relative)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "terraform").write_text(fake_terraform)
    (bin_dir / "terraform").chmod(0o755)
    return copy, bin_dir


@pytest.fixture
def repository(tmp_path: Path) -> Repository:
    return Repository(*copy_repository(tmp_path))


@pytest.mark.parametrize("target", ["plan", "destroy"])
def test_plan_and_destroy_build_the_zip_first(repository: Repository, target: str) -> None:
    assert not (repository.path / "build" / "lambdas.zip").exists()
    proc = repository.make(
        target, "ENV=dev", "TF_STATE_BUCKET=stub-bucket", "AUTO_APPROVE=1", "REGION=us-east-1"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = repository.terraform_calls()
    # destroy first drops the account's CloudWatch role from an earlier state (none here).
    forget = [["-chdir=terraform/envs/dev", "state"]] if target == "destroy" else []
    assert [call.split()[1:3] for call in calls] == [
        ["-chdir=terraform/envs/dev", "init"],
        *forget,
        ["-chdir=terraform/envs/dev", target],
    ]
    assert calls[-1].startswith("zip "), calls


def test_destroy_forgets_the_account_role_an_earlier_dev_held(repository: Repository) -> None:
    """`terraform destroy` ignores removed blocks: make destroy drops those addresses first."""
    held = [
        "module.chat.module.websocket_api.aws_api_gateway_account.this[0]",
        "module.chat.module.websocket_api.aws_iam_role.cloudwatch[0]",
        "module.chat.module.websocket_api.aws_iam_role_policy_attachment.cloudwatch[0]",
    ]
    state = ["module.chat.module.tables.aws_dynamodb_table.connections", *held]
    proc = repository.make(
        "destroy",
        "ENV=dev",
        "TF_STATE_BUCKET=stub-bucket",
        "AUTO_APPROVE=1",
        "REGION=us-east-1",
        FAKE_STATE="\n".join(state),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    calls = [call.split(maxsplit=1)[1] for call in repository.terraform_calls()]
    removed = [call.rsplit(" ", 1)[1] for call in calls if " state rm " in call]
    assert sorted(removed) == sorted(held), calls
    assert calls[-1].startswith("-chdir=terraform/envs/dev destroy"), "after the state rm"
    assert "forgetting module.chat.module.websocket_api.aws_iam_role.cloudwatch[0]" in proc.stdout


def test_bootstrap_plan_and_destroy_share_the_region_of_aws_region(
    repository: Repository, emulator: str
) -> None:
    """`AWS_REGION=eu-west-1 make bootstrap`, plan, destroy: the state and stack in eu-west-1."""
    aws = {
        "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL": emulator,  # boto3 in scripts/deployment/bootstrap_state.py
        "AWS_CONFIG_FILE": "/nonexistent",
    }
    bootstrap = repository.make("bootstrap", "ENV=dev", **aws)
    assert bootstrap.returncode == 0, bootstrap.stdout + bootstrap.stderr
    assert "region: eu-west-1 (from AWS_REGION)" in bootstrap.stderr
    backend = repository.path / "terraform" / "envs" / "dev" / "backend.hcl"
    assert 'region = "eu-west-1"' in backend.read_text()
    # ... and then applies envs/account there, its state beside dev's, with the setting it read.
    account_init, account_apply = repository.terraform_calls()[-2:]
    assert account_init.split()[1:3] == ["-chdir=terraform/envs/account", "init"]
    assert "-backend-config=key=serverless-chat/account-eu-west-1.tfstate" in account_init.split()
    assert account_apply.split()[1:3] == ["-chdir=terraform/envs/account", "apply"]
    assert "-var=region=eu-west-1" in account_apply.split()
    assert "-var=registered_role_arn=" in account_apply.split(), "none registered yet"

    for target in ("plan", "destroy"):
        proc = repository.make(target, "ENV=dev", "AUTO_APPROVE=1", **aws)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "region: eu-west-1 (from AWS_REGION)" in proc.stderr
        assert "state: terraform/envs/dev/backend.hcl (eu-west-1)" in proc.stdout
        calls = repository.terraform_calls()
        init = next(call for call in reversed(calls) if "init" in call.split())
        run = calls[-1]
        assert "-backend-config=backend.hcl" in init.split()
        assert run.split()[2] == target
        assert "-var=region=eu-west-1" in run.split(), run

    # Another region for the stack than the state's is refused before Terraform runs.
    calls = len(repository.terraform_calls())
    other = repository.make("plan", "ENV=dev", "REGION=us-east-1", **aws)
    assert other.returncode != 0
    assert "keeps the state in eu-west-1, but the region is us-east-1 (from REGION)" in other.stderr
    assert len(repository.terraform_calls()) == calls


def test_no_region_anywhere_stops_before_terraform(repository: Repository) -> None:
    proc = repository.make(
        "plan", "ENV=dev", "TF_STATE_BUCKET=stub-bucket", AWS_CONFIG_FILE="/nonexistent"
    )
    assert proc.returncode != 0
    assert "No AWS region: set REGION=<region>" in proc.stderr
    assert repository.terraform_calls() == []


def test_deploy_stops_until_a_cloudwatch_role_is_registered(
    repository: Repository, emulator: str
) -> None:
    """Without envs/account applied, `make deploy` says so before packaging or Terraform."""
    proc = repository.make(
        "deploy",
        "ENV=dev",
        "TF_STATE_BUCKET=stub-bucket",
        "REGION=ap-southeast-2",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_ENDPOINT_URL=emulator,
        AWS_CONFIG_FILE="/nonexistent",
    )
    assert proc.returncode != 0
    assert "API Gateway in ap-southeast-2 has no CloudWatch Logs role" in proc.stderr
    assert "Run `make account ENV=dev` first" in proc.stderr
    assert repository.terraform_calls() == []
    assert not (repository.path / "build" / "lambdas.zip").exists()


def test_account_destroy_destroys_envs_account_on_the_state_make_account_applied(
    repository: Repository, emulator: str
) -> None:
    """`make account ENV=dev`, then `make account-destroy ENV=dev`: the same state key, region and
    registered role for both; destroy only with AUTO_APPROVE=1 skips Terraform's question."""
    region = "ca-central-1"  # a setting of its own on the module's emulator
    aws = {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL": emulator,  # boto3 in scripts/deployment/account_setting.py
        "AWS_CONFIG_FILE": "/nonexistent",
    }
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=region
    )
    account = session.client("sts", endpoint_url=emulator).get_caller_identity()["Account"]
    role_arn = f"arn:aws:iam::{account}:role/serverless-chat-apigateway-cloudwatch-{region}"
    session.client("apigateway", endpoint_url=emulator).update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role_arn}]
    )
    state = ["ENV=dev", "TF_STATE_BUCKET=stub-bucket", f"REGION={region}"]

    applied = repository.make("account", *state, **aws)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    destroyed = repository.make("account-destroy", *state, "AUTO_APPROVE=1", **aws)
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    assert f"registered in {region}: {role_arn}" in destroyed.stdout

    calls = [call.split()[1:] for call in repository.terraform_calls()]
    assert [call[:2] for call in calls] == [
        ["-chdir=terraform/envs/account", "init"],
        ["-chdir=terraform/envs/account", "apply"],
        ["-chdir=terraform/envs/account", "init"],
        ["-chdir=terraform/envs/account", "destroy"],
    ]
    key = f"-backend-config=key=serverless-chat/account-{region}.tfstate"
    assert key in calls[0]
    assert key in calls[2]
    for run in (calls[1], calls[3]):
        assert f"-var=region={region}" in run
        assert f"-var=registered_role_arn={role_arn}" in run
    assert "-auto-approve" in calls[3]

    # Without AUTO_APPROVE=1 Terraform asks (the stand-in answers nothing); prod needs CONFIRM=1.
    asked = repository.make("account-destroy", *state, **aws)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert "-auto-approve" not in repository.terraform_calls()[-1].split()
    before = len(repository.terraform_calls())
    prod = repository.make("account-destroy", "ENV=prod", *state[1:], **aws)
    assert prod.returncode != 0
    assert "CONFIRM=1" in prod.stderr
    assert len(repository.terraform_calls()) == before
