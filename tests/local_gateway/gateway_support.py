"""Helpers shared by the data plane's tests: the test API's deployment, the gateway process,
WebSocket round trips and the events the recording functions write."""

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from websockets.sync.client import ClientConnection

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = Path(__file__).parent / "handlers"
REGION = "us-east-1"
STAGE = "local"
API_NAME = "local-gateway-test"
SITE_ORIGIN = "http://127.0.0.1:5173"  # the page whose browser may use the test gateway


@dataclass(frozen=True)
class Route:
    """A route of a test API: its function's handler and timeout, and its integration's."""

    handler: str
    timeout_s: int = 3
    two_way: bool = False
    integration_timeout_ms: int = 29_000  # API Gateway's default and maximum


ROUTES: dict[str, Route] = {
    "$connect": Route("handlers.connect", 8, integration_timeout_ms=5000),  # room for cold starts
    "$disconnect": Route("handlers.disconnect"),
    "$default": Route("handlers.echo", two_way=True),
    "oneway": Route("handlers.echo"),
    "boom": Route("handlers.boom", two_way=True),
    "crash": Route("handlers.crash", two_way=True),
    "sleep": Route("handlers.sleep", 1, two_way=True),
    "slow": Route("handlers.slow", 10, two_way=True),  # 0.5 s, but cold starts on a busy machine
    "shout": Route("handlers.shout", two_way=True),
    "post": Route("handlers.post", 5),
    "threads": Route("handlers.post_from_threads", 10),
    "missing": Route("missing.handler", two_way=True),
    "limited": Route("handlers.echo", two_way=True),
    "late": Route("handlers.sleep_then_post", two_way=True, integration_timeout_ms=100),
    "manage": Route("handlers.manage", 5),
    "put_item": Route("handlers.put_item", 10, two_way=True),
}


@dataclass(frozen=True)
class ConnectAuthorizer:
    """A Lambda REQUEST authorizer on a test API's `$connect`: its function's handler and the
    identity sources a handshake must carry."""

    handler: str
    identity_sources: tuple[str, ...]
    timeout_s: int = 5


LIMITED_ROUTE_SETTINGS = {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 0.01}


def wait_for_port(port: int, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


def aws_client(service: str, endpoint: str) -> Any:
    """A boto3 client of the emulator (or of the gateway's @connections) with test credentials."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@dataclass(frozen=True)
class DeployedApi:
    api_id: str
    endpoint: str
    gateway_port: int
    event_dir: Path
    function_zip: Path


def deploy(
    endpoint: str,
    code: bytes,
    environment: dict[str, str] | Callable[[str], dict[str, str]],
    *,
    routes: dict[str, Route] = ROUTES,
    api_name: str = API_NAME,
    route_settings: dict[str, dict[str, Any]] | None = None,
    prefix: str = "fn",
    connect_authorizer: ConnectAuthorizer | None = None,
    connect_iam: bool = False,
    stage_variables: dict[str, str] | None = None,
) -> str:
    """Deploy a test API with one function per route (and one for `connect_authorizer`, on
    `$connect`; `connect_iam`: `$connect` is `AWS_IAM`); `environment` may depend on the API id."""
    iam = aws_client("iam", endpoint)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(
        RoleName=f"{prefix}-role",
        AssumeRolePolicyDocument=json.dumps(trust),
    )
    lambdas = aws_client("lambda", endpoint)
    apigw = aws_client("apigatewayv2", endpoint)
    api = apigw.create_api(
        Name=api_name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    api_id: str = api["ApiId"]
    variables = environment(api_id) if callable(environment) else environment

    def create_function(name: str, handler: str, timeout_s: int) -> str:
        function = lambdas.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler=handler,
            Code={"ZipFile": code},
            Timeout=timeout_s,
            Environment={"Variables": variables},
        )
        arn: str = function["FunctionArn"]
        return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"

    connect_authorization: dict[str, str] = {"AuthorizationType": "AWS_IAM"} if connect_iam else {}
    if connect_authorizer is not None:
        authorizer = apigw.create_authorizer(
            ApiId=api_id,
            Name=f"{prefix}-authorizer",
            AuthorizerType="REQUEST",
            AuthorizerUri=create_function(
                f"{prefix}-authorizer", connect_authorizer.handler, connect_authorizer.timeout_s
            ),
            IdentitySource=list(connect_authorizer.identity_sources),
        )
        connect_authorization = {
            "AuthorizationType": "CUSTOM",
            "AuthorizerId": authorizer["AuthorizerId"],
        }
    for route_key, route_spec in routes.items():
        uri = create_function(
            f"{prefix}-{route_key.strip('$')}", route_spec.handler, route_spec.timeout_s
        )
        integration = apigw.create_integration(
            ApiId=api_id,
            IntegrationType="AWS_PROXY",
            IntegrationUri=uri,
            TimeoutInMillis=route_spec.integration_timeout_ms,
        )
        route_args: dict[str, Any] = {
            "ApiId": api_id,
            "RouteKey": route_key,
            "Target": f"integrations/{integration['IntegrationId']}",
            **(connect_authorization if route_key == "$connect" else {}),
        }
        if route_spec.two_way:
            route_args["RouteResponseSelectionExpression"] = "$default"
        route = apigw.create_route(**route_args)
        if route_spec.two_way:
            apigw.create_route_response(
                ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default"
            )
    apigw.create_stage(
        ApiId=api_id,
        StageName=STAGE,
        RouteSettings=route_settings or {"limited": LIMITED_ROUTE_SETTINGS},
        StageVariables=stage_variables or {},
    )
    return api_id


def deploy_one_route_api(endpoint: str, code: bytes, api_name: str, runtime: str) -> None:
    """An API whose only route, `$default`, is `handlers.echo` declared as `runtime`."""
    iam = aws_client("iam", endpoint)
    role = iam.get_role(RoleName="fn-role")  # deploy's
    lambdas = aws_client("lambda", endpoint)
    apigw = aws_client("apigatewayv2", endpoint)
    api_id = apigw.create_api(
        Name=api_name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    function = lambdas.create_function(
        FunctionName=f"{api_name}-echo",
        Runtime=runtime,
        Role=role["Role"]["Arn"],
        Handler="handlers.echo",
        Code={"ZipFile": code},
        Environment={"Variables": {"EVENT_DIR": "/nonexistent"}},
    )
    uri = (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
        f"{function['FunctionArn']}/invocations"
    )
    integration = apigw.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=uri
    )
    route = apigw.create_route(
        ApiId=api_id,
        RouteKey="$default",
        Target=f"integrations/{integration['IntegrationId']}",
        RouteResponseSelectionExpression="$default",
    )
    apigw.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    apigw.create_stage(ApiId=api_id, StageName=STAGE)


class GatewayProcess:
    """A running `local-gateway`, its log collected line by line."""

    def __init__(self, command: list[str]) -> None:
        self._process = subprocess.Popen(  # a process group of its own, as `make up` starts it
            command, stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, text: str, count: int = 1, timeout_s: float = 15.0) -> list[str]:
        """The log lines containing `text`, once there are at least `count` of them."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                found = [line for line in self.lines if text in line]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._process.poll() is not None:
                    raise AssertionError(f"no {text!r} in the log:\n" + "".join(self.lines))
                self._changed.wait(remaining)

    def count(self, text: str) -> int:
        with self._changed:
            return sum(text in line for line in self.lines)

    def signal(self, signum: int) -> None:
        """Signal the gateway alone (SIGHUP: reload)."""
        self._process.send_signal(signum)

    def signal_group(self, signum: int) -> None:
        """Signal the gateway's process group, as a terminal's Ctrl-C or `make down` does."""
        os.killpg(self._process.pid, signum)

    def kill(self) -> None:
        self._process.kill()

    def children(self) -> list[int]:
        """The pids of the gateway's child processes (its workers), from Linux's /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[1]) == self._process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)

    @property
    def returncode(self) -> int | None:
        return self._process.wait(timeout=30)


GatewayStarter = Callable[..., GatewayProcess]


def send_json(ws: ClientConnection, frame: dict[str, Any]) -> None:
    ws.send(json.dumps(frame))


def receive_json(ws: ClientConnection, timeout_s: float = 10.0) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(ws.recv(timeout=timeout_s))
    return answer


def echo(ws: ClientConnection, action: str = "whatever") -> dict[str, Any]:
    """The echo function's answer: the event it got, its pid, its invocation count, …"""
    send_json(ws, {"action": action})
    return receive_json(ws)


def recorded_events(event_dir: Path, route: str, connection_id: str, count: int = 1,
                    timeout_s: float = 10.0) -> list[dict[str, Any]]:  # fmt: skip
    """The events the recording functions wrote for `connection_id`, once `count` are there."""
    path = event_dir / f"{route.strip('$')}-{connection_id}.json"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            lines = path.read_text().splitlines()
            if len(lines) >= count:
                return [json.loads(line) for line in lines]
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} {route} events for {connection_id}")


def shape(value: Any) -> Any:
    """Keys and value types, recursively: what two events must share to look alike."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    return type(value).__name__


def invocation_routes(log_lines: list[str], connection_id: str) -> list[str]:
    """The routes invoked for `connection_id`, from the gateway's one line per invocation
    (`time route connection-id status duration ms [(cold start)]`)."""
    fields = [line.split() for line in log_lines]
    return [field[1] for field in fields if len(field) > 4 and field[2] == connection_id]
