"""checkov's CKV_AWS_309 (routes specify an authorization type) passes on `$connect` without a
skip once sign-in is on: envs/dev scanned with auth_mode = "optional" reports the authorized
route `connect` as passed. `make check-terraform` scans every root with the variables' defaults
(auth_mode off), where `$connect` is `connect_open`, skipped with its reason
(terraform/README.md, Checkov skips)."""

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / "build" / "tools" / "checkov" / "bin" / "checkov"
DEV = ROOT / "terraform" / "envs" / "dev"
ROUTES = "module.chat.module.websocket_api.aws_apigatewayv2_route"


def test_connect_passes_the_authorizer_check_without_a_skip_when_auth_is_on(
    tmp_path: Path,
) -> None:
    if not CHECKOV.exists():
        pytest.fail("checkov is not installed: `make check-terraform` installs it")
    variables = tmp_path / "auth.tfvars"
    variables.write_text('auth_mode = "optional"\n')
    scanned = subprocess.run(
        [
            str(CHECKOV), "-d", str(DEV), "--framework", "terraform", "--skip-download",
            "--check", "CKV_AWS_309", "--var-file", str(variables), "-o", "json",
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    results = json.loads(scanned.stdout)["results"]
    outcome = {
        kind: {check["resource"] for check in results[kind]}
        for kind in ("passed_checks", "failed_checks", "skipped_checks")
    }
    assert outcome["passed_checks"] == {f"{ROUTES}.connect"}
    assert outcome["failed_checks"] == set()
    assert f"{ROUTES}.connect" not in outcome["skipped_checks"]
    # The routes API Gateway lets no authorizer guard keep their skip, with its reason.
    assert f"{ROUTES}.this" in outcome["skipped_checks"]
