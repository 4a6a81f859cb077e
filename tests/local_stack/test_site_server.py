"""The local site answers each kind of path as CloudFront does: a room gets the page, a page path
that is not a room gets the page (its "not a room" view) with a 404, and a missing file a plain
404 — by the rule of the CloudFront Function, which runs here in Node against the same paths."""

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from local_stack.site_server import PathKind, SiteServer, path_kind, room_path
from serverless_chat.limits import ROOM_ID_PATTERN

ROOM_REWRITE = (
    Path(__file__).resolve().parents[2] / "terraform" / "modules" / "site" / "room_rewrite.js"
)
INDEX = b"<!doctype html><title>Serverless Chat</title><div id=root></div>"
CONFIG = b'{"websocketUrl": "ws://127.0.0.1:1/local"}'

PATHS: dict[str, PathKind] = {
    "/lobby": "room",
    "/lobby/": "room",
    "/amber-otter-0123456789abc": "room",
    f"/{'x' * 64}": "room",
    f"/{'x' * 65}": "not a room",
    "/not%20a%20room!": "not a room",
    "/a/b": "not a room",
    "/caf%C3%A9": "not a room",
    "/assets/x/": "not a room",
    "/assets/": "room",
    "//": "not a room",
    "/x%2Ejs": "not a room",
    "/": "file",
    "/index.html": "file",
    "/config.json": "file",
    "/config.jsn": "file",
    "/assets/index-1a2b3c4d.js": "file",
    "/assets/missing.js": "file",
    "/favicon.ico": "file",
    "/lobby.json": "file",
}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-1a2b3c4d.js").write_bytes(b"console.log(1);")
    server = SiteServer(("127.0.0.1", 0), tmp_path, lambda: CONFIG, "ws://127.0.0.1:1/local")
    server.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str, method: str = "GET") -> tuple[int, str, bytes]:
    try:
        with urlopen(Request(url, method=method)) as response:  # noqa: S310 (the test's own http URL)
            return response.status, response.headers["Content-Type"], response.read()
    except HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_a_room_gets_the_page(site):
    assert get(f"{site}/lobby") == (200, "text/html; charset=utf-8", INDEX)
    assert get(f"{site}/") == (200, "text/html; charset=utf-8", INDEX)


@pytest.mark.parametrize("path", ["/not%20a%20room!", "/a/b", "/caf%C3%A9", "/assets/x/"])
def test_a_page_path_that_is_not_a_room_gets_the_page_with_a_404(site, path):
    assert get(f"{site}{path}") == (404, "text/html; charset=utf-8", INDEX)
    assert get(f"{site}{path}", method="HEAD") == (404, "text/html; charset=utf-8", b"")


@pytest.mark.parametrize("path", ["/assets/missing.js", "/config.jsn", "/settings.json", "/x."])
def test_a_missing_file_is_a_plain_404(site, path):
    assert get(f"{site}{path}") == (404, "text/plain; charset=utf-8", b"Not Found\n")


def test_files_and_config_json_are_served(site):
    assert get(f"{site}/config.json") == (200, "application/json; charset=utf-8", CONFIG)
    status, content_type, body = get(f"{site}/assets/index-1a2b3c4d.js")
    assert (status, content_type, body) == (
        200,
        "text/javascript; charset=utf-8",
        b"console.log(1);",
    )


def test_the_site_server_sorts_paths_as_listed():
    assert {path: path_kind(path, room_path()) for path in PATHS} == PATHS


def test_the_cloudfront_function_sorts_paths_as_the_site_server_does():
    """room_rewrite.js, rendered as terraform/modules/site renders it, run in Node on every path."""
    node = shutil.which("node")
    assert node, "Node is missing: the frontend build needs it too"
    not_a_room_key = "errors/not-a-room"
    code = (
        ROOM_REWRITE.read_text()
        .replace("${room_id_pattern}", ROOM_ID_PATTERN.removeprefix("^").removesuffix("$"))
        .replace("${not_a_room_key}", not_a_room_key)
    )
    assert "${" not in code, "room_rewrite.js has a template variable this test does not know"
    runner = (
        code
        + "\nconst uris = JSON.parse(process.argv[1]);"
        + "\nconsole.log(JSON.stringify(uris.map((uri) => handler({ request: { uri } }).uri)));"
    )
    paths = list(PATHS)
    ran = subprocess.run(
        [node, "-e", runner, json.dumps(paths)], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    rewritten = dict(zip(paths, json.loads(ran.stdout), strict=True))

    def kind(path: str) -> PathKind:
        if rewritten[path] == f"/{not_a_room_key}":
            return "not a room"
        return "file" if rewritten[path] == path else "room"

    assert {path: kind(path) for path in paths} == PATHS
    assert {rewritten[path] for path in paths if PATHS[path] == "room"} == {"/index.html"}
