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
import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from local_stack import provider_log

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV = ROOT / "terraform" / "envs" / "local"
CLI_CONFIG = ROOT / "build" / "terraform" / "cli.tfrc"
# Settings of the shell that would send the provider (or Terraform) elsewhere than asked.
LEAKING = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "TF_WORKSPACE", "TF_LOG", "TF_LOG_PATH")


SWEEP_PERIOD_S = 1.0  # how often a local apply reads its provider's log for statements met again
APPLY_ATTEMPTS = 3  # a local apply, and its re-applies after what a resent create left is removed


class TerraformError(Exception):
    pass


# Now and then, on a loaded machine, the provider's HTTP client closes its connection to MiniStack
# just after MiniStack answered, and the SDK sends the request again (in strace of MiniStack: the
# whole response sent, its Content-Length right, then the client's FIN or RST; 0 to 4 of the ~500
# requests of an apply, on 2 cores with two applies at once). For a create that went through, the
# resend gets "already exists" (409) for what the first one made, which the state does not hold. On
# AWS a create does not meet itself like this. A Lambda permission's conflict the provider retries
# for 5 minutes before failing: while the apply runs, the statement the first attempt added is
# deleted (`removing_statements_met_again`), and the provider's next attempt adds it, seconds
# later. A create the provider does not retry (an IAM role's, a log group's) fails the apply: then
# what it left is deleted and the apply run again, APPLY_ATTEMPTS in all (a re-apply was seen to
# meet a resend of its own). An import does not work here (the roots' for_each keys are unknown
# before the apply completes). Only this stack uses the emulator. Each pattern: the provider's
# error line, naming the resource.
_LEFT_BY_A_RETRY = {
    "lambda_permission": re.compile(
        r"Error: adding Lambda Permission \((?P<function>[^/)]+)/(?P<sid>[^)]+)\): [^\n]*"
        r"ResourceConflictException: The statement id \((?P=sid)\) provided already exists"
    ),
    "iam_role": re.compile(
        r"Error: creating IAM Role \((?P<role>[^)]+)\): [^\n]*EntityAlreadyExists"
    ),
    "log_group": re.compile(
        r"Error: creating CloudWatch Logs Log Group \((?P<name>[^)]+)\): [^\n]*"
        r"ResourceAlreadyExistsException"
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
    debug_log = work_dir / "terraform-provider.log"  # the provider's requests, for diagnosis too
    debug_log.unlink(missing_ok=True)
    environment = {
        **os.environ,
        "TF_DATA_DIR": str(work_dir / "terraform-data"),
        "TF_LOG_PROVIDER": "DEBUG",
        "TF_LOG_PATH": str(debug_log),
    }
    state = work_dir / "terraform.tfstate"
    init = ["init", "-input=false", "-reconfigure", f"-backend-config=path={state}"]
    run(LOCAL_ENV, init, log, environment)
    var_args = [f"-var={name}={value}" for name, value in variables.items()]
    refreshing = [] if refresh else ["-refresh=false"]
    apply_args = ["apply", "-input=false", "-auto-approve", *refreshing, *var_args]
    endpoint = variables["emulator_endpoint"]
    for attempt in range(1, APPLY_ATTEMPTS + 1):
        started = log.tell()
        try:
            with removing_statements_met_again(debug_log, endpoint):
                run(LOCAL_ENV, apply_args, log, environment)
            break
        except TerraformError:
            # The re-apply may meet a resend of its own (seen: its one CreateRole resent).
            last = attempt == APPLY_ATTEMPTS
            if last or not remove_left_by_a_retry(
                _logged_since(log, started), endpoint, _resent(debug_log)
            ):
                raise
    return outputs(LOCAL_ENV, environment)


def _resent(debug_log: Path) -> set[str]:
    """The operations whose 409 answered a resend, in the provider's log so far."""
    with debug_log.open(encoding="utf-8", errors="replace") as lines:
        return provider_log.conflicts_met_by_a_resend(lines)


def _logged_since(log: IO[bytes], offset: int) -> str:
    log.flush()
    with open(log.name, "rb") as written:
        written.seek(offset)
        return written.read().decode(errors="replace")


def _emulator_session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 (the emulator's, as for every local client)
        region_name="us-east-1",
    )


@contextmanager
def removing_statements_met_again(debug_log: Path, endpoint: str) -> Iterator[None]:
    """While the block runs a Terraform command whose provider writes its debug log to
    ``debug_log``, delete from the emulator at ``endpoint``, once each, the Lambda permission
    statements that the provider's AddPermission found already existing
    (``provider_log.statements_met_again``): the provider retries that conflict, and its next
    attempt then adds the statement afresh. What the log held before the block is not read. A
    conflict the configuration made itself (two resources with one function and statement id, a
    permission replaced create-before-destroy) would be removed the same way: no root here has
    one."""
    stopped = threading.Event()
    lambdas = _emulator_session().client("lambda", endpoint_url=endpoint)
    earlier = debug_log.stat().st_size if debug_log.exists() else 0  # an earlier run's, if any

    def remove(function: str, sid: str) -> bool:
        """Removed now, or gone already; False when the emulator failed to say (tried again)."""
        try:
            lambdas.remove_permission(FunctionName=function, StatementId=sid)
        except ClientError as error:
            return error.response.get("Error", {}).get("Code") == "ResourceNotFoundException"
        except BotoCoreError:
            return False
        return True

    def remove_each_once() -> None:
        removed: set[tuple[str, str]] = set()
        read_size = -1
        while not stopped.wait(SWEEP_PERIOD_S):
            try:
                size = debug_log.stat().st_size
                if size == read_size:
                    continue
                with debug_log.open("rb") as log:
                    log.seek(earlier)
                    lines = log.read().decode(errors="replace").splitlines()
            except OSError:
                continue  # not written yet
            read_size = size
            for function, sid in sorted(provider_log.statements_met_again(lines) - removed):
                if remove(function, sid):
                    removed.add((function, sid))
                else:
                    read_size = -1  # read again, and try again, next time

    remover = threading.Thread(target=remove_each_once, name="statements met again", daemon=True)
    remover.start()
    try:
        yield
    finally:
        stopped.set()
        remover.join(timeout=10 * SWEEP_PERIOD_S)


def remove_left_by_a_retry(
    logged: str,
    endpoint: str,
    resent: Collection[str] = ("IAM/CreateRole", "CloudWatch Logs/CreateLogGroup"),
) -> bool:
    """Delete from the emulator at ``endpoint`` each resource the apply that ``logged`` this
    found "already existing" (``_LEFT_BY_A_RETRY``); False when it found none. A role or a log
    group only when the provider's log showed its create's conflict answering a resend
    (``resent``, from ``provider_log.conflicts_met_by_a_resend``): one that existed before the
    apply is a real conflict, left to fail (the account root adopts roles, and a test of it must
    see that)."""
    session = _emulator_session()
    found = False
    for error in _LEFT_BY_A_RETRY["lambda_permission"].finditer(logged):
        lambdas = session.client("lambda", endpoint_url=endpoint)
        lambdas.remove_permission(FunctionName=error["function"], StatementId=error["sid"])
        found = True
    for error in _LEFT_BY_A_RETRY["iam_role"].finditer(logged):
        if "IAM/CreateRole" not in resent:
            break
        iam = session.client("iam", endpoint_url=endpoint)
        name = error["role"]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        for attached in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
        iam.delete_role(RoleName=name)
        found = True
    for error in _LEFT_BY_A_RETRY["log_group"].finditer(logged):
        if "CloudWatch Logs/CreateLogGroup" not in resent:
            break
        logs = session.client("logs", endpoint_url=endpoint)
        logs.delete_log_group(logGroupName=error["name"])
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
