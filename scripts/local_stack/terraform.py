"""``terraform apply`` of terraform/envs/local against the emulator, state kept under build/,
and ``run``, which drives any root the same way (the rehearsal of envs/dev uses it too).

The provider comes from wherever ``make`` told Terraform (``TF_CLI_CONFIG_FILE``: a filesystem
mirror when one is found, the registry elsewhere); outside ``make``, ``environment`` falls back
to the CLI config ``make`` wrote under build/.
"""

import json
import os
import re
import subprocess
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import IO, Any

import boto3

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV = ROOT / "terraform" / "envs" / "local"
CLI_CONFIG = ROOT / "build" / "terraform" / "cli.tfrc"
# Settings of the shell that would send the provider (or Terraform) elsewhere than asked.
LEAKING = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "TF_WORKSPACE", "TF_LOG", "TF_LOG_PATH")


class TerraformError(Exception):
    pass


# Now and then, on a loaded machine, MiniStack answers a create late or drops the connection after
# doing it; the SDK sends the request again and gets "already exists" (409) for what the first
# one made, which the state does not hold (the provider then retries a Lambda permission's
# conflict for 5 minutes before giving up). On AWS a create does not meet itself like this. An
# import does not work here (the roots' for_each keys are unknown before the apply completes), so
# the local apply deletes what its own create left behind in the emulator, which only this stack
# uses, and applies once more. Each pattern: the provider's error line, naming the resource.
_LEFT_BY_A_RETRY = {
    "lambda_permission": re.compile(
        r"Error: adding Lambda Permission \((?P<function>[^/)]+)/(?P<sid>[^)]+)\): [^\n]*"
        r"ResourceConflictException: The statement id \((?P=sid)\) provided already exists"
    ),
    "iam_role": re.compile(
        r"Error: creating IAM Role \((?P<role>[^)]+)\): [^\n]*EntityAlreadyExists"
    ),
}


def environment(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for a Terraform run with its working data in ``data_dir``,
    without the settings in LEAKING, with ``make``'s provider mirror config when
    TF_CLI_CONFIG_FILE names none, and ``extra`` on top."""
    result = {key: value for key, value in os.environ.items() if key not in LEAKING}
    result |= {"TF_DATA_DIR": str(data_dir), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    if not Path(result.get("TF_CLI_CONFIG_FILE", "/nonexistent")).is_file() and (
        CLI_CONFIG.is_file()
    ):
        result["TF_CLI_CONFIG_FILE"] = str(CLI_CONFIG)
    return result | dict(extra or {})


def apply(
    work_dir: Path, variables: dict[str, str], log: IO[bytes], *, refresh: bool = True
) -> dict[str, Any]:
    """Apply envs/local with ``variables``, state and working data in ``work_dir`` (so stacks
    in different directories never share them); return the outputs. ``refresh=False`` trusts
    the state instead of reading every resource back (a re-apply to the emulator it created)."""
    environment = {**os.environ, "TF_DATA_DIR": str(work_dir / "terraform-data")}
    state = work_dir / "terraform.tfstate"
    init = ["init", "-input=false", "-reconfigure", f"-backend-config=path={state}"]
    run(LOCAL_ENV, init, log, environment)
    var_args = [f"-var={name}={value}" for name, value in variables.items()]
    refreshing = [] if refresh else ["-refresh=false"]
    apply_args = ["apply", "-input=false", "-auto-approve", *refreshing, *var_args]
    started = log.tell()
    try:
        run(LOCAL_ENV, apply_args, log, environment)
    except TerraformError:
        if not remove_left_by_a_retry(_logged_since(log, started), variables["emulator_endpoint"]):
            raise
        run(LOCAL_ENV, apply_args, log, environment)
    return outputs(LOCAL_ENV, environment)


def _logged_since(log: IO[bytes], offset: int) -> str:
    log.flush()
    with open(log.name, "rb") as written:
        written.seek(offset)
        return written.read().decode(errors="replace")


def remove_left_by_a_retry(logged: str, endpoint: str) -> bool:
    """Delete from the emulator at ``endpoint`` each resource the apply that ``logged`` this
    found "already existing" (``_LEFT_BY_A_RETRY``); False when it found none."""
    session = boto3.session.Session(
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 (the emulator's, as for every local client)
        region_name="us-east-1",
    )
    found = False
    for error in _LEFT_BY_A_RETRY["lambda_permission"].finditer(logged):
        lambdas = session.client("lambda", endpoint_url=endpoint)
        lambdas.remove_permission(FunctionName=error["function"], StatementId=error["sid"])
        found = True
    for error in _LEFT_BY_A_RETRY["iam_role"].finditer(logged):
        iam = session.client("iam", endpoint_url=endpoint)
        name = error["role"]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
        iam.delete_role(RoleName=name)
        found = True
    return found


def outputs(root: Path, environment: Mapping[str, str]) -> dict[str, Any]:
    """The root's outputs, by name."""
    raw = subprocess.run(
        ["terraform", f"-chdir={root}", "output", "-json"],
        check=True,
        capture_output=True,
        env=environment,
    ).stdout
    return {name: output["value"] for name, output in json.loads(raw).items()}


def run(
    root: Path,
    arguments: list[str],
    log: IO[bytes],
    environment: Mapping[str, str],
    *,
    ok: Collection[int] = (0,),
) -> int:
    """``terraform -chdir=root <arguments> -no-color``, its output to ``log``; its exit status,
    which must be one of ``ok`` (TerraformError otherwise)."""
    result = subprocess.run(
        ["terraform", f"-chdir={root}", *arguments, "-no-color"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        check=False,
    )
    if result.returncode not in ok:
        raise TerraformError(
            f"terraform {arguments[0]} in {root} failed ({result.returncode}; "
            f"see {getattr(log, 'name', 'the log')})"
        )
    return result.returncode
