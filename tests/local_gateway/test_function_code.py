"""Where a function's code comes from: the emulator when it serves it, else the local zip."""

import base64
import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from local_gateway.discovery import FunctionSpec
from local_gateway.function_code import CodeMismatchError, code_dir


def archive(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("handler.py", source)
    return buffer.getvalue()


def function(code: bytes, location: str | None) -> FunctionSpec:
    digest = base64.b64encode(hashlib.sha256(code).digest()).decode()
    return FunctionSpec("f", "arn:aws:lambda:us-east-1:123456789012:function:f", "handler.h",
                        "python3.12", 3, 128, {}, digest, location)  # fmt: skip


@pytest.fixture
def served_code() -> Iterator[tuple[str, bytes]]:
    """An HTTP server standing in for LocalStack's code location."""
    code = archive("SERVED = True\n")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(code)))
            self.end_headers()
            self.wfile.write(code)

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/snapshot.zip", code
    server.shutdown()


def test_code_the_emulator_serves_is_used(served_code: tuple[str, bytes], tmp_path: Path) -> None:
    location, code = served_code
    directory = code_dir(function(code, location), None, tmp_path)
    assert (directory / "handler.py").read_text() == "SERVED = True\n"


def test_a_link_to_aws_falls_back_to_the_matching_local_zip(tmp_path: Path) -> None:
    code = archive("LOCAL = True\n")
    local_zip = tmp_path / "lambdas.zip"
    local_zip.write_bytes(code)
    moto_link = "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/f-1"
    directory = code_dir(function(code, moto_link), local_zip, tmp_path / "cache")
    assert (directory / "handler.py").read_text() == "LOCAL = True\n"


def test_a_local_zip_that_differs_asks_to_rebuild_and_apply(tmp_path: Path) -> None:
    local_zip = tmp_path / "lambdas.zip"
    local_zip.write_bytes(archive("STALE = True\n"))
    deployed = function(archive("DEPLOYED = True\n"), None)
    with pytest.raises(CodeMismatchError, match="rebuild and apply"):
        code_dir(deployed, local_zip, tmp_path / "cache")


def test_an_unreachable_code_location_falls_back_to_the_local_zip(tmp_path: Path) -> None:
    code = archive("LOCAL = True\n")
    local_zip = tmp_path / "lambdas.zip"
    local_zip.write_bytes(code)
    unreachable = "http://s3.localhost.invalid:4566/awslambda-us-east-1-tasks/snapshots/f.zip"
    directory = code_dir(function(code, unreachable), local_zip, tmp_path / "cache")
    assert (directory / "handler.py").read_text() == "LOCAL = True\n"
