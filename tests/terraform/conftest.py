"""A moto server of the test module's own, on a free port."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_stack.emulator import free_port


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    """A moto server of our own on a free port; fails rather than use someone else's."""
    moto_server = Path(sys.executable).with_name("moto_server")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"moto_server exited with {proc.returncode} (port {port} taken?)")
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("moto_server did not answer within 30 s")
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)
