"""Execution environments: one worker process per environment, pooled per function."""

import asyncio
import json
import logging
import os
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from .connections import ManagementResponse
from .discovery import FunctionSpec
from .runtime_layer import bootstrap_script
from .worker_runtime import wire

log = logging.getLogger("local_gateway.functions")

_LOG_CHUNK_BYTES = 64 * 1024
_MAX_LOG_LINE_BYTES = 256 * 1024


@dataclass(frozen=True)
class WorkerSettings:
    """What a function's workers are started with: its runtime's interpreter, and the rest
    shared by every function."""

    python: str
    runtime_layer: Path
    endpoint_url: str
    region: str
    connections_endpoints: tuple[str, ...]  # URL prefixes of the @connections served here


@dataclass(frozen=True)
class InvocationResult:
    """The function's answer (`payload`) or Lambda's error object (`error`)."""

    payload: Any = None
    error: dict[str, Any] | None = None


def lambda_environment(
    function: FunctionSpec, code_dir: Path, settings: WorkerSettings
) -> dict[str, str]:
    """The function's variables under Lambda's reserved ones, with test credentials only."""
    started = time.strftime("%Y/%m/%d")
    reserved = {
        "_HANDLER": function.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"{started}/[$LATEST]{secrets.token_hex(16)}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        "AWS_ENDPOINT_URL": settings.endpoint_url,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "LAMBDA_TASK_ROOT": str(code_dir),
        "LAMBDA_RUNTIME_DIR": str(settings.runtime_layer),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LOCAL_GATEWAY_FUNCTION_ARN": function.arn,
    }
    return {**function.environment, **reserved}


class ChannelRequests(Protocol):
    """What answers a worker's channel: its `@connections` calls and DynamoDB fault checks."""

    def handle(self, method: str, path: str, body: bytes) -> ManagementResponse: ...

    def dynamodb_faults_armed(self) -> bool: ...


class _ConnectionsChannel(asyncio.Protocol):
    """The data plane's end of a worker's channel: every request is answered synchronously,
    and all answers to one read go back in one write."""

    def __init__(self, requests: ChannelRequests) -> None:
        self._requests = requests
        self._frames = wire.FrameBuffer()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        answers = []
        for frame in self._frames.feed(data):
            response = self._requests.handle(*wire.decode_request(frame))
            answer = wire.encode_response(response.status, response.error_type, response.body)
            answers.append(wire.pack(answer))
        if self._transport is not None:
            self._transport.write(b"".join(answers))


class Worker:
    """One execution environment: a `python -I -S` process running one invocation at a time."""

    def __init__(
        self,
        function: FunctionSpec,
        process: asyncio.subprocess.Process,
        invoke_reader: asyncio.StreamReader,
        invoke_writer: asyncio.StreamWriter,
        connections_transport: asyncio.BaseTransport,
        *,
        requests: ChannelRequests,
    ) -> None:
        self._function = function
        self._requests = requests
        self._process = process
        self._reader = invoke_reader
        self._writer = invoke_writer
        self._connections_transport = connections_transport
        self._log_task = asyncio.create_task(self._forward_logs())

    @classmethod
    async def start(
        cls,
        function: FunctionSpec,
        code_dir: Path,
        settings: WorkerSettings,
        requests: ChannelRequests,
    ) -> "Worker":
        invoke_ours, invoke_theirs = socket.socketpair()
        connections_ours, connections_theirs = socket.socketpair()
        command = [
            settings.python, "-I", "-S", "-u", str(bootstrap_script(settings.runtime_layer)),
            str(invoke_theirs.fileno()), str(connections_theirs.fileno()),
            str(code_dir), str(settings.runtime_layer), ",".join(settings.connections_endpoints),
            str(os.getpid()),
        ]  # fmt: skip
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                cwd=code_dir,
                env=lambda_environment(function, code_dir, settings),
                pass_fds=(invoke_theirs.fileno(), connections_theirs.fileno()),
                stdin=asyncio.subprocess.DEVNULL,
                # A process group of its own: a terminal's Ctrl-C or `make down`'s signal to the
                # gateway's group reaches the gateway, which stops its workers in order.
                process_group=0,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        finally:
            invoke_theirs.close()
            connections_theirs.close()
        loop = asyncio.get_running_loop()
        reader, writer = await asyncio.open_connection(sock=invoke_ours)
        transport, _ = await loop.connect_accepted_socket(
            lambda: _ConnectionsChannel(requests), sock=connections_ours
        )
        return cls(function, process, reader, writer, transport, requests=requests)

    async def invoke(self, event: dict[str, Any]) -> InvocationResult:
        """Run one invocation; on a timeout or a crash the worker is dead afterwards."""
        timeout_s = self._function.timeout_s
        request_id = str(uuid.uuid4())  # Lambda's own request id, not API Gateway's
        request = {
            "requestId": request_id,
            "deadlineMs": int((time.time() + timeout_s) * 1000),
            "event": event,
            "dynamodbFaultsArmed": self._requests.dynamodb_faults_armed(),
        }
        self._writer.write(wire.pack(json.dumps(request).encode()))
        try:
            async with asyncio.timeout(timeout_s):
                header = await self._reader.readexactly(wire.LENGTH_SIZE)
                payload = await self._reader.readexactly(wire.payload_length(header))
        except TimeoutError:
            log.info("%s %s Task timed out after %.2f seconds", self.name, request_id, timeout_s)
            self.kill()
            return _runtime_error("Sandbox.Timedout", f"Task timed out after {timeout_s:.2f} s")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.kill()
            return _runtime_error("Runtime.ExitError", "Runtime exited without providing a reason")
        answer: dict[str, Any] = json.loads(payload)
        if "error" in answer:
            return InvocationResult(error=answer["error"])
        return InvocationResult(payload=answer["result"])

    @property
    def name(self) -> str:
        return self._function.name

    def kill(self) -> None:
        if self._process.returncode is None:
            self._process.kill()
        self._writer.close()
        self._connections_transport.close()

    async def wait_closed(self) -> None:
        await self._process.wait()
        await self._log_task

    async def _forward_logs(self) -> None:
        """The function's output, line by line (a line longer than Lambda's 256 KB is cut)."""
        output = self._process.stdout
        if output is None:
            return
        pending = b""
        while chunk := await output.read(_LOG_CHUNK_BYTES):
            *lines, pending = (pending + chunk).split(b"\n")
            if len(pending) > _MAX_LOG_LINE_BYTES:
                lines.append(pending)
                pending = b""
            for line in lines:
                log.info("[%s] %s", self.name, line.decode(errors="replace").rstrip())
        if pending:
            log.info("[%s] %s", self.name, pending.decode(errors="replace").rstrip())


def _runtime_error(error_type: str, message: str) -> InvocationResult:
    return InvocationResult(error={"errorType": error_type, "errorMessage": message})


@dataclass(frozen=True)
class Invocation:
    result: InvocationResult
    duration_ms: float
    cold: bool


class FunctionPool:
    """Warm workers of one function, reused one invocation at a time; new ones on demand."""

    def __init__(
        self,
        function: FunctionSpec,
        code_dir: Path,
        settings: WorkerSettings,
        requests: ChannelRequests,
        max_workers: int,
    ) -> None:
        self._function = function
        self._code_dir = code_dir
        self._settings = settings
        self._requests = requests
        self._slots = asyncio.Semaphore(max_workers)
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._retired = False

    @property
    def function(self) -> FunctionSpec:
        return self._function

    async def invoke(self, event: dict[str, Any]) -> Invocation:
        async with self._slots:
            started = time.perf_counter()  # time waiting for a free slot is not Lambda's
            cold = not self._idle
            try:
                worker = self._idle.pop() if self._idle else await self._start_worker()
            except OSError as error:
                log.error("cannot start a worker for %s: %s", self._function.name, error)
                return Invocation(_runtime_error("Runtime.Unknown", str(error)), 0.0, cold)
            result = await worker.invoke(event)
            if result.error is None and not self._retired:
                self._idle.append(worker)
            else:
                await self._retire(worker)
            return Invocation(result, (time.perf_counter() - started) * 1000, cold)

    async def close(self) -> None:
        for worker in list(self._all):
            await self._retire(worker)

    async def retire(self) -> None:
        """Replaced by a pool of new code: idle workers stop now, busy ones once they answer
        (an invocation in flight runs to its end on the code it started with)."""
        self._retired = True
        idle, self._idle = self._idle, []
        for worker in idle:
            await self._retire(worker)

    async def _start_worker(self) -> Worker:
        worker = await Worker.start(self._function, self._code_dir, self._settings, self._requests)
        self._all.add(worker)
        return worker

    async def _retire(self, worker: Worker) -> None:
        self._all.discard(worker)
        worker.kill()
        await worker.wait_closed()
