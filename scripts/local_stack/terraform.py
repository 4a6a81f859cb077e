"""``terraform apply`` of terraform/envs/local against the emulator, state kept under build/,
and ``run``, which drives any root the same way (the rehearsal of envs/dev uses it too).

The provider comes from wherever ``make`` told Terraform (``TF_CLI_CONFIG_FILE``: a filesystem
mirror when one is found, the registry elsewhere); outside ``make``, ``environment`` falls back
to the CLI config ``make`` wrote under build/.
"""

import json
import os
import subprocess
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV = ROOT / "terraform" / "envs" / "local"
CLI_CONFIG = ROOT / "build" / "terraform" / "cli.tfrc"
# Settings of the shell that would send the provider (or Terraform) elsewhere than asked.
LEAKING = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "TF_WORKSPACE", "TF_LOG", "TF_LOG_PATH")


class TerraformError(Exception):
    pass


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
    run(
        LOCAL_ENV,
        ["apply", "-input=false", "-auto-approve", *refreshing, *var_args],
        log,
        environment,
    )
    return outputs(LOCAL_ENV, environment)


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
