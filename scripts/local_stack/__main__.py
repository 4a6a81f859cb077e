"""``python -m local_stack dev|up|down`` (with scripts/ on PYTHONPATH), as ``make dev``, ``make up``
and ``make down`` run it: the chat on this machine, in the foreground or in the background."""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from deployment.disable_user import DisableUserError
from local_stack import local_user
from local_stack.emulator import EMULATORS, EmulatorError, chosen
from local_stack.stack import ROOT, Options, run, say

START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0
LOG_LINES_SHOWN = 30  # of the log, when `make up` fails


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local_stack", description=__doc__)
    parser.add_argument("command", choices=["dev", "up", "down", "user", "disable-user"])
    parser.add_argument(
        "--emulator-endpoint",
        default=_default_emulator_endpoint(),
        help="AWS emulator (default: LocalStack's address from $LOCALSTACK_HOST, or "
        "http://127.0.0.1:4566)",
    )
    parser.add_argument(
        "--emulator",
        choices=EMULATORS,
        default=_default_emulator(),
        help="which AWS emulator (default: $EMULATOR, else ministack)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--site-port", type=int, default=8080)
    parser.add_argument("--websocket-port", type=int, default=8081)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "local")
    parser.add_argument(
        "--auth",
        choices=["off", "optional", "required"],
        default="off",
        help="who may connect: envs/local's auth_mode (default off)",
    )
    parser.add_argument(
        "--username", default="", help="user, disable-user: the user's name (Cognito username)"
    )
    parser.add_argument(
        "--email", default=None, help="user: its e-mail (default <name>@example.com)"
    )
    args = parser.parse_args()
    options = Options(
        emulator_endpoint=args.emulator_endpoint,
        host=args.host,
        site_port=args.site_port,
        websocket_port=args.websocket_port,
        work_dir=args.work_dir.resolve(),
        emulator=args.emulator,
        auth_mode=args.auth,
    )
    if args.command == "dev":
        run(options)
    elif args.command == "up":
        up(options, sys.argv[2:])
    elif args.command == "user":
        user(options, args.username, args.email)
    elif args.command == "disable-user":
        disable_user(options, args.username)
    else:
        down(options)


def user(options: Options, username: str, email: str | None) -> None:
    """A confirmed user in the running stack's user pool; the password comes in
    LOCAL_USER_PASSWORD, so that it is in no process list."""
    password = os.environ.get("LOCAL_USER_PASSWORD", "")
    try:
        say(local_user.create(options.ready_file, username, password, email))
    except local_user.LocalUserError as error:
        sys.exit(str(error))


def disable_user(options: Options, username: str) -> None:
    """Disable a user of the running stack's user pool and sign them out everywhere."""
    try:
        say(local_user.disable(options.ready_file, username))
    except (local_user.LocalUserError, DisableUserError) as error:
        sys.exit(str(error))


def up(options: Options, arguments: list[str]) -> None:
    """Start ``dev`` in the background, logging to a file; return once it is ready."""
    pid_file = options.work_dir / "stack.pid"
    if _running(pid_file):
        say(f"the local stack is already running (pid {pid_file.read_text().strip()})")
        _print_ready(options)
        return
    options.work_dir.mkdir(parents=True, exist_ok=True)
    log_path = options.work_dir / "stack.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_stack", "dev", *arguments],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives this command; `make down` stops its group
        )
    pid_file.write_text(f"{process.pid}\n")
    say(f"starting in the background (log: {log_path})")
    deadline = time.monotonic() + START_TIMEOUT_S
    while not options.ready_file.exists():
        exited, late = process.poll() is not None, time.monotonic() > deadline
        if exited or late:
            pid_file.unlink(missing_ok=True)
            _stop_group(process.pid)
            why = "it exited" if exited else f"not ready within {START_TIMEOUT_S:.0f} s"
            sys.exit(
                f"the local stack did not start ({why}); the end of {log_path}:\n"
                + _last_lines(log_path, LOG_LINES_SHOWN)
            )
        time.sleep(0.2)
    _print_ready(options)


def down(options: Options) -> None:
    pid_file = options.work_dir / "stack.pid"
    if not _running(pid_file):
        say("the local stack is not running")
        pid_file.unlink(missing_ok=True)
        return
    _stop_group(int(pid_file.read_text()))
    pid_file.unlink(missing_ok=True)
    say("stopped")


def _stop_group(pid: int) -> None:
    """SIGTERM the stack's process group, wait for it, SIGKILL what is left."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _last_lines(path: Path, count: int) -> str:
    lines = path.read_text(errors="replace").splitlines()
    return "\n".join(lines[-count:])


def _running(pid_file: Path) -> bool:
    try:
        return _alive(int(pid_file.read_text()))
    except (OSError, ValueError):
        return False


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
    except ChildProcessError:
        finished = 0
    if finished:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _print_ready(options: Options) -> None:
    ready = json.loads(options.ready_file.read_text())
    say(f"WebSocket API  {ready['websocket']}")
    say(f"AWS emulator   {ready['emulator']}")
    say(f"Logs           {options.work_dir / 'stack.log'}")
    if ready.get("userPoolId"):
        say(
            f"Sign-in        {ready['authMode']}: make local-user USERNAME=… PASSWORD=… adds a user"
        )
    say(f"Open {ready['site']}/lobby")


def _default_emulator() -> str:
    try:
        return chosen()
    except EmulatorError as error:
        sys.exit(str(error))


def _default_emulator_endpoint() -> str:
    """Where localstack-client looks: $LOCALSTACK_HOST (host[:port]), else port 4566 here."""
    host = os.environ.get("LOCALSTACK_HOST", "127.0.0.1:4566")
    return host if "://" in host else f"http://{host if ':' in host else host + ':4566'}"


if __name__ == "__main__":
    main()
