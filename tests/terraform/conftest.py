"""The emulator EMULATOR chooses (tests/conftest.py's `chosen_emulator`), of the test module's
own on a free port; the LocalStack you run, for EMULATOR=localstack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.emulator import EmulatorError, find_or_start
from tests.conftest import chosen_emulator, summarize


@pytest.fixture(scope="module")
def emulator_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the module's emulator writes (its warnings and errors), for a failure to show."""
    return tmp_path_factory.mktemp("emulator") / "emulator.log"


@pytest.fixture(scope="module")
def emulator(emulator_log: Path) -> Iterator[str]:
    """The chosen emulator's endpoint, as the local stack finds or starts it."""
    kind, endpoint = chosen_emulator()
    try:
        with emulator_log.open("wb") as log:
            server = find_or_start(endpoint, log, lambda _: None, kind)
    except EmulatorError as error:
        pytest.fail(str(error))
    yield server.endpoint
    server.stop()


@pytest.fixture(scope="module")
def emulator_kind() -> str:
    return chosen_emulator()[0]


def summarize_rehearsal(summary: dict[str, Any]) -> None:
    """What a rehearsal (test_rehearsal.py) measured, for the summary at the end of the run."""
    seconds = ", ".join(f"{phase} {value:.0f} s" for phase, value in summary["seconds"].items())
    summarize(
        "rehearsals",
        f"rehearsal of {summary['root']} on MiniStack: {seconds}; "
        f"{len(summary['operations'])} distinct AWS operations",
    )
