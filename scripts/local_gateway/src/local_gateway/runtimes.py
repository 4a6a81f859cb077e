"""Which interpreter runs a function: the one of the Python version its runtime names
(`python3.13` → a Python 3.13), given with `--python RUNTIME=PATH` or found on PATH or in pyenv."""

import os
import re
import shutil
import subprocess
import sys

_PYTHON_RUNTIME = re.compile(r"^python(?P<version>3\.\d+)$")
# Prints the interpreter's real path (not a shim's) and its version.
_PROBE = "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])"


class RuntimeNotServedError(Exception):
    """A function's runtime has no interpreter here: the message names it and the fix."""


def interpreters(runtimes: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """The interpreter of each runtime in `runtimes` (runtime → a function that declares it),
    from `overrides` (runtime → path) or found on this machine; checked to be that version."""
    found: dict[str, str] = {}
    for runtime, function_name in sorted(runtimes.items()):
        match = _PYTHON_RUNTIME.match(runtime)
        if match is None:
            raise RuntimeNotServedError(
                f"function {function_name} declares runtime {runtime!r}: only Python runtimes "
                "(pythonX.Y) run locally"
            )
        version = match.group("version")
        if runtime in overrides:
            path = _probe(overrides[runtime], version, os.environ)
            if path is None:
                raise RuntimeNotServedError(
                    f"--python {runtime}={overrides[runtime]} is not a Python {version}: "
                    f"give one with --python {runtime}=/path/to/python{version}"
                )
        else:
            path = _find(version)
            if path is None:
                raise RuntimeNotServedError(
                    f"function {function_name} declares runtime {runtime}, and no Python "
                    f"{version} was found (python{version} on PATH or in pyenv): install one, "
                    f"or give it with --python {runtime}=/path/to/python{version}"
                )
        found[runtime] = path
    return found


def _find(version: str) -> str | None:
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable  # the gateway's own (its venv's: workers run it with -I -S)
    candidate = shutil.which(f"python{version}")
    path = _probe(candidate, version, os.environ) if candidate else None
    if path is None and candidate and shutil.which("pyenv"):
        # A pyenv shim runs the version its PYENV_VERSION or .python-version selects, and
        # fails for any other: ask for each installed version of this minor, in turn.
        for installed in _pyenv_versions(version):
            path = _probe(candidate, version, {**os.environ, "PYENV_VERSION": installed})
            if path is not None:
                break
    return path


def _pyenv_versions(version: str) -> list[str]:
    listing = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False
    )
    return [line.strip() for line in listing.stdout.splitlines()
            if line.strip().startswith(f"{version}.")]  # fmt: skip


def _probe(path: str, version: str, environment: dict[str, str] | os._Environ[str]) -> str | None:
    """The interpreter's real path if `path` runs a Python `version`, else None."""
    try:
        answer = subprocess.run(
            [path, "-c", _PROBE],
            capture_output=True,
            text=True,
            env=environment,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    lines = answer.stdout.split()
    if answer.returncode != 0 or len(lines) != 2 or lines[1] != version:
        return None
    return lines[0]
