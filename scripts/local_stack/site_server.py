"""The site as CloudFront serves it, on loopback: the built page, the same rules, the same headers.

- the CloudFront Function's three kinds of path (terraform/modules/site/room_rewrite.js): a room
  path (``/<room>``) gets ``index.html``; ``/`` and a file path (its last segment has a ".") are
  served as they are, and a missing file is a plain-text 404; any other path is a page that is not
  a room, answered as the distribution's custom error response answers it: ``index.html`` (whose
  router shows the "not a room" view) with a 404;
- ``/config.json`` is the object Terraform wrote into the emulator's bucket;
- ``Cache-Control`` and ``Content-Type`` are what ``make deploy`` sets on the objects;
- every response carries the security headers of terraform/modules/site/security_headers.json
  (deployment.security_headers), with the WebSocket endpoint (and, with sign-in, the emulator's
  Cognito) in the CSP's ``connect-src``, so a
  CSP mistake shows up locally;
- it answers only a loopback Host on its port, and no Origin but its own pages'
  (local_gateway's loopback guard, as every local endpoint): a DNS-rebinding name gets 421, a
  foreign page's request 403, before anything is read (``config.json`` comes from the emulator).
"""

import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from deployment.security_headers import security_headers
from deployment.upload_site import CONFIG_KEY, cache_control, content_type
from local_gateway.loopback_guard import LoopbackGuard
from serverless_chat.limits import ROOM_ID_PATTERN

INDEX_KEY = "index.html"
# What a missing file answers: the body of the site module's errors/not-found.txt.
NOT_FOUND_BODY = b"Not Found\n"
# The CloudFront Function's file path: the last segment has a ".".
FILE_PATH = re.compile(r"\.[^/]*$")

PathKind = Literal["room", "file", "not a room"]


def room_path() -> re.Pattern[str]:
    """The CloudFront Function's rule: ``/<room>`` with the contract's room id pattern."""
    room_id = ROOM_ID_PATTERN.removeprefix("^").removesuffix("$")
    return re.compile(f"^/{room_id}/?$")


def path_kind(path: str, room: re.Pattern[str]) -> PathKind:
    """What room_rewrite.js makes of a path: a room, ``/`` or a file as it is, or not a room."""
    if room.match(path):
        return "room"
    if path == "/" or FILE_PATH.search(path):
        return "file"
    return "not a room"


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        dist: Path,
        config_json: Callable[[], bytes],
        websocket_url: str,
        sign_in_origin: str | None = None,
    ) -> None:
        super().__init__(address, _SiteRequestHandler)
        self.dist = dist.resolve()
        self.config_json = config_json
        self.headers_to_add = security_headers(websocket_url, sign_in_origin)
        self.room_path = room_path()
        self.guard = LoopbackGuard.of_site(self.server_address[1], address[0])

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="site", daemon=True)
        thread.start()
        return thread


class _SiteRequestHandler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "local-cloudfront"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, *, with_body: bool) -> None:
        refusal = self.server.guard.refusal(self.headers.get("Host"), self.headers.get("Origin"))
        if refusal is not None:
            self.send_response(refusal.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(refusal.explanation)))
            self.end_headers()
            if with_body:
                self.wfile.write(refusal.explanation)
            return
        path = urlsplit(self.path).path
        kind = path_kind(path, self.server.room_path)
        if kind == "not a room":
            # The distribution's custom error response to the not-a-room 403: the page, as a 404.
            self._send_object(INDEX_KEY, HTTPStatus.NOT_FOUND, with_body)
        elif kind == "room" or path == "/":  # "/": the distribution's default root object
            self._send_object(INDEX_KEY, HTTPStatus.OK, with_body)
        else:
            self._send_object(path.lstrip("/"), HTTPStatus.OK, with_body)

    def _send_object(self, key: str, status: HTTPStatus, with_body: bool) -> None:
        file = (self.server.dist / key).resolve()
        if key == CONFIG_KEY:
            body = self.server.config_json()
        elif file.is_file() and file.is_relative_to(self.server.dist):
            body = file.read_bytes()
        else:
            # The distribution's custom error response to a missing file: plain text, not S3's XML.
            self._send(HTTPStatus.NOT_FOUND, NOT_FOUND_BODY, "text/plain; charset=utf-8", with_body)
            return
        self._send(status, body, content_type(file), with_body, cache=cache_control(key))

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        with_body: bool,
        cache: str | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if cache:
            self.send_header("Cache-Control", cache)
        for name, value in self.server.headers_to_add.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        print(f"site     {self.address_string()} {format % args}", flush=True)
