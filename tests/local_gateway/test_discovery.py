"""What the data plane learns from the control plane, and what it refuses to serve."""

import zipfile
from pathlib import Path

import pytest

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    API_NAME,
    ROUTES,
    DeployedApi,
    GatewayStarter,
)


def test_a_zip_that_was_not_deployed_is_refused(
    start_gateway: GatewayStarter, tmp_path: Path
) -> None:
    stale = tmp_path / "stale.zip"
    with zipfile.ZipFile(stale, "w") as archive:
        archive.writestr("handlers.py", "def echo(event, context): return None\n")
    process = start_gateway(port=free_port(), zip_path=stale)
    assert process.returncode == 1
    (line,) = process.wait_for("rebuild and apply")
    assert "is not the code deployed as fn-" in line


@pytest.mark.parametrize("api", ["no-such-api", "abcdef12"])
def test_an_unknown_api_is_refused_with_the_apis_there_are(
    start_gateway: GatewayStarter, api: str
) -> None:
    process = start_gateway(port=free_port(), api=api)
    assert process.returncode == 1
    (line,) = process.wait_for("expected one WebSocket API")
    assert API_NAME in line


def test_the_api_is_found_by_id_and_its_deployment_logged(
    start_gateway: GatewayStarter, deployed_api: DeployedApi
) -> None:
    process = start_gateway(port=free_port(), api=deployed_api.api_id)
    (line,) = process.wait_for("routes")
    assert f"stage local: routes {', '.join(sorted(ROUTES))}" in line
    process.stop()
