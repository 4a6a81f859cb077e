"""`local-gateway --api NAME` (or `python -m local_gateway`): serve a WebSocket API
deployed in an AWS emulator at ws://HOST:PORT/STAGE, running its Lambda functions locally."""

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from .discovery import DiscoveryError
from .function_code import CodeMismatchError
from .runtimes import RuntimeNotServedError
from .server import Options, serve


def _runtime_and_path(value: str) -> tuple[str, str]:
    runtime, equals, path = value.partition("=")
    if not equals or not runtime or not path:
        raise argparse.ArgumentTypeError(f"expected RUNTIME=PATH (python3.13=/path), not {value!r}")
    return runtime, path


def _options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="local-gateway", description=__doc__)
    parser.add_argument("--api", required=True, help="name or id of the WebSocket API")
    parser.add_argument("--stage", help="stage to serve (default: the API's only stage)")
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
        help="the emulator (default: $AWS_ENDPOINT_URL or http://127.0.0.1:4566)",
    )
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--zip",
        type=Path,
        default=Path("build/lambdas.zip"),
        help="the functions' code when the emulator does not serve it; its sha256 must match",
    )
    parser.add_argument("--work-dir", type=Path, default=Path("build/local_gateway"))
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        type=_runtime_and_path,
        metavar="RUNTIME=PATH",
        help="the interpreter of a runtime, e.g. python3.13=/usr/bin/python3.13 (repeatable; "
        "otherwise pythonX.Y is looked for on PATH and in pyenv)",
    )
    parser.add_argument(
        "--allowed-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a page whose browser may use this port, e.g. http://127.0.0.1:5173 (repeatable); "
        "a request with any other Origin header is refused (403), WebSocket upgrades included",
    )
    parser.add_argument("--max-workers-per-function", type=int, default=4)
    parser.add_argument("--idle-timeout", type=float, default=600.0, help="seconds")
    parser.add_argument("--max-lifetime", type=float, default=7200.0, help="seconds")
    args = parser.parse_args(argv)
    return Options(
        endpoint_url=args.endpoint_url,
        region=args.region,
        api=args.api,
        stage=args.stage,
        host=args.host,
        port=args.port,
        local_zip=args.zip if args.zip.exists() else None,
        work_dir=args.work_dir.resolve(),
        python=dict(args.python),
        max_workers_per_function=args.max_workers_per_function,
        idle_timeout_s=args.idle_timeout,
        max_lifetime_s=args.max_lifetime,
        allowed_origins=tuple(args.allowed_origin),
    )


async def _serve_until_signalled(options: Options) -> None:
    """Serve until SIGINT or SIGTERM, then shut down in order (workers included); reload on
    SIGHUP."""
    reload_requests = asyncio.Event()
    serving = asyncio.ensure_future(serve(options, reload_requests))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, serving.cancel)
    # SIGHUP: re-read the deployment; changed functions get new workers, connections stay open.
    loop.add_signal_handler(signal.SIGHUP, reload_requests.set)
    try:
        await serving
    except asyncio.CancelledError:
        logging.getLogger("local_gateway").info("Stopped")


def main(argv: list[str]) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s.%(msecs)03d %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("websockets").setLevel(logging.WARNING)
    try:
        asyncio.run(_serve_until_signalled(_options(argv)))
    except (DiscoveryError, CodeMismatchError, RuntimeNotServedError) as exc:
        print(f"local_gateway: {exc}", file=sys.stderr)
        return 1
    return 0


def run() -> None:
    """The `local-gateway` console script."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    run()
