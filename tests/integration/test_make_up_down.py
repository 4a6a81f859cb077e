"""`make up` starts the stack in the background and returns once it answers; a second `make up`
says so and succeeds; an edit under lambdas/ is served without a restart, on the connection a
page holds open; `make down` stops everything it started.

The stack runs from a copy of the repository, so the edit touches nothing the other tests use."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

from tests.conftest import chosen_emulator, free_port

ROOT = Path(__file__).resolve().parents[2]
# What the stack reads from the repository; the venvs and the provider mirror are shared.
COPIED = ("lambdas", "scripts", "terraform", "frontend/dist", "build/lambdas.zip")
NOT_COPIED = shutil.ignore_patterns("__pycache__", "*.egg-info", ".terraform", "node_modules")
RELOAD_WITHIN_S = 30.0  # issue 10: a saved handler edit is live within 30 s


def copy_of_the_repository(target: Path) -> Path:
    for relative in COPIED:
        source, copy = ROOT / relative, target / relative
        if source.is_dir():
            shutil.copytree(source, copy, ignore=NOT_COPIED)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
    (target / "build" / "tools").symlink_to(ROOT / "build" / "tools")  # MiniStack's venv
    return target


def local_stack(repository: Path, command: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local_stack", command, *options],
        env={**os.environ, "PYTHONPATH": f"{repository / 'scripts'}:{repository / 'lambdas'}"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def running_in_group(group: int) -> list[str]:
    found = subprocess.run(
        ["ps", "-o", "pid=,stat=,args=", "-g", str(group)],
        capture_output=True,
        text=True,
        check=False,
    )
    # A zombie has exited; it only waits for its parent to read its status.
    return [line for line in found.stdout.splitlines() if line.split()[1:2] != ["Z"]]


def pong_after_edit(websocket, edited: Path, deadline_s: float) -> tuple[dict, float]:
    """Edit the ping answer under lambdas/, then ping on the open connection until the answer
    changes: that answer, and how long after the save it came."""
    source = edited.read_text()
    assert 'PONG: Final[Frame] = {"type": "pong"}' in source
    edited.write_text(source.replace('{"type": "pong"}', '{"type": "pong", "edited": True}'))
    saved = time.monotonic()
    while True:
        websocket.send('{"action": "ping"}')
        answer = json.loads(websocket.recv(timeout=10))
        if answer.get("edited") or time.monotonic() - saved > deadline_s:
            return answer, time.monotonic() - saved
        time.sleep(0.5)


def wait_for_line(log: Path, text: str, timeout_s: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in log.read_text():
            return True
        time.sleep(0.5)
    return False


def test_up_up_reload_down(tmp_path):
    repository = copy_of_the_repository(tmp_path / "repository")
    work_dir = tmp_path / "stack"
    site_port, websocket_port = free_port(), free_port()
    options = [
        f"--emulator-endpoint={chosen_emulator()[1]}",
        f"--site-port={site_port}",
        f"--websocket-port={websocket_port}",
        f"--work-dir={work_dir}",
    ]

    started = local_stack(repository, "up", *options)
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"Open http://127.0.0.1:{site_port}/lobby" in started.stdout
    group = int((work_dir / "stack.pid").read_text())
    found = re.search(r"AWS emulator +http://([\d.]+):(\d+)", started.stdout)
    assert found, started.stdout
    emulator = (found.group(1), int(found.group(2)))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{site_port}/lobby") as page:
            assert page.status == 200
        with connect(f"ws://127.0.0.1:{websocket_port}/local") as websocket:
            websocket.send('{"action": "ping"}')
            assert websocket.recv(timeout=10) == '{"type":"pong"}'

            protocol = repository / "lambdas" / "serverless_chat" / "domain" / "protocol.py"
            answer, after_s = pong_after_edit(websocket, protocol, RELOAD_WITHIN_S)
            assert answer == {"type": "pong", "edited": True}, f"not live {after_s:.0f} s after"
            print(f"the edit was live {after_s:.1f} s after the save, on the open connection")
        # then Terraform's state catches up: the re-apply in the background finishes
        assert wait_for_line(work_dir / "stack.log", "applied again: its state holds the new code")

        again = local_stack(repository, "up", *options)
        assert again.returncode == 0
        assert "already running" in again.stdout
        assert f"Open http://127.0.0.1:{site_port}/lobby" in again.stdout
    finally:
        stopped = local_stack(repository, "down", *options)

    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert running_in_group(group) == []
    if chosen_emulator()[0] != "localstack":  # the emulator it started, in a group of its own
        with socket.socket() as probe:
            assert probe.connect_ex(emulator) != 0, "the emulator outlived `make down`"
    assert "Open" in (work_dir / "stack.log").read_text()  # make up logs to a file


def test_up_that_fails_says_why(tmp_path):
    """A stack that cannot start makes `make up` fail with the reason from its log, not only the
    log's path: here EMULATOR=localstack names an address where nothing answers."""
    work_dir = tmp_path / "stack"
    failed = local_stack(
        ROOT,
        "up",
        "--emulator=localstack",
        f"--emulator-endpoint=http://127.0.0.1:{free_port()}",
        f"--site-port={free_port()}",
        f"--websocket-port={free_port()}",
        f"--work-dir={work_dir}",
    )

    assert failed.returncode != 0
    assert "did not start (it exited)" in failed.stderr
    assert "no LocalStack answers at" in failed.stderr
    assert not (work_dir / "stack.pid").exists()
