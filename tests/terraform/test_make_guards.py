"""The guards of the Makefile: a GNU make too old for it (macOS's 3.81) is refused at once, and
`make plan|deploy|destroy` stop before touching AWS; each with a clear message."""

from __future__ import annotations

import os
import re
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


@pytest.mark.parametrize("version", ["3.80", "3.81"])
def test_gnu_make_older_than_3_82_is_refused_with_the_fix(version: str) -> None:
    """MAKE_VERSION is what make sets; on the command line it overrides that, and the guard reads
    it as it reads a real 3.81's."""
    proc = make(f"MAKE_VERSION={version}", "help")
    assert proc.returncode != 0
    assert f"GNU make {version} is too old" in proc.stderr
    assert "brew install make" in proc.stderr
    assert "gmake" in proc.stderr
    assert proc.stdout == ""  # refused before any target ran


@pytest.mark.parametrize("version", ["3.82", "4.3", "4.4.1"])
def test_gnu_make_3_82_and_later_run(version: str) -> None:
    proc = make(f"MAKE_VERSION={version}", "help")
    assert proc.returncode == 0, proc.stderr
    assert "make help" in proc.stdout


# What bash 3.2 (macOS's /bin/bash, the Makefile's SHELL) lacks.
BASH_4_ONLY = {
    "associative arrays": r"\b(declare|local|typeset) -[a-zA-Z]*A",
    "namerefs": r"\b(declare|local|typeset) -[a-zA-Z]*n\b",
    "mapfile/readarray": r"\b(mapfile|readarray)\b",
    "case modification": r"\$\{[^}]*(,,|\^\^|,|\^)\}",
    "|& and &>>": r"\|&|&>>",
    "coproc": r"\bcoproc\b",
    "globstar": r"globstar",
    "wait -n": r"\bwait -n\b",
    "${var@op}": r"\$\{[A-Za-z_][A-Za-z0-9_]*@[A-Za-z]\}",
    "EPOCHSECONDS/SRANDOM": r"\b(EPOCHSECONDS|EPOCHREALTIME|SRANDOM)\b",
}


def test_recipes_and_scripts_keep_to_bash_3_2() -> None:
    files = [ROOT / "Makefile", ROOT / ".ci" / "run", *sorted((ROOT / "scripts").glob("*.sh"))]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {what}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for what, pattern in BASH_4_ONLY.items()
        if re.search(pattern, line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "target", ["plan", "deploy", "destroy", "bootstrap", "account", "account-destroy"]
)
def test_env_is_required(target: str) -> None:
    proc = make(target)
    assert proc.returncode != 0
    assert "Set ENV=dev or ENV=prod" in proc.stderr


def test_local_is_left_to_the_local_stack() -> None:
    proc = make("plan", "ENV=local")
    assert proc.returncode != 0
    assert "local stack" in proc.stderr


@pytest.mark.parametrize("target", ["deploy", "destroy", "account-destroy"])
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
