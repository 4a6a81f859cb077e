"""The local site answers its own pages on loopback names only: a DNS-rebinding name, or a
foreign page's request, is refused before anything is served (the loopback guard)."""

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_stack.site_server import SiteServer

CONFIG = b'{"websocketUrl": "ws://127.0.0.1:8081/local"}'


@pytest.fixture
def site(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "index.html").write_text("<!doctype html><title>chat</title>")
    server = SiteServer(("127.0.0.1", 0), tmp_path, lambda: CONFIG, "ws://127.0.0.1:8081/local")
    server.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Host": "localhost:{port}"},
        {"Origin": "http://127.0.0.1:{port}"},
        {"Host": "localhost:{port}", "Origin": "http://localhost:{port}"},
    ],
    ids=["no-origin", "localhost", "own-origin", "own-origin-localhost"],
)
def test_its_own_pages_and_clients_without_origin_are_served(
    site: int, headers: dict[str, str]
) -> None:
    headers = {name: value.format(port=site) for name, value in headers.items()}
    assert get(site, "/config.json", headers) == (200, CONFIG)
    assert get(site, "/lobby", headers)[0] == 200


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "evil.example:{port}"}, 421),
        ({"Host": "evil.example:{port}", "Origin": "http://evil.example:{port}"}, 421),
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "http://127.0.0.1:1"}, 403),  # another local port's page
    ],
    ids=["rebinding-host", "rebinding-page", "foreign-page", "other-local-page"],
)
def test_a_rebinding_name_or_a_foreign_page_is_refused(
    site: int, headers: dict[str, str], status: int
) -> None:
    headers = {name: value.format(port=site) for name, value in headers.items()}
    answered, body = get(site, "/config.json", headers)
    assert answered == status
    assert b"websocketUrl" not in body
