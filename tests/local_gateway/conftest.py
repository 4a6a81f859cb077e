"""A moto server with a small WebSocket API deployed in it, and the data plane serving it.

moto server (stock, from .venv), whatever EMULATOR says: these tests check the data plane, not
the emulator, and measured on 2 cores they take 29 s on moto server against 57 s on MiniStack
1.5.33, where two of them also fail (a refused zip, concurrent workers; not looked into
further)."""

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    API_NAME,
    HANDLERS,
    ROOT,
    SITE_ORIGIN,
    STAGE,
    DeployedApi,
    GatewayProcess,
    GatewayStarter,
    deploy,
    wait_for_port,
)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def function_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("code") / "functions.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for source in HANDLERS.glob("*.py"):
            archive.write(source, source.name)
    return path


@pytest.fixture(scope="session")
def deployed_api(
    moto_endpoint: str, function_zip: Path, tmp_path_factory: pytest.TempPathFactory
) -> DeployedApi:
    port = free_port()
    event_dir = tmp_path_factory.mktemp("events")
    environment = {
        "CONNECTIONS_API_ENDPOINT": f"http://127.0.0.1:{port}/{STAGE}",
        "EVENT_DIR": str(event_dir),
    }
    api_id = deploy(moto_endpoint, function_zip.read_bytes(), environment)
    return DeployedApi(api_id, moto_endpoint, port, event_dir, function_zip)


@pytest.fixture(scope="session")
def start_gateway(
    deployed_api: DeployedApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayStarter]:
    """Starts `local-gateway` for the test API; stopped at the end of the session."""
    processes: list[GatewayProcess] = []

    def start(
        *extra: str, port: int | None = None, zip_path: Path | None = None, api: str = API_NAME
    ) -> GatewayProcess:
        command = [
            str(Path(sys.executable).with_name("local-gateway")),
            "--api", api,
            "--endpoint-url", deployed_api.endpoint,
            "--port", str(port or deployed_api.gateway_port),
            "--zip", str(zip_path or deployed_api.function_zip),
            "--work-dir", str(tmp_path_factory.mktemp("gateway")),
            *extra,
        ]  # fmt: skip
        process = GatewayProcess(command)
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.stop()


@pytest.fixture(scope="session")
def gateway(start_gateway: GatewayStarter) -> GatewayProcess:
    process = start_gateway("--allowed-origin", SITE_ORIGIN)
    process.wait_for("Listening on")
    return process


@pytest.fixture(scope="session")
def gateway_url(gateway: GatewayProcess, deployed_api: DeployedApi) -> str:
    return f"ws://127.0.0.1:{deployed_api.gateway_port}/{STAGE}"
