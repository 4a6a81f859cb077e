"""Row 4: what a cold start pays to import each handler, against a minimal boto3 handler.

Each handler module is imported, with the clients it creates at module scope, in a fresh
interpreter that sees only the zip's contents and the runtime's boto3 (median of ``runs``,
minus a bare interpreter's start). The baseline imports boto3 and creates one DynamoDB client.
"""

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.rows import Row

HANDLERS = (
    "connect",
    "disconnect",
    "default",
    "enter_room",
    "send_message",
    "sign_out",
    "authorize",
)
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
ENVIRONMENT = {  # what Lambda sets, with the function's own variables
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "CONNECTIONS_TABLE": "connections",
    "CONNECTIONS_ROOM_INDEX": "room-index",
    "CONNECTIONS_USER_INDEX": "user-index",
    "MESSAGES_TABLE": "messages",
    "ENVIRONMENT": "bench",
    # the `$connect` authorizer's own
    "AUTH_MODE": "optional",
    "TOKEN_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Bench",
    "TOKEN_AUDIENCE": "bench-client",
    "TOKEN_USE": "id",
    "JWKS_URL": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Bench/.well-known/jwks.json",
    "HANDLES_TABLE": "handles",
    "ROOMS_TABLE": "rooms",
}
BASELINE = "import boto3\nboto3.client('dynamodb')\n"
MAX_ZIP_BYTES = 5 * 1024 * 1024


def measure(zip_path: Path, runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as scratch:
        task, runtime = Path(scratch) / "task", Path(scratch) / "runtime"
        zipfile.ZipFile(zip_path).extractall(task)
        runtime.mkdir()
        for module in RUNTIME_MODULES:
            spec = importlib.util.find_spec(module)
            if spec is None or spec.origin is None:
                raise RuntimeError(f"{module} is not installed: run `make venv`")
            found = Path(spec.origin)
            source = found.parent if found.name == "__init__.py" else found
            (runtime / source.name).symlink_to(source)
        (Path(scratch) / "baseline_handler.py").write_text(BASELINE)
        path = [str(task), str(runtime), scratch]
        bare = _median_start("pass", path, runs)
        baseline = _median_start("import baseline_handler", path, runs) - bare
        rows = [
            _row(f"cold start: import handlers.{name}", _median_start(
                f"import serverless_chat.handlers.{name}", path, runs) - bare, baseline)
            for name in HANDLERS
        ]  # fmt: skip
    size = zip_path.stat().st_size
    rows.append(
        Row(
            name="Lambda zip size (limit: 5 MiB)",
            unit="MiB",
            ours=size / 2**20,
            baseline=MAX_ZIP_BYTES / 2**20,
            goal="at most 5 MiB",
            met=size <= MAX_ZIP_BYTES,
        )
    )
    return rows


def _row(name: str, ours: float, baseline: float) -> Row:
    return Row(
        name=f"{name} (vs boto3 + one DynamoDB client)",
        unit="ms",
        ours=ours * 1000,
        baseline=baseline * 1000,
        goal="at most 1.3x the baseline",
        met=ours <= 1.3 * baseline,
    )


def _median_start(code: str, path: list[str], runs: int) -> float:
    """Median wall time of a fresh ``python -I -S`` running ``code`` with ``path`` first."""
    program = f"import sys; sys.path[:0] = {path!r}\n{code}"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-S", "-c", program], env=ENVIRONMENT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)
