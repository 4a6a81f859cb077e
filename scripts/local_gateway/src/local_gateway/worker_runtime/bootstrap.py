"""Entry point of a worker process: Lambda's runtime interface client, in miniature.

Run as `python -I -S -u bootstrap.py INVOKE_FD CONNECTIONS_FD TASK_DIR LAYER_DIR ENDPOINTS PID`
(PID: the data plane's).
It puts the function's code and the runtime layer on `sys.path` (nothing else: no site-packages),
installs the `@connections` hook on boto3's default session, imports the handler (the cold
start's init phase), then runs one invocation at a time, keeping module state between them,
until the data plane closes the invoke channel or kills it.
"""

import importlib
import json
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, cast

_, INVOKE_FD, CONNECTIONS_FD, TASK_DIR, LAYER_DIR, ENDPOINTS, DATA_PLANE_PID = sys.argv
sys.argv = [sys.argv[0]]
sys.path[:0] = [TASK_DIR, LAYER_DIR]

# The layer links boto3 and this package (as local_gateway_runtime): on sys.path from here on.
import boto3  # noqa: E402
from local_gateway_runtime import (  # type: ignore[import-not-found]  # noqa: E402
    connections_hook,
    dynamodb_faults,
    wire,
)

Handler = Callable[[dict[str, Any], "LambdaContext"], Any]


class LambdaContext:
    """The context object Lambda's Python runtime passes to a handler."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.invoked_function_arn = os.environ["LOCAL_GATEWAY_FUNCTION_ARN"]
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def stack_trace(exc: BaseException) -> list[str]:
    """The frames below the bootstrap's own, as Lambda reports them."""
    frames = traceback.extract_tb(exc.__traceback__)
    return traceback.format_list([frame for frame in frames if frame.filename != __file__])


def error_payload(error_type: str, exc: BaseException) -> dict[str, Any]:
    return {"errorMessage": str(exc), "errorType": error_type, "stackTrace": stack_trace(exc)}


def load_handler(handler_string: str) -> Handler:
    module_name, _, function_name = handler_string.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        message = f"Unable to import module '{module_name}': {exc}"
        raise InitError("Runtime.ImportModuleError", message) from exc
    handler = getattr(module, function_name, None)
    if handler is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        raise InitError("Runtime.HandlerNotFound", message)
    return handler  # type: ignore[no-any-return]


class InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def invoke(handler: Handler, request: dict[str, Any]) -> dict[str, Any]:
    context = LambdaContext(request["requestId"], request["deadlineMs"])
    try:
        result = handler(request["event"], context)
    except Exception as exc:
        error = error_payload(type(exc).__name__, exc)
        trace = "".join(error["stackTrace"])
        print(f"[ERROR] {error['errorType']}: {exc}\nTraceback (most recent call last):\n{trace}",
              end="", file=sys.stderr)  # fmt: skip
        return {"error": error}
    try:
        json.dumps(result)
    except (TypeError, ValueError) as exc:
        return {"error": error_payload("Runtime.MarshalError", exc)}
    return {"result": result}


def die_with_the_data_plane() -> None:
    """Linux: be killed when the data plane dies, even by SIGKILL (PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415 (Linux only)

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != int(DATA_PLANE_PID):  # it died before prctl
        os._exit(1)


def main() -> None:
    die_with_the_data_plane()
    invoke_channel = socket.socket(fileno=int(INVOKE_FD))
    connections_channel = connections_hook.ConnectionsChannel(
        socket.socket(fileno=int(CONNECTIONS_FD))
    )
    # The session `boto3.client(...)` uses: the hooks are registered on its event system.
    boto3.setup_default_session()
    events = cast(boto3.Session, boto3.DEFAULT_SESSION).events
    connections_hook.install(connections_channel, tuple(ENDPOINTS.split(",")), events)
    faults = dynamodb_faults.install(connections_channel, events)
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except InitError as exc:
        print(f"[ERROR] {exc.error_type}: {exc}", file=sys.stderr)
        wire.recv_frame(invoke_channel)  # the first invocation gets the init error, as in Lambda
        answer = {"error": error_payload(exc.error_type, exc)}
        invoke_channel.sendall(wire.pack(json.dumps(answer).encode()))
        return
    while True:
        try:
            request = json.loads(wire.recv_frame(invoke_channel))
        except EOFError:
            return
        faults.armed = request["dynamodbFaultsArmed"]
        invoke_channel.sendall(wire.pack(json.dumps(invoke(handler, request)).encode()))


main()
