"""The emulator-free checks that are not pytest's (`make test-terraform-modules`: `terraform test`
of every module and envs/account, checkov; `make test-frontend`: the page's typecheck and
Vitest), run by `make test` from here, in the terraform lane beside the stack's tests rather than
before them (tests/conftest.py, LANES). Each target runs by itself as well."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["test-terraform-modules", "test-frontend"])
def test_the_make_target_passes(target: str) -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"make {target} failed ({result.returncode}):\n"
        f"{result.stdout[-8000:]}\n{result.stderr[-4000:]}"
    )
