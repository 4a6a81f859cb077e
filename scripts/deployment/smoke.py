"""Smoke test of a running chat: its site and its WebSocket API, one PASS/FAIL line per check.

`make smoke ENV=dev` (the URLs from `terraform output -json`) or `make smoke URL=wss://…
SITE=https://…`; `make test` runs the same checks against the local stack
(tests/integration/test_smoke.py). Exit status 1 when a check fails. The checks:

- ``config.json``, ``/`` and a room path answer 200 with the security headers of
  terraform/modules/site/security_headers.json, and ``config.json`` names the WebSocket URL;
- a page path that is not a room answers the page (its "not a room" view) with a 404 and the same
  headers, and a missing file a plain-text 404 (not the page, not S3's XML);
- two clients with the site's ``Origin`` join a fresh room, exchange a message (``isOwnMessage``
  true for the sender only), one renames, bad input gets error frames (the contract's codes) and
  the connection stays usable, and a client that closes is announced as gone to the other.

A token (``--token``, or ``SMOKE_TOKEN``) is for the sign-in to come: it goes on the WebSocket
handshake as the ``token`` query parameter (what a browser can send) or, with ``--token-in
header``, as ``Authorization: Bearer …``. The stack of today ignores it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, TextIO
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from urllib.request import Request, urlopen

from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from deployment.security_headers import security_headers, sign_in_origin
from serverless_chat.domain.errors import ErrorCode
from serverless_chat.limits import MAX_MESSAGE_LENGTH

TIMEOUT_S = 10.0  # per request, handshake and awaited frame; a run takes seconds
USER_AGENT = "serverless-chat-smoke"
ABNORMAL_CLOSURE = 1006  # the connection went without a close frame


class CheckError(Exception):
    """What a check found wrong."""


@dataclass(frozen=True)
class Result:
    name: str
    verdict: str  # PASS, FAIL or SKIP (a check after a failed one it needs)
    detail: str


@dataclass(frozen=True)
class Target:
    site: str  # https://host, the site's origin
    websocket_url: str | None = None  # None: the one config.json names
    token: str | None = None
    via: str = "query"  # how the token goes: the "query" parameter or the "header"


def handshake(url: str, token: str | None, via: str) -> tuple[str, dict[str, str]]:
    """The WebSocket URL and extra handshake headers that carry `token` the way `via` says."""
    if not token:
        return url, {}
    if via == "header":
        return url, {"Authorization": f"Bearer {token}"}
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query), ("token", token)])
    return urlunsplit(parts._replace(query=query)), {}


# ---------------------------------------------------------------- the site


@dataclass(frozen=True)
class Page:
    status: int
    headers: Message
    body: bytes


def fetch(url: str) -> Page:
    request = Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (http(s) only: main)
    try:
        with urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            return Page(response.status, response.headers, response.read())
    except HTTPError as error:
        return Page(error.code, error.headers, error.read())


def expect_status(page: Page, status: int, content_type: str) -> str:
    """`status` and `content_type`."""
    if page.status != status:
        raise CheckError(f"HTTP {page.status}, expected {status}")
    if page.headers.get_content_type() != content_type:
        raise CheckError(f"Content-Type {page.headers.get_content_type()}, expected {content_type}")
    return f"{status} {content_type}"


def expect_page(
    page: Page,
    websocket_url: str,
    content_type: str,
    status: int = 200,
    signs_in_at: str | None = None,
) -> str:
    """`status`, `content_type`, and every security header with the value the Terraform renders
    (the CSP allowing where the page signs in, when it does)."""
    expect_status(page, status, content_type)
    wrong = []
    for name, wanted in security_headers(websocket_url, signs_in_at).items():
        got = page.headers.get(name)
        if got is None:
            wrong.append(f"{name} missing")
        elif got != wanted:
            wrong.append(f"{name} is {got!r}, expected {wanted!r}")
    if wrong:
        raise CheckError("; ".join(wrong))
    return f"{status} {content_type}, {len(security_headers(websocket_url))} security headers"


# ---------------------------------------------------------------- the chat


class Client:
    """One chat connection that reads until the frame it waits for, remembering what it skipped."""

    def __init__(self, name: str, connection: ClientConnection) -> None:
        self.name = name
        self.connection = connection

    def send(self, frame: dict[str, Any]) -> None:
        self.connection.send(json.dumps(frame))

    def wait_for(self, frame_type: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        skipped: list[str] = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                frame = json.loads(self.connection.recv(timeout=left))
            except TimeoutError:
                break
            if isinstance(frame, dict) and frame.get("type") == frame_type:
                return frame
            skipped.append(json.dumps(frame)[:200])
        seen = f"; got instead: {', '.join(skipped)}" if skipped else ""
        raise CheckError(f"{self.name}: no {frame_type} frame within {TIMEOUT_S:.0f} s{seen}")


def expect(what: str, got: object, wanted: object) -> None:
    if got != wanted:
        raise CheckError(f"{what} is {got!r}, expected {wanted!r}")


@dataclass
class Chat:
    """The two clients' story, one step per check; each step needs the ones before."""

    target: Target
    websocket_url: str
    room: str
    sockets: ExitStack
    alice: Client | None = None
    bob: Client | None = None
    names: tuple[str, str, str] = ("smoke-alice", "smoke-bob", "smoke-robert")

    def clients(self) -> tuple[Client, Client]:
        if self.alice is None or self.bob is None:
            raise CheckError("not connected")
        return self.alice, self.bob

    def connect(self) -> str:
        origin = origin_of(self.target.site)
        url, headers = handshake(self.websocket_url, self.target.token, self.target.via)
        opened = []
        for name in self.names[:2]:
            try:
                connection = connect(
                    url,
                    origin=Origin(origin),
                    additional_headers=headers,
                    user_agent_header=USER_AGENT,
                    open_timeout=TIMEOUT_S,
                    close_timeout=TIMEOUT_S,
                )
            except InvalidStatus as error:
                status = error.response.status_code
                raise CheckError(f"the handshake was refused with HTTP {status}") from None
            opened.append(Client(name, self.sockets.enter_context(connection)))
        self.alice, self.bob = opened
        token = f", token in the {self.target.via}" if self.target.token else ""
        return f"2 clients, Origin {origin}{token}"

    def join(self) -> str:
        alice, bob = self.clients()
        a, b, _ = self.names
        alice.send({"action": "on-enter-room", "groupId": self.room, "username": a})
        room = alice.wait_for("room")
        expect("alice's room", (room.get("roomId"), room.get("username")), (self.room, a))
        bob.send({"action": "on-enter-room", "groupId": self.room, "username": b})
        expect("bob's members", bob.wait_for("room").get("members"), [a, b])
        joined = alice.wait_for("presence")
        expect("alice's presence frame", _presence(joined), ("join", b, 2))
        return f"room {self.room}: both members, alice told of bob's join"

    def message(self) -> str:
        alice, bob = self.clients()
        text = f"hello from the smoke test {secrets.token_hex(4)}"
        alice.send({"action": "on-message", "message": text, "clientMessageId": "smoke-1"})
        own, other = alice.wait_for("message"), bob.wait_for("message")
        expect("alice's copy", (own.get("message"), own.get("isOwnMessage")), (text, True))
        expect("alice's clientMessageId", own.get("clientMessageId"), "smoke-1")
        expect("bob's copy", (other.get("message"), other.get("isOwnMessage")), (text, False))
        expect("bob's seq", other.get("seq"), own.get("seq"))
        return f"seq {own.get('seq')}: isOwnMessage true for the sender, false for the other"

    def rename(self) -> str:
        alice, bob = self.clients()
        a, b, new = self.names
        bob.send({"action": "on-enter-room", "groupId": self.room, "username": new})
        room = bob.wait_for("room")
        expect("bob's room", (room.get("username"), room.get("members")), (new, [a, new]))
        renamed = alice.wait_for("presence")
        expect("alice's presence frame", _presence(renamed), ("rename", new, 2))
        expect("previousUsername", renamed.get("previousUsername"), b)
        return f"{b} -> {new}, alice told"

    def bad_input(self) -> str:
        alice, _ = self.clients()
        codes = []
        for message, code in (
            ("   ", ErrorCode.EMPTY_MESSAGE),
            ("x" * (MAX_MESSAGE_LENGTH + 1), ErrorCode.MESSAGE_TOO_LONG),
        ):
            alice.send({"action": "on-message", "message": message, "clientMessageId": "smoke-2"})
            error = alice.wait_for("error")
            expect("the error frame's code", error.get("code"), code.value)
            expect("its clientMessageId", error.get("clientMessageId"), "smoke-2")
            codes.append(code.value)
        alice.send({"action": "ping"})
        alice.wait_for("pong")
        return f"{' and '.join(codes)}, then ping answered: the connection stayed open"

    def leave(self) -> str:
        alice, bob = self.clients()
        bob.connection.close()
        if bob.connection.close_code in (None, ABNORMAL_CLOSURE):
            raise CheckError("bob's close was not answered with a close frame")
        left = alice.wait_for("presence")
        expect("alice's presence frame", _presence(left), ("leave", self.names[2], 1))
        alice.connection.close()
        return f"bob closed ({bob.connection.close_code}), alice told; alice closed"


def _presence(frame: dict[str, Any]) -> tuple[object, object, object]:
    return frame.get("event"), frame.get("username"), frame.get("memberCount")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# ---------------------------------------------------------------- the run


def run(target: Target) -> list[Result]:
    """Every check, in order; a chat check after a failed one is skipped."""
    results: list[Result] = []

    def check(name: str, step: Callable[[], str]) -> bool:
        try:
            detail = step()
        except Exception as error:  # any failure is the check's verdict
            detail = str(error) if isinstance(error, CheckError) else _describe(error)
            results.append(Result(name, "FAIL", detail))
            return False
        results.append(Result(name, "PASS", detail))
        return True

    site = target.site.rstrip("/")
    room = f"smoke-{secrets.token_hex(6)}"
    named: list[str] = []
    signs_in_at: list[str | None] = [None]

    def config() -> str:
        page = fetch(f"{site}/config.json")
        if page.status != 200:
            raise CheckError(f"HTTP {page.status}, expected 200")
        url = _websocket_url_of(page)
        named.append(url)
        signs_in_at[0] = sign_in_origin(json.loads(page.body))
        if target.websocket_url is not None:
            expect("config.json's websocketUrl", url, target.websocket_url)
        checked = expect_page(page, url, "application/json", signs_in_at=signs_in_at[0])
        return f"{checked}, names {url}"

    check("site config.json", config)
    websocket_url = target.websocket_url or (named[0] if named else None)
    pages = (
        ("site /", "/", 200),
        ("site room path", f"/{room}", 200),
        ("site not a room", "/not%20a%20room!", 404),  # the page's "not a room" view
    )
    for name, path, status in pages:
        if websocket_url is None:
            results.append(Result(name, "SKIP", "no WebSocket URL for the CSP (config.json)"))
        else:
            check(name, _page_check(site + path, websocket_url, status, signs_in_at[0]))
    check("site missing file", lambda: expect_status(fetch(f"{site}/{room}.js"), 404, "text/plain"))

    steps = ("connect", "join", "message", "rename", "bad input", "leave")
    with ExitStack() as sockets:
        chat = Chat(target, websocket_url or "", room, sockets)
        needed = "no WebSocket URL (config.json)" if websocket_url is None else ""
        for step in steps:
            name = f"chat {step}"
            if needed:
                results.append(Result(name, "SKIP", needed))
            elif not check(name, getattr(chat, step.replace(" ", "_"))):
                needed = f"after {name} failed"
    return results


def _page_check(
    url: str, websocket_url: str, status: int = 200, signs_in_at: str | None = None
) -> Callable[[], str]:
    return lambda: expect_page(fetch(url), websocket_url, "text/html", status, signs_in_at)


def _websocket_url_of(page: Page) -> str:
    try:
        url = json.loads(page.body)["websocketUrl"]
    except (ValueError, KeyError, TypeError):
        raise CheckError("config.json is not a JSON object with a websocketUrl") from None
    if not isinstance(url, str) or not url.startswith(("ws://", "wss://")):
        raise CheckError(f"config.json's websocketUrl {url!r} is not a ws:// or wss:// URL")
    return url


def _describe(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def report(results: list[Result], seconds: float, out: TextIO | None = None) -> bool:
    """The verdict lines and a summary (on stdout by default); True when nothing failed."""
    out = out or sys.stdout
    width = max(len(r.name) for r in results)
    for result in results:
        print(f"{result.verdict}  {result.name:<{width}}  {result.detail}", file=out)
    counts = {v: sum(r.verdict == v for r in results) for v in ("PASS", "FAIL", "SKIP")}
    ok = counts["FAIL"] == 0 and counts["SKIP"] == 0
    print(
        f"smoke: {'OK' if ok else 'FAILED'}: {counts['PASS']} passed, {counts['FAIL']} failed,"
        f" {counts['SKIP']} skipped in {seconds:.1f} s",
        file=out,
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", help="the site's URL, e.g. https://d1234.cloudfront.net")
    parser.add_argument("--url", help="the WebSocket URL (default: the one config.json names)")
    parser.add_argument(
        "--outputs", type=Path, help="`terraform output -json` of the env (site_url, websocket_url)"
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("SMOKE_TOKEN") or None,
        help="a sign-in token for the handshake (default: $SMOKE_TOKEN); for the sign-in to come",
    )
    parser.add_argument("--token-in", choices=("query", "header"), default="query")
    args = parser.parse_args(argv)

    site, url = args.site, args.url
    if args.outputs:
        outputs = {k: v["value"] for k, v in json.loads(args.outputs.read_text()).items()}
        site = site or outputs.get("site_url")
        url = url or outputs.get("websocket_url")
    if not site:
        parser.error("no site: give --site, or --outputs of an env with a CDN (site_url)")
    if urlsplit(site).scheme not in ("http", "https"):
        parser.error(f"--site {site!r} is not an http:// or https:// URL")
    if url and urlsplit(url).scheme not in ("ws", "wss"):
        parser.error(f"--url {url!r} is not a ws:// or wss:// URL")

    print(f"smoke: site {site}, WebSocket {url or '(from config.json)'}")
    start = time.monotonic()
    results = run(Target(site, url, args.token, args.token_in))
    return 0 if report(results, time.monotonic() - start) else 1


if __name__ == "__main__":
    sys.exit(main())
