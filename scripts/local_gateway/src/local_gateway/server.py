"""Assembles the data plane from what is deployed and serves it until cancelled."""

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

import boto3

from .connections import ConnectionRegistry, ManagementApi, ManagementResponse
from .discovery import Deployment, DiscoveryError, FunctionSpec, discover
from .events import ApiIdentity
from .faults import FaultInjector
from .front_door import FrontDoor
from .function_code import CodeMismatchError, code_dir
from .gateway import Gateway
from .loopback_guard import LoopbackGuard
from .runtime_layer import build_runtime_layer
from .runtimes import RuntimeNotServedError, interpreters
from .worker_runtime import wire
from .workers import FunctionPool, WorkerSettings

log = logging.getLogger("local_gateway")

# Stopping: how long clients get to answer the close frame, then invocations to finish.
_SHUTDOWN_CLOSE_WAIT_S = 1.0
# Under the work dir: when the last completed reload (SIGHUP) began reading the deployment.
RELOADED_FILE = "reloaded"
_SHUTDOWN_INVOCATIONS_WAIT_S = 10.0


@dataclass(frozen=True)
class Options:
    endpoint_url: str
    region: str
    api: str
    stage: str | None
    host: str
    port: int
    local_zip: Path | None
    work_dir: Path
    python: dict[str, str]  # runtime → interpreter, from --python RUNTIME=PATH
    max_workers_per_function: int
    idle_timeout_s: float
    max_lifetime_s: float
    allowed_origins: tuple[str, ...] = ()  # the pages whose browsers may call this port


class _WorkerRequests:
    """Answers what workers ask over their channel: `@connections` calls, and whether the
    DynamoDB request a worker is about to send is to fail."""

    def __init__(self, management: ManagementApi, faults: FaultInjector) -> None:
        self._management = management
        self._faults = faults

    def handle(self, method: str, path: str, body: bytes) -> ManagementResponse:
        if path.startswith(wire.DYNAMODB_FAULT_PATH):
            return self._faults.dynamodb_answer(path.removeprefix(wire.DYNAMODB_FAULT_PATH))
        return self._management.handle(method, path, body)

    def dynamodb_faults_armed(self) -> bool:
        return self._faults.dynamodb_armed()


def _deployment(options: Options) -> Deployment:
    session = boto3.Session(  # the emulator's test credentials, never the developer's
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
        region_name=options.region,
    )
    return discover(session, options.endpoint_url, options.api, options.stage)


def _runtimes(deployment: Deployment) -> dict[str, str]:
    """Each runtime the deployment's functions use → one function that uses it."""
    return {function.runtime: function.name for function in deployment.functions()}


def _connections_endpoints(options: Options, api_id: str) -> tuple[str, ...]:
    """Where the functions may address this stage's `@connections`: this port (its domain name
    in the events, over http or https), and the emulator's `/_aws/execute-api/<api>` path, the
    address LocalStack and MiniStack give an API's `@connections` (a function configured with
    it reaches whichever data plane holds the connection)."""
    local = ("127.0.0.1", "localhost")
    names = sorted({options.host, *local}) if options.host in local else [options.host]
    own = [f"{scheme}://{name}:{options.port}" for scheme in ("http", "https") for name in names]
    return (*own, f"{options.endpoint_url.rstrip('/')}/_aws/execute-api/{api_id}")


async def serve(options: Options, reload_requests: asyncio.Event | None = None) -> None:
    """Serve the API's stage on options.host:options.port until cancelled; each time
    `reload_requests` is set, re-read the deployment and serve its changed functions."""
    deployment = await asyncio.to_thread(_deployment, options)
    pythons = interpreters(_runtimes(deployment), options.python)
    layer = build_runtime_layer(options.work_dir / "runtime")
    registry = ConnectionRegistry()
    faults = FaultInjector()
    management = ManagementApi(registry, deployment.stage, faults.take)
    worker_requests = _WorkerRequests(management, faults)
    endpoints = _connections_endpoints(options, deployment.api_id)
    functions = _Functions(options, layer, worker_requests, endpoints)
    functions.update(deployment, pythons)
    pools = functions.pools
    api = ApiIdentity(deployment.api_id, deployment.stage, f"{options.host}:{options.port}")
    gateway = Gateway(deployment, api, pools, registry)
    guard = LoopbackGuard(options.port, options.allowed_origins, options.host)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: FrontDoor(
            gateway,
            management,
            faults,
            stage=deployment.stage,
            region=deployment.region,
            guard=guard,
        ),
        options.host,
        options.port,
    )
    log.info(
        "API %s (%s) stage %s: routes %s",
        deployment.api_name,
        deployment.api_id,
        deployment.stage,
        ", ".join(sorted(deployment.routes)),
    )
    log.info("Listening on ws://%s:%d/%s", options.host, options.port, deployment.stage)
    reloading = asyncio.create_task(
        _reload_when_asked(reload_requests or asyncio.Event(), options, functions, gateway)
    )
    try:
        await _close_expired_connections(registry, options.idle_timeout_s, options.max_lifetime_s)
    finally:
        reloading.cancel()
        server.close()
        await _close_connections(registry)
        try:
            async with asyncio.timeout(_SHUTDOWN_INVOCATIONS_WAIT_S):
                await gateway.drain()  # messages in flight and the $disconnects just caused
        except TimeoutError:
            log.warning("Stopping with invocations still running")
        for pool in [*pools.values(), *functions.retired]:
            await pool.close()


class _Functions:
    """A pool per deployed function; a function whose code or configuration changed gets a
    new pool, and its old one is retired (its invocations in flight finish on the old code)."""

    def __init__(
        self,
        options: Options,
        layer: Path,
        requests: "_WorkerRequests",
        endpoints: tuple[str, ...],
    ) -> None:
        self._options = options
        self._layer = layer
        self._requests = requests
        self._endpoints = endpoints
        self._cache = options.work_dir / "functions"
        self._cache.mkdir(parents=True, exist_ok=True)
        self.pools: dict[str, FunctionPool] = {}
        self.retired: list[FunctionPool] = []  # replaced, finishing what they had started

    def update(self, deployment: Deployment, pythons: dict[str, str]) -> list[FunctionPool]:
        """Pools for `deployment`'s functions; the pools they replace, to retire."""
        replaced: list[FunctionPool] = []
        for function in deployment.functions():
            current = self.pools.get(function.arn)
            if current is not None and _same(current.function, function):
                continue
            directory = code_dir(function, self._options.local_zip, self._cache)
            self.pools[function.arn] = FunctionPool(
                function,
                directory,
                WorkerSettings(
                    python=pythons[function.runtime],
                    runtime_layer=self._layer,
                    endpoint_url=self._options.endpoint_url,
                    region=self._options.region,
                    connections_endpoints=self._endpoints,
                ),
                self._requests,
                self._options.max_workers_per_function,
            )
            if current is not None:
                replaced.append(current)
        self.retired.extend(replaced)
        return replaced


def _same(deployed: FunctionSpec, rediscovered: FunctionSpec) -> bool:
    """The same code and configuration (a code location is a fresh presigned URL each time)."""
    return replace(deployed, code_location=None) == replace(rediscovered, code_location=None)


async def _reload_when_asked(
    requests: asyncio.Event, options: Options, functions: _Functions, gateway: Gateway
) -> None:
    while True:
        await requests.wait()
        requests.clear()
        started = time.time()  # what this reload reads was deployed by then
        try:
            deployment = await asyncio.to_thread(_deployment, options)
            pythons = await asyncio.to_thread(interpreters, _runtimes(deployment), options.python)
            replaced = await asyncio.to_thread(functions.update, deployment, pythons)
        except (DiscoveryError, CodeMismatchError, RuntimeNotServedError, OSError) as error:
            log.error("Reload failed, still serving what was deployed before: %s", error)
            continue
        gateway.update(deployment)
        for pool in replaced:
            await pool.retire()
        names = ", ".join(sorted(pool.function.name for pool in replaced)) or "none"
        log.info("Reloaded: functions with new code or configuration: %s", names)
        # For whoever changed the deployment and signalled: once this holds a time after their
        # change, every invocation runs what they deployed.
        (options.work_dir / RELOADED_FILE).write_text(repr(started))


async def _close_connections(registry: ConnectionRegistry) -> None:
    """Close every client socket (1001 Going away), waiting a little for the clients' answers;
    each closed socket has its `$disconnect` invoked."""
    for connection in registry.all():
        connection.close(1001, "Going away")
    deadline = time.monotonic() + _SHUTDOWN_CLOSE_WAIT_S
    while registry.all() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    for connection in registry.all():
        connection.abort()
    await asyncio.sleep(0)  # their connection_lost callbacks run


async def _close_expired_connections(
    registry: ConnectionRegistry, idle_timeout_s: float, max_lifetime_s: float
) -> None:
    """API Gateway's idle timeout and connection lifetime (1001 Going away)."""
    period = min(max(min(idle_timeout_s, max_lifetime_s) / 4, 0.05), 5.0)
    while True:
        await asyncio.sleep(period)
        now_ms = time.time() * 1000
        for connection in registry.all():
            idle_ms = now_ms - connection.last_active_ms
            age_ms = now_ms - connection.client.connected_at_ms
            if idle_ms > idle_timeout_s * 1000 or age_ms > max_lifetime_s * 1000:
                connection.close(1001, "Going away")
