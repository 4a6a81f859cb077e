"""The peer: serverless-offline (``--useInProcess``) serving scripts/bench/peer, installed under
build/bench-peer by ``make bench`` when npm is reachable."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_stack.emulator import stop_process

PEER_SOURCES = Path(__file__).resolve().parent / "peer"
START_TIMEOUT_S = 60.0


def installed(install_dir: Path) -> bool:
    return (install_dir / "node_modules" / ".bin" / "serverless").exists()


@contextmanager
def running(install_dir: Path, log_path: Path) -> Iterator[str]:
    """serverless-offline on free loopback ports; yields its WebSocket URL."""
    for name in ("serverless.yml", "handler.js"):
        shutil.copyfile(PEER_SOURCES / name, install_dir / name)
    websocket_port, http_port, lambda_port = _free_ports(3)
    with open(log_path, "wb") as log:
        offline = subprocess.Popen(
            [
                str(install_dir / "node_modules" / ".bin" / "serverless"),
                "offline", "start", "--useInProcess", "--host", "127.0.0.1",
                "--websocketPort", str(websocket_port),
                "--httpPort", str(http_port),
                "--lambdaPort", str(lambda_port),
            ],
            cwd=install_dir,
            env={
                **os.environ,
                "PEER_WEBSOCKET_PORT": str(websocket_port),
                "SLS_TELEMETRY_DISABLED": "1",
                "SLS_NOTIFICATIONS_MODE": "off",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        _wait_listening(offline, websocket_port, log_path)
        yield f"ws://127.0.0.1:{websocket_port}"
    finally:
        stop_process(offline)


def _wait_listening(offline: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while b"[websocket] listening" not in log_path.read_bytes():
        if offline.poll() is not None:
            raise RuntimeError(f"serverless-offline exited with {offline.returncode}: {log_path}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"serverless-offline did not listen on {port}: {log_path}")
        time.sleep(0.2)


def _free_ports(count: int) -> list[int]:
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(p.getsockname()[1]) for p in probes]
    finally:
        for probe in probes:
            probe.close()
