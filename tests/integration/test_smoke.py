"""`make smoke` (scripts/deployment/smoke.py) against the local stack: every check passes there,
and each kind of check fails against a stack broken on purpose (a site without its security
headers, a WebSocket URL that refuses), so the smoke test cannot pass whatever it meets."""

import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from websockets.http11 import Request
from websockets.sync.server import ServerConnection, serve

from deployment import smoke
from local_stack.emulator import free_port
from local_stack.site_server import SiteServer
from local_stack.stack import FRONTEND_DIST
from tests.terraform.test_make_deploy import copy_repository

ROOT = Path(__file__).resolve().parents[2]
CHECKS = [
    "site config.json",
    "site /",
    "site room path",
    "site not a room",
    "site missing file",
    "chat connect",
    "chat join",
    "chat message",
    "chat rename",
    "chat bad input",
    "chat leave",
]


def verdicts(results: list[smoke.Result]) -> dict[str, str]:
    return {result.name: result.verdict for result in results}


def printed(out: str) -> dict[str, tuple[str, str]]:
    """The verdict lines `main` printed: check -> (verdict, detail)."""
    lines = [re.split(r"\s{2,}", line, maxsplit=2) for line in out.splitlines()]
    return {name: (verdict, detail) for verdict, name, detail in (x for x in lines if len(x) == 3)}


def outputs_of(stack, tmp_path: Path) -> Path:
    """What `terraform output -json` of a deployed env holds, for the local stack."""
    path = tmp_path / "outputs.json"
    outputs = {"site_url": stack.options.site_url, "websocket_url": stack.options.websocket_url}
    path.write_text(json.dumps({k: {"value": v} for k, v in outputs.items()}))
    return path


def test_every_check_passes_against_the_local_stack(stack, tmp_path, capsys):
    started = time.monotonic()
    status = smoke.main(["--outputs", str(outputs_of(stack, tmp_path))])
    took = time.monotonic() - started

    out = capsys.readouterr().out
    assert status == 0, out
    lines = printed(out)
    assert list(lines) == CHECKS, out
    assert {verdict for verdict, _ in lines.values()} == {"PASS"}, out
    assert f"smoke: OK: {len(CHECKS)} passed, 0 failed, 0 skipped" in out
    assert took < 60


@pytest.mark.parametrize("via", ["query", "header"])
def test_a_token_passes_on_the_handshake_and_the_stack_of_today_ignores_it(stack, via):
    target = smoke.Target(stack.options.site_url, stack.options.websocket_url, "t0k.en", via)
    results = smoke.run(target)
    assert verdicts(results) == dict.fromkeys(CHECKS, "PASS"), results


@pytest.fixture
def handshakes() -> Iterator[tuple[str, list[tuple[str, str | None]]]]:
    """A WebSocket server that records each handshake's path and Authorization (before it
    answers), then closes the connection."""
    seen: list[tuple[str, str | None]] = []

    def record(connection: ServerConnection, request: Request) -> None:
        seen.append((request.path, request.headers.get("Authorization")))

    with serve(ServerConnection.close, "127.0.0.1", 0, process_request=record) as server:
        port = server.socket.getsockname()[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"ws://127.0.0.1:{port}/local", seen
        server.shutdown()


@pytest.mark.parametrize(
    ("via", "wanted"),
    [("query", ("/local?token=a%2Bb%3D", None)), ("header", ("/local", "Bearer a+b="))],
)
def test_the_token_goes_where_the_sign_in_will_look(stack, handshakes, via, wanted):
    url, seen = handshakes
    results = smoke.run(smoke.Target(stack.options.site_url, url, "a+b=", via))
    assert verdicts(results)["chat connect"] == "PASS"
    assert seen[:2] == [wanted, wanted]


@pytest.fixture
def bare_site(stack) -> Iterator[SiteServer]:
    """The page and config.json of the local stack from a site server that sends no headers."""
    config = json.dumps({"websocketUrl": stack.options.websocket_url}).encode()
    server = SiteServer(
        ("127.0.0.1", free_port()), FRONTEND_DIST, lambda: config, stack.options.websocket_url
    )
    server.start()
    yield server
    server.shutdown()


@pytest.mark.parametrize(
    ("headers", "wrong"),
    [
        ({}, "Content-Security-Policy missing"),
        ({"X-Frame-Options": "SAMEORIGIN"}, "X-Frame-Options is 'SAMEORIGIN', expected 'DENY'"),
    ],
)
def test_a_site_without_its_security_headers_fails(stack, bare_site, headers, wrong, capsys):
    bare_site.headers_to_add = {**bare_site.headers_to_add, **headers} if headers else {}
    site = f"http://127.0.0.1:{bare_site.server_address[1]}"

    status = smoke.main(["--site", site, "--url", stack.options.websocket_url])

    out = capsys.readouterr().out
    lines = printed(out)
    assert status == 1
    for check in ("site config.json", "site /", "site room path", "site not a room"):
        assert lines[check][0] == "FAIL"
        assert wrong in lines[check][1]
    assert lines["site missing file"] == ("PASS", "404 text/plain")
    # Its origin is not the stack's: the WebSocket API refuses the handshake, the rest is skipped.
    assert lines["chat connect"] == ("FAIL", "the handshake was refused with HTTP 403")
    assert "smoke: FAILED: 1 passed, 5 failed, 5 skipped" in out


class _MisconfiguredSite(BaseHTTPRequestHandler):
    """A site that answers every path but ``/`` the same: ``answer`` = (status, type, body)."""

    answer: tuple[int, str, bytes]

    def do_GET(self) -> None:
        status, content_type, body = (
            (200, "text/html", b"<div id=root>") if self.path == "/" else self.answer
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("answer", "not_a_room", "missing_file"),
    [
        # The usual single-page-app fallback: every path is the page, with a 200.
        ((200, "text/html", b"<div id=root>"), "HTTP 200, expected 404", "HTTP 200, expected 404"),
        # S3's own errors shown as they are.
        (
            (404, "application/xml", b"<Error><Code>NoSuchKey</Code></Error>"),
            "Content-Type application/xml, expected text/html",
            "Content-Type application/xml, expected text/plain",
        ),
    ],
)
def test_a_site_without_its_not_a_room_page_or_plain_404_fails(answer, not_a_room, missing_file):
    handler = type("Site", (_MisconfiguredSite,), {"answer": answer})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        site = f"http://127.0.0.1:{server.server_address[1]}"
        results = smoke.run(smoke.Target(site, f"ws://127.0.0.1:{free_port()}/local"))
    finally:
        server.shutdown()
        server.server_close()
    found = {result.name: (result.verdict, result.detail) for result in results}
    assert found["site not a room"] == ("FAIL", not_a_room)
    assert found["site missing file"] == ("FAIL", missing_file)


def test_a_websocket_url_that_refuses_fails(stack):
    url = f"ws://127.0.0.1:{free_port()}/local"
    started = time.monotonic()
    results = smoke.run(smoke.Target(stack.options.site_url, url))

    assert time.monotonic() - started < 10
    by_name = {result.name: result for result in results}
    assert by_name["chat connect"].verdict == "FAIL"
    assert by_name["chat connect"].detail == "connection refused"
    assert {by_name[name].verdict for name in CHECKS[CHECKS.index("chat join") :]} == {"SKIP"}
    # config.json names the stack's URL, not this one, and the CSP allows only that one.
    assert "expected 'ws://127.0.0.1:" in by_name["site config.json"].detail
    assert "Content-Security-Policy is" in by_name["site /"].detail


def test_make_smoke_runs_it_and_says_what_it_needs(stack):
    def make(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", "-o", ".venv/bin/.local", "smoke", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    ran = make(f"SITE={stack.options.site_url}", "TOKEN=t0k")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert {verdict for verdict, _ in printed(ran.stdout).values()} == {"PASS"}, ran.stdout
    assert "token in the query" in printed(ran.stdout)["chat connect"][1]

    refused = make(f"SITE={stack.options.site_url}", f"URL=ws://127.0.0.1:{free_port()}/local")
    assert refused.returncode != 0
    assert printed(refused.stdout)["chat connect"] == ("FAIL", "connection refused")

    nothing = make()
    assert nothing.returncode != 0
    assert "Set ENV=dev|prod" in nothing.stderr


FAKE_TERRAFORM = """#!/usr/bin/env bash
# Stands in for terraform: records each call; `output -json` prints $FAKE_TERRAFORM_OUTPUTS.
echo "$*" >> "$FAKE_TERRAFORM_LOG"
case " $* " in *" output -json "*) cat "$FAKE_TERRAFORM_OUTPUTS";; esac
"""


def test_make_smoke_env_reads_the_urls_from_terraform_output(stack, tmp_path):
    """`make smoke ENV=dev` on a copy of the repository, with a stand-in for terraform whose
    `output -json` names the local stack: it writes build/terraform/dev-outputs.json as
    `make deploy` does and checks the URLs it names."""
    copy, bin_dir = copy_repository(tmp_path, FAKE_TERRAFORM)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "TF_", "AWS_"))}
    env |= {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_TERRAFORM_LOG": str(bin_dir / "terraform.log"),
        "FAKE_TERRAFORM_OUTPUTS": str(outputs_of(stack, tmp_path)),
    }

    state = ["TF_STATE_BUCKET=stub-bucket", "REGION=us-east-1"]
    ran = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/bin/.local", "smoke", "ENV=dev", *state],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert {verdict for verdict, _ in printed(ran.stdout).values()} == {"PASS"}, ran.stdout
    calls = (bin_dir / "terraform.log").read_text().splitlines()
    assert [call.split()[:2] for call in calls] == [
        ["-chdir=terraform/envs/dev", "init"],
        ["-chdir=terraform/envs/dev", "output"],
    ]
    written = json.loads((copy / "build" / "terraform" / "dev-outputs.json").read_text())
    assert written["websocket_url"]["value"] == stack.options.websocket_url
