"""The guards of `make plan|deploy|destroy`: they stop before touching AWS, with a clear message."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def make(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_STATE_", "MAKE"))}
    env.pop("CONFIRM", None)
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("target", ["plan", "deploy", "destroy", "bootstrap"])
def test_env_is_required(target: str) -> None:
    proc = make(target)
    assert proc.returncode != 0
    assert "Set ENV=dev or ENV=prod" in proc.stderr


def test_local_is_left_to_the_local_stack() -> None:
    proc = make("plan", "ENV=local")
    assert proc.returncode != 0
    assert "local stack" in proc.stderr


@pytest.mark.parametrize("target", ["deploy", "destroy"])
def test_prod_needs_confirm(target: str) -> None:
    proc = make(target, "ENV=prod")
    assert proc.returncode != 0
    assert "CONFIRM=1" in proc.stderr


@pytest.mark.skipif(
    (ROOT / "terraform" / "envs" / "dev" / "backend.hcl").exists(),
    reason="this checkout has a backend.hcl for dev (make bootstrap ran)",
)
def test_missing_backend_settings_are_explained() -> None:
    proc = make("plan", "ENV=dev")
    assert proc.returncode != 0
    assert "No state backend for ENV=dev" in proc.stderr
    assert "make bootstrap ENV=dev" in proc.stderr
