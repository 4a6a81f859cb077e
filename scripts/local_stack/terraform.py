"""``terraform apply`` of terraform/envs/local against the emulator, state kept under build/.

The provider comes from wherever ``make`` told Terraform (``TF_CLI_CONFIG_FILE``: a filesystem
mirror when one is found, the registry elsewhere).
"""

import json
import os
import subprocess
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV = ROOT / "terraform" / "envs" / "local"


class TerraformError(Exception):
    pass


def apply(
    work_dir: Path, variables: dict[str, str], log: IO[bytes], *, refresh: bool = True
) -> dict[str, Any]:
    """Apply envs/local with ``variables``, state and working data in ``work_dir`` (so stacks
    in different directories never share them); return the outputs. ``refresh=False`` trusts
    the state instead of reading every resource back (a re-apply to the emulator it created)."""
    environment = {**os.environ, "TF_DATA_DIR": str(work_dir / "terraform-data")}
    state = work_dir / "terraform.tfstate"
    init = ["init", "-input=false", "-reconfigure", f"-backend-config=path={state}"]
    _run(init, log, environment)
    var_args = [f"-var={name}={value}" for name, value in variables.items()]
    refreshing = [] if refresh else ["-refresh=false"]
    _run(["apply", "-input=false", "-auto-approve", *refreshing, *var_args], log, environment)
    outputs = subprocess.run(
        ["terraform", f"-chdir={LOCAL_ENV}", "output", "-json"],
        check=True,
        capture_output=True,
        env=environment,
    ).stdout
    return {name: output["value"] for name, output in json.loads(outputs).items()}


def _run(arguments: list[str], log: IO[bytes], environment: dict[str, str]) -> None:
    result = subprocess.run(
        ["terraform", f"-chdir={LOCAL_ENV}", *arguments, "-no-color"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        check=False,
    )
    if result.returncode != 0:
        raise TerraformError(
            f"terraform {arguments[0]} failed (see {getattr(log, 'name', 'the log')})"
        )
