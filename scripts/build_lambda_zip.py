"""Build ``build/lambdas.zip``: the chat's package plus its pinned runtime dependencies.

The same sources and lock give the same bytes: entries sorted, timestamps and permissions fixed,
no ``__pycache__``, ``bin/`` or ``*.dist-info``. boto3 is left to the Lambda runtime. Prints the
size and the sha256, also as the base64 that Lambda reports as ``CodeSha256``.
"""

import base64
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from lock_runtime_requirements import LAMBDA_PLATFORM, LOCK, ROOT

PACKAGE = ROOT / "lambdas" / "serverless_chat"
ZIP = ROOT / "build" / "lambdas.zip"
MAX_BYTES = 5 * 1024 * 1024
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
SKIPPED_PARTS = ("__pycache__", "bin")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        dependencies = Path(scratch)
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
                "--no-deps", "--require-hashes", "-r", str(LOCK), *LAMBDA_PLATFORM,
                "--target", str(dependencies),
            ],
            check=True,
        )  # fmt: skip
        entries = dict(_files(dependencies)) | dict(_files(PACKAGE.parent, PACKAGE))
        ZIP.parent.mkdir(exist_ok=True)
        with zipfile.ZipFile(ZIP, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, FIXED_TIME)
                info.external_attr = FILE_MODE
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name].read_bytes(), compresslevel=9)
    _report()


def _files(root: Path, top: Path | None = None) -> Iterator[tuple[str, Path]]:
    """Every file to ship under ``top`` (default: ``root``), named relative to ``root``."""
    for path in (top or root).rglob("*"):
        relative = path.relative_to(root)
        if not path.is_file() or path.suffix == ".pyc":
            continue
        if any(part in SKIPPED_PARTS or part.endswith(".dist-info") for part in relative.parts):
            continue
        yield relative.as_posix(), path


def _report() -> None:
    data = ZIP.read_bytes()
    digest = hashlib.sha256(data).digest()
    print(f"{ZIP.relative_to(ROOT)}: {len(data):,} bytes")
    print(f"  sha256      {digest.hex()}")
    print(f"  CodeSha256  {base64.b64encode(digest).decode()}")
    if len(data) > MAX_BYTES:
        sys.exit(f"the zip is over {MAX_BYTES // 1024 // 1024} MiB")


if __name__ == "__main__":
    main()
