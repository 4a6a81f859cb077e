"""`local-gateway` is a command of the venv: it runs from anywhere, with no PYTHONPATH."""

import os
import subprocess
import sys
from pathlib import Path

COMMAND = Path(sys.executable).with_name("local-gateway")


def test_the_console_script_runs_from_outside_the_repository(tmp_path: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(COMMAND), "--help"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: local-gateway")
    assert "--api API" in result.stdout


def test_a_missing_api_is_refused_with_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(COMMAND)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "the following arguments are required: --api" in result.stderr
