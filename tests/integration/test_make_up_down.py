"""`make up` starts the stack in the background and returns once it answers; a second `make up`
says so and succeeds; `make down` stops everything it started."""

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

from tests.conftest import chosen_emulator, free_port

ROOT = Path(__file__).resolve().parents[2]


def local_stack(command: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local_stack", command, *options],
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
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


def test_up_up_down(tmp_path):
    site_port, websocket_port = free_port(), free_port()
    options = [
        f"--emulator-endpoint={chosen_emulator()[1]}",
        f"--site-port={site_port}",
        f"--websocket-port={websocket_port}",
        f"--work-dir={tmp_path}",
    ]

    started = local_stack("up", *options)
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"Open http://127.0.0.1:{site_port}/lobby" in started.stdout
    group = int((tmp_path / "stack.pid").read_text())
    found = re.search(r"AWS emulator +http://([\d.]+):(\d+)", started.stdout)
    assert found, started.stdout
    emulator = (found.group(1), int(found.group(2)))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{site_port}/lobby") as page:
            assert page.status == 200
        with connect(f"ws://127.0.0.1:{websocket_port}/local") as websocket:
            websocket.send('{"action": "ping"}')
            assert websocket.recv(timeout=10) == '{"type":"pong"}'

        again = local_stack("up", *options)
        assert again.returncode == 0
        assert "already running" in again.stdout
        assert f"Open http://127.0.0.1:{site_port}/lobby" in again.stdout
    finally:
        stopped = local_stack("down", *options)

    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert running_in_group(group) == []
    if chosen_emulator()[0] != "localstack":  # the emulator it started, in a group of its own
        with socket.socket() as probe:
            assert probe.connect_ex(emulator) != 0, "the emulator outlived `make down`"
    assert "Open" in (tmp_path / "stack.log").read_text()  # make up logs to a file
