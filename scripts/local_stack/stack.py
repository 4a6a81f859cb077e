"""Start the local stack, keep it running until told to stop, and stop everything it started."""

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from local_stack import emulator, terraform
from local_stack.site_server import SiteServer

ROOT = Path(__file__).resolve().parents[2]
LAMBDA_ZIP = ROOT / "build" / "lambdas.zip"
# What the zip is built from (make's $(LAMBDA_SOURCES)): watched by a running stack, which
# rebuilds the zip, re-applies and reloads the data plane when one of them changes.
LAMBDA_SOURCES = (ROOT / "lambdas" / "serverless_chat", ROOT / "lambdas" / "requirements.lock")
BUILD_LAMBDA_ZIP = ROOT / "scripts" / "build_lambda_zip.py"
# The data plane's console script, installed into this venv with scripts/local_gateway.
LOCAL_GATEWAY_COMMAND = Path(sys.executable).with_name("local-gateway")
FRONTEND_DIST = ROOT / "frontend" / "dist"
STAGE = "local"  # terraform/envs/local's stage
REGION = "us-east-1"  # terraform/envs/local's default region
READY_TIMEOUT_S = 60.0
WATCH_PERIOD_S = 5.0  # how often a running stack checks that the emulator still holds it
SOURCES_PERIOD_S = 1.0  # how often it looks at the functions' sources


@dataclass(frozen=True)
class Options:
    emulator_endpoint: str
    host: str
    site_port: int
    websocket_port: int
    work_dir: Path
    emulator: str = field(default_factory=emulator.chosen)  # ministack, moto or localstack
    auth_mode: str = "off"  # envs/local's auth_mode: off, optional or required (`make dev AUTH=`)

    @property
    def site_url(self) -> str:
        return f"http://{self.host}:{self.site_port}"

    @property
    def site_origins(self) -> list[str]:
        """The local site's origins: envs/local's ALLOWED_ORIGINS, and the only pages whose
        browsers the stack's local endpoints answer (loopback_guard.py)."""
        origins = [self.site_url]
        if self.host == "127.0.0.1":
            origins.append(f"http://localhost:{self.site_port}")
        return origins

    @property
    def websocket_url(self) -> str:
        return f"ws://{self.host}:{self.websocket_port}/{STAGE}"

    @property
    def connections_api_endpoint(self) -> str:
        """The data plane's own ``@connections``, for the connections it holds."""
        return f"http://{self.host}:{self.websocket_port}/{STAGE}"

    @property
    def ready_file(self) -> Path:
        """Written once everything answers; says where."""
        return self.work_dir / "ready.json"


def say(line: str) -> None:
    print(f"[local] {line}", flush=True)


class StackError(Exception):
    pass


class FunctionSources:
    """The Lambda package's sources, by each file's path, modification time and size."""

    def __init__(self, roots: tuple[Path, ...] = LAMBDA_SOURCES) -> None:
        self._roots = roots
        self._seen = self._fingerprint()

    def changed(self) -> bool:
        """Whether a file was added, removed or saved since the last look; once a change is
        seen, waits for the saving to settle (an editor may write in several steps)."""
        current = self._fingerprint()
        if current == self._seen:
            return False
        while True:
            time.sleep(0.3)
            settled = self._fingerprint()
            if settled == current:
                break
            current = settled
        self._seen = current
        return True

    def _fingerprint(self) -> frozenset[tuple[str, int, int]]:
        files = [
            path
            for root in self._roots
            for path in ([root] if root.is_file() else root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts
        ]
        return frozenset((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


class LocalStack:
    """The stack on this machine: starts its parts in order and stops what it started."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.emulator_endpoint = options.emulator_endpoint
        self.api_id = ""
        self.gateway: subprocess.Popen[bytes] | None = None
        self._variables: dict[str, str] = {}  # envs/local's, as applied at start
        self._function_names: list[str] = []  # envs/local's functions, one per route
        self._applying: threading.Thread | None = None  # the re-apply after a reload
        self._stoppers: list[tuple[str, Callable[[], None]]] = []
        self._apis: Any = None  # the emulator's API Gateway v2 client, once a check needs it

    def start(self) -> None:
        options = self.options
        options.work_dir.mkdir(parents=True, exist_ok=True)
        options.ready_file.unlink(missing_ok=True)
        # The emulator's own lines go where the stack's go: the terminal, or `make up`'s log.
        aws = emulator.find_or_start(
            options.emulator_endpoint, None, say, options.emulator, options.site_origins
        )
        if aws.started_here:
            self._stoppers.append((aws.name, aws.stop))
        self.emulator_endpoint = aws.endpoint
        if aws.started_here:  # a new emulator is empty: an old state would only mislead
            (options.work_dir / "terraform.tfstate").unlink(missing_ok=True)
        say(f"terraform apply terraform/envs/local (log: {options.work_dir / 'terraform.log'})")
        self._variables = {
            "emulator_endpoint": aws.endpoint,
            "websocket_url": options.websocket_url,
            "allowed_origins": json.dumps(options.site_origins),
            "lambda_package_path": str(LAMBDA_ZIP),
            "auth_mode": options.auth_mode,
        }
        with open(options.work_dir / "terraform.log", "wb") as terraform_log:
            outputs = terraform.apply(options.work_dir, self._variables, terraform_log)
        self.api_id = str(outputs["api_id"])
        authorizer = outputs.get("authorizer_function_name")  # null (left out) when off
        self._function_names = sorted({*outputs["routes"].values(), *filter(None, [authorizer])})
        sign_in = outputs["sign_in"]
        self.start_gateway()
        self._stoppers.append(("the WebSocket data plane", self.stop_gateway))
        site = SiteServer(
            (options.host, options.site_port),
            FRONTEND_DIST,
            _config_json(aws.endpoint, str(outputs["site_bucket_name"])),
            options.websocket_url,
            sign_in["origin"],
        )
        site.start()
        self._stoppers.append(("the site", site.shutdown))
        options.ready_file.write_text(
            json.dumps(
                {
                    "site": options.site_url,
                    "websocket": options.websocket_url,
                    "emulator": aws.endpoint,
                    "authMode": sign_in["auth_mode"],
                    "userPoolId": sign_in["user_pool_id"],
                    "userPoolClientId": sign_in["user_pool_client_id"],
                    # make disable-user: closed on this data plane, which holds the connections
                    "signOut": {
                        **outputs["sign_out"],
                        "connections_api_endpoint": options.connections_api_endpoint,
                    },
                }
            )
        )
        say(f"WebSocket API  {options.websocket_url}")
        say(f"AWS emulator   {aws.endpoint} ({aws.name})")
        if sign_in["user_pool_id"]:
            say(
                f"Sign-in        {sign_in['auth_mode']}, user pool {sign_in['user_pool_id']}: "
                "make local-user USERNAME=… PASSWORD=… adds a user"
            )
        say(f"Open {options.site_url}/lobby")

    def start_gateway(self) -> None:
        options = self.options
        gateway = subprocess.Popen(
            [
                str(LOCAL_GATEWAY_COMMAND),
                "--api", self.api_id,
                "--stage", STAGE,
                "--endpoint-url", self.emulator_endpoint,
                "--region", REGION,
                "--host", options.host,
                "--port", str(options.websocket_port),
                "--zip", str(LAMBDA_ZIP),
                "--work-dir", str(options.work_dir / "gateway"),
                *emulator.origin_arguments(options.site_origins),
            ],
        )  # fmt: skip
        self.gateway = gateway
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _answers(options.host, options.websocket_port):
            if gateway.poll() is not None:
                raise StackError(
                    f"the WebSocket data plane exited with status {gateway.returncode}"
                )
            if time.monotonic() > deadline:
                self.stop_gateway()
                raise StackError("the WebSocket data plane did not start listening")
            time.sleep(0.1)

    def reload_functions(self) -> None:
        """After an edit under lambdas/: rebuild the zip, give the functions its code and have
        the data plane serve it (open connections stay open), then re-apply envs/local in the
        background so that Terraform's state records it. A failure is said and the stack keeps
        serving what it served."""
        if self._applying is not None:
            self._applying.join()  # one re-apply at a time, in the order of the edits
        say("lambdas/ changed: rebuilding build/lambdas.zip")
        started = time.monotonic()
        built = subprocess.run(
            [sys.executable, str(BUILD_LAMBDA_ZIP)], capture_output=True, text=True, check=False
        )
        if built.returncode != 0:
            say(f"error: the zip did not build; still serving the old code\n{built.stderr}")
            return
        # What the re-apply would do to each function, done first (Terraform takes ~20 s to
        # get there, mostly loading the provider): the code is live within seconds.
        lambdas = _emulator_client("lambda", self.emulator_endpoint)
        code = LAMBDA_ZIP.read_bytes()
        try:
            for name in self._function_names:
                lambdas.update_function_code(FunctionName=name, ZipFile=code)
        except (BotoCoreError, ClientError) as error:
            say(f"error: the functions' code was not updated ({error}); still serving the old")
            return
        if self.gateway is not None:
            self.gateway.send_signal(signal.SIGHUP)
        say(f"reloaded in {time.monotonic() - started:.1f} s: new invocations run the new code")
        self._applying = threading.Thread(target=self._reapply, daemon=True)
        self._applying.start()

    def _reapply(self) -> None:
        try:
            with open(self.options.work_dir / "terraform.log", "ab") as terraform_log:
                terraform.apply(
                    self.options.work_dir, self._variables, terraform_log, refresh=False
                )
        except terraform.TerraformError as error:
            say(f"error: {error}")
            return
        say("terraform/envs/local applied again: its state holds the new code")

    def stop_gateway(self) -> None:
        if self.gateway is not None:
            emulator.stop_process(self.gateway)

    def emulator_state(self) -> str:
        """The emulator under the running stack: "ok", "unreachable", or "lost" (it answers
        without the stack's API: it was restarted, and emulators keep nothing across restarts)."""
        if self._apis is None:
            self._apis = _emulator_client(
                "apigatewayv2",
                self.emulator_endpoint,
                Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 1}),
            )
        try:
            self._apis.get_api(ApiId=self.api_id)
        except ClientError as error:
            return "lost" if error.response["Error"]["Code"] == "NotFoundException" else "ok"
        except BotoCoreError:
            return "unreachable"
        return "ok"

    def stop(self) -> None:
        self.options.ready_file.unlink(missing_ok=True)
        if self._applying is not None:
            self._applying.join(timeout=60)  # a re-apply cut short would leave a stale state
        while self._stoppers:
            name, stopper = self._stoppers.pop()
            say(f"stopping {name}")
            stopper()


def run(options: Options) -> None:
    """``make dev``: bring the stack up, serve until SIGINT or SIGTERM, stop all it started."""
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    stack = LocalStack(options)
    try:
        stack.start()
        sources = FunctionSources()
        last_state, next_check = "ok", time.monotonic() + WATCH_PERIOD_S
        while not stop.wait(SOURCES_PERIOD_S):
            if sources.changed():
                stack.reload_functions()
            if stack.gateway is not None and stack.gateway.poll() is not None:
                raise StackError(
                    f"the WebSocket data plane exited with status {stack.gateway.returncode}"
                )
            if time.monotonic() < next_check:
                continue
            next_check = time.monotonic() + WATCH_PERIOD_S
            state = stack.emulator_state()
            if state == "lost":
                raise StackError(
                    f"the AWS emulator at {stack.emulator_endpoint} no longer holds the chat "
                    "(it was restarted, and an emulator keeps nothing across restarts). Run "
                    "`make dev` (or `make up`) again: it applies terraform/envs/local anew."
                )
            if state != last_state:
                say(
                    f"the AWS emulator at {stack.emulator_endpoint} does not answer: the chat "
                    "fails until it is back"
                    if state == "unreachable"
                    else f"the AWS emulator at {stack.emulator_endpoint} answers again"
                )
            last_state = state
    except (emulator.EmulatorError, terraform.TerraformError, StackError) as error:
        say(f"error: {error}")
        raise SystemExit(1) from None
    finally:
        stack.stop()


def _config_json(endpoint: str, bucket: str) -> Callable[[], bytes]:
    """``/config.json`` as Terraform wrote it into the site bucket."""
    s3 = _emulator_client("s3", endpoint)

    def read() -> bytes:
        return bytes(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())

    return read


def _emulator_client(service: str, endpoint: str, config: Config | None = None) -> Any:
    """A boto3 client of the emulator, with its test credentials (never the developer's)."""
    return boto3.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 - the emulator's
        config=config,
    )


def _answers(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0
