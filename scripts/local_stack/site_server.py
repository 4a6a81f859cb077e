"""The site as CloudFront serves it, on loopback: the built page, the same rules, the same headers.

- a room path (``/<room>``, no file extension) gets ``index.html``, as the CloudFront Function
  in terraform/modules/site does; any other missing path is a real 404;
- ``/config.json`` is the object Terraform wrote into the emulator's bucket;
- ``Cache-Control`` and ``Content-Type`` are what ``make deploy`` sets on the objects;
- every response carries the security headers of terraform/modules/site/security_headers.json
  (deployment.security_headers), with the WebSocket endpoint in the CSP's ``connect-src``, so a
  CSP mistake shows up locally.
"""

import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from deployment.security_headers import security_headers
from deployment.upload_site import CONFIG_KEY, cache_control, content_type
from serverless_chat.limits import ROOM_ID_PATTERN


def room_path() -> re.Pattern[str]:
    """The CloudFront Function's rule: ``/<room>`` with the contract's room id pattern."""
    room_id = ROOM_ID_PATTERN.removeprefix("^").removesuffix("$")
    return re.compile(f"^/{room_id}/?$")


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        dist: Path,
        config_json: Callable[[], bytes],
        websocket_url: str,
    ) -> None:
        super().__init__(address, _SiteRequestHandler)
        self.dist = dist.resolve()
        self.config_json = config_json
        self.headers_to_add = security_headers(websocket_url)
        self.room_path = room_path()

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
        path = urlsplit(self.path).path
        if self.server.room_path.match(path):
            path = "/index.html"
        if path == "/":
            path = "/index.html"  # the distribution's default root object
        key = path.lstrip("/")
        file = (self.server.dist / key).resolve()
        if key == CONFIG_KEY:
            body = self.server.config_json()
        elif file.is_file() and file.is_relative_to(self.server.dist):
            body = file.read_bytes()
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not Found", "text/plain", with_body)
            return
        self._send(HTTPStatus.OK, body, content_type(file), with_body, cache=cache_control(key))

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
