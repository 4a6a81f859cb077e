"""Puts each function's deployed code on disk, extracted once per code hash."""

import base64
import hashlib
import urllib.request
import zipfile
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from .discovery import FunctionSpec


class CodeMismatchError(Exception):
    """The local zip is not what was deployed."""


def code_dir(function: FunctionSpec, local_zip: Path | None, cache: Path) -> Path:
    """The directory holding `function`'s extracted code (Lambda's /var/task)."""
    sha_hex = base64.b64decode(function.code_sha256).hex()
    target = cache / sha_hex
    if not target.is_dir():
        archive = _deployed_archive(function) or _local_archive(function, local_zip)
        staging = cache / f"{sha_hex}.partial"
        zipfile.ZipFile(BytesIO(archive)).extractall(staging)
        staging.rename(target)
    return target


def _sha256_base64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _deployed_archive(function: FunctionSpec) -> bytes | None:
    """The code as the emulator serves it (LocalStack does; moto's link points at AWS)."""
    location = function.code_location
    if not location or (urlsplit(location).hostname or "").endswith(".amazonaws.com"):
        return None
    try:
        with urllib.request.urlopen(location, timeout=30) as response:  # noqa: S310 (emulator)
            archive: bytes = response.read()
    except OSError:  # e.g. LocalStack's *.localhost.localstack.cloud names without DNS
        return None
    return archive if _sha256_base64(archive) == function.code_sha256 else None


def _local_archive(function: FunctionSpec, local_zip: Path | None) -> bytes:
    if local_zip is None:
        raise CodeMismatchError(
            f"the emulator does not serve the code of {function.name}; give the zip with --zip"
        )
    archive = local_zip.read_bytes()
    if _sha256_base64(archive) != function.code_sha256:
        raise CodeMismatchError(
            f"{local_zip} (sha256 {_sha256_base64(archive)}) is not the code deployed as "
            f"{function.name} (CodeSha256 {function.code_sha256}): rebuild and apply "
            "(make package, then terraform apply on envs/local)."
        )
    return archive
