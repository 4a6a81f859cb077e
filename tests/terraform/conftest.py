"""A moto server of the test module's own, on a free port."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from local_stack.emulator import EmulatorError, free_port, start_moto


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    """A moto server of our own on a free port, as the local stack runs it."""
    try:
        with open(os.devnull, "wb") as log:
            server = start_moto("127.0.0.1", free_port(), log)
    except EmulatorError as error:
        pytest.fail(str(error))
    yield server.endpoint
    server.stop()
