"""SIGHUP: the gateway re-reads the deployment; a function whose code changed runs the new code
from the next invocation on, while open connections stay open."""

import io
import json
import signal
import zipfile
from pathlib import Path

from websockets.sync.client import connect

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    STAGE,
    DeployedApi,
    GatewayProcess,
    Route,
    aws_client,
    deploy,
)

VERSION = "def echo(event, context):\n    return {{'statusCode': 200, 'body': '{0}'}}\n"


def code(version: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("versioned.py", VERSION.format(version))
    return buffer.getvalue()


def served_api(
    deployed_api: DeployedApi, start_gateway, local_zip: Path, name: str
) -> tuple[GatewayProcess, str]:
    """An API of one function (`<name>-default`, the zip's code), served by its own gateway
    reading `local_zip`; the gateway and its WebSocket URL."""
    api_id = deploy(
        deployed_api.endpoint,
        local_zip.read_bytes(),
        {},
        routes={"$default": Route("versioned.echo", two_way=True)},
        api_name=f"{name}-test",
        prefix=name,
    )
    port = free_port()
    gateway = start_gateway(port=port, zip_path=local_zip, api=api_id)
    gateway.wait_for("Listening on")
    return gateway, f"ws://127.0.0.1:{port}/{STAGE}"


def test_an_edited_function_runs_its_new_code_on_the_open_connection(
    deployed_api: DeployedApi, start_gateway, tmp_path: Path
) -> None:
    local_zip = tmp_path / "functions.zip"
    local_zip.write_bytes(code("v1"))
    gateway, url = served_api(deployed_api, start_gateway, local_zip, "reload")

    with connect(url, open_timeout=10) as client:
        client.send(json.dumps({"action": "anything"}))
        assert client.recv(timeout=10) == "v1"

        local_zip.write_bytes(code("v2"))  # as make dev rebuilds the zip, then updates the code
        aws_client("lambda", deployed_api.endpoint).update_function_code(
            FunctionName="reload-default", ZipFile=local_zip.read_bytes()
        )
        gateway.signal(signal.SIGHUP)
        gateway.wait_for("Reloaded: functions with new code or configuration: reload-default")

        client.send(json.dumps({"action": "anything"}))
        assert client.recv(timeout=10) == "v2"


def test_a_reload_that_cannot_serve_the_new_code_keeps_the_old(
    deployed_api: DeployedApi, start_gateway, tmp_path: Path
) -> None:
    local_zip = tmp_path / "functions.zip"
    local_zip.write_bytes(code("kept"))
    gateway, url = served_api(deployed_api, start_gateway, local_zip, "kept")

    with connect(url, open_timeout=10) as client:
        # the function's code changes, but the zip the gateway reads does not match it
        aws_client("lambda", deployed_api.endpoint).update_function_code(
            FunctionName="kept-default", ZipFile=code("unbuilt")
        )
        gateway.signal(signal.SIGHUP)
        gateway.wait_for("Reload failed, still serving what was deployed before")

        client.send(json.dumps({"action": "anything"}))
        assert client.recv(timeout=10) == "kept"
