"""The runtime a function declares is the Python that runs it, or the gateway refuses to start."""

import glob
import os
import shutil

import pytest
from websockets.sync.client import connect

from local_stack.emulator import free_port
from tests.local_gateway.gateway_support import (
    STAGE,
    DeployedApi,
    GatewayStarter,
    deploy_one_route_api,
    echo,
)


@pytest.fixture(scope="module")
def python313_api(deployed_api: DeployedApi) -> str:
    name = "runtime-python313"
    code = deployed_api.function_zip.read_bytes()
    deploy_one_route_api(deployed_api.endpoint, code, name, "python3.13")
    return name


def python313() -> str | None:
    """A Python 3.13 on this machine, if there is one (pyenv's, or python3.13 on PATH)."""
    found = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13")))
    return found[0] if found else shutil.which("python3.13")


def test_a_python313_function_runs_on_python313(
    start_gateway: GatewayStarter, python313_api: str
) -> None:
    path = python313()
    if path is None:
        pytest.skip("no Python 3.13 on this machine")
    port = free_port()
    process = start_gateway("--python", f"python3.13={path}", api=python313_api, port=port)
    process.wait_for("Listening on")
    with connect(f"ws://127.0.0.1:{port}/{STAGE}") as ws:
        answer = echo(ws)
    assert answer["pythonVersion"] == "3.13"
    assert answer["environment"]["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.13"


def test_a_python313_is_found_without_being_named(
    start_gateway: GatewayStarter, python313_api: str
) -> None:
    if python313() is None:
        pytest.skip("no Python 3.13 on this machine")
    port = free_port()
    process = start_gateway(api=python313_api, port=port)  # on PATH, or pyenv's by its shim
    process.wait_for("Listening on")
    with connect(f"ws://127.0.0.1:{port}/{STAGE}") as ws:
        assert echo(ws)["pythonVersion"] == "3.13"


def test_an_interpreter_of_another_version_is_refused(
    start_gateway: GatewayStarter, python313_api: str
) -> None:
    wrong = shutil.which("python3") or "/usr/bin/python3"
    process = start_gateway("--python", f"python3.13={wrong}", api=python313_api)
    assert process.returncode == 1
    (line,) = process.wait_for("is not a Python 3.13")
    assert "--python python3.13=/path/to/python3.13" in line


def test_a_non_python_runtime_is_refused(
    start_gateway: GatewayStarter, deployed_api: DeployedApi
) -> None:
    name = "runtime-nodejs"
    code = deployed_api.function_zip.read_bytes()
    deploy_one_route_api(deployed_api.endpoint, code, name, "nodejs20.x")
    process = start_gateway(api=name)
    assert process.returncode == 1
    process.wait_for("declares runtime 'nodejs20.x': only Python runtimes (pythonX.Y) run locally")
