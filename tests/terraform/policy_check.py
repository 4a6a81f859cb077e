"""Running scripts/deployment/deploy_policy.py in its own venv (build/iam-policy), for the
rehearsal's check and the check's own tests; and recording the AWS calls of boto3 code."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
IAM_POLICY_PYTHON = ROOT / "build" / "iam-policy" / "bin" / "python"
POLICY = ROOT / "terraform" / "deploy-policy.json"
# Both documents a deployer attaches: the first, and the sign-in's (auth_mode not off).
POLICIES = (POLICY, ROOT / "terraform" / "deploy-policy-sign-in.json")


def check(
    operations: Sequence[Path],
    policies: Sequence[Path] = POLICIES,
    report: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """The check's exit status and output (skips when its venv is not installed)."""
    if not IAM_POLICY_PYTHON.is_file():
        pytest.skip("the deploy policy check's venv is missing: `make iam-policy-tools`")
    command = [
        str(IAM_POLICY_PYTHON),
        "-W",
        "ignore::DeprecationWarning",  # parliament's pkg_resources
        "-m",
        "deployment.deploy_policy",
        *(argument for path in policies for argument in ("--policy", str(path))),
        "--operations",
        *map(str, operations),
    ]
    if report:
        command += ["--report", str(report)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


@dataclass
class CallRecorder:
    """A botocore ``before-call`` handler: every operation a session's clients call, with the
    phase it was called in, in the operations format of scripts/local_stack/provider_log.py."""

    phase: str = ""
    calls: list[tuple[str, str, str, str]] = field(default_factory=list)

    def attach(self, session: boto3.session.Session) -> None:
        session.events.register("before-call", self)

    def __call__(self, model: Any, **_: Any) -> None:
        service = model.service_model
        self.calls.append((service.service_id, model.name, service.signing_name, self.phase))

    def operations(self) -> list[dict[str, Any]]:
        phases = list(dict.fromkeys(call[3] for call in self.calls))
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for service, operation, signing_name, phase in self.calls:
            row = merged.setdefault(
                (service, operation),
                {"signing_names": set(), "phases": set(), "requests": 0},
            )
            row["signing_names"].add(signing_name)
            row["phases"].add(phase)
            row["requests"] += 1
        return [
            {
                "service": service,
                "operation": operation,
                "signing_names": sorted(row["signing_names"]),
                "phases": [phase for phase in phases if phase in row["phases"]],
                "requests": row["requests"],
            }
            for (service, operation), row in sorted(merged.items())
        ]
