"""A web page from another origin, open in the same browser as the chat, gets nothing from the
local stack: not the emulator's tables, not `@connections`, not the fault switch, not a
WebSocket, and a DNS-rebinding name gets nothing either; the chat's own page keeps working."""

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from local_stack.stack import LocalStack
from tests.e2e.conftest import launch_chromium
from tests.e2e.test_chat_page import room_name, send

REBINDING_NAME = "rebinding.test"  # a name that resolves to 127.0.0.1, as its owner made it

# What the foreign page tries, each answered "blocked" (fetch() rejected: no CORS answer),
# "opaque" (a no-cors request: sent, its answer unreadable), "read <status>" (the page read it),
# "open" or "refused" (the WebSocket).
ATTEMPTS = """
async ({emulator, dataPlane, websocket}) => {
  const outcome = async (request) => {
    try {
      const response = await request;
      return response.type === "opaque" ? "opaque" : `read ${response.status}`;
    } catch (error) {
      return "blocked";
    }
  };
  const listTables = outcome(fetch(`${emulator}/`, {
    method: "POST",
    headers: {"X-Amz-Target": "DynamoDB_20120810.ListTables",
              "Content-Type": "application/x-amz-json-1.0"},
    body: "{}",
  }));
  const listBuckets = outcome(fetch(`${emulator}/`));
  const connections = outcome(fetch(`${dataPlane}/local/@connections/AAAAAAAAAAAAAAA=`, {
    method: "POST", body: "hi",
  }));
  const faults = outcome(fetch(`${dataPlane}/@faults`, {
    method: "POST", mode: "no-cors", body: JSON.stringify({status: 429, count: 1000}),
  }));
  const socket = new Promise((resolve) => {
    const ws = new WebSocket(websocket);
    ws.onopen = () => { ws.close(); resolve("open"); };
    ws.onerror = () => resolve("refused");
  });
  return {
    listTables: await listTables, listBuckets: await listBuckets,
    connections: await connections, faults: await faults, socket: await socket,
  };
}
"""


class _ElsewherePage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>Somewhere else</title><p>Another site.</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def elsewhere() -> Iterator[str]:
    """A tiny site on another port: another origin, as any page the user has open."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ElsewherePage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fault_switch(stack: LocalStack) -> Iterator[Callable[[dict[str, int]], None]]:
    """Sets a data-plane fault as the tests do (no Origin); any `@connections` fault left armed
    is ended afterwards, so that a failing run does not spoil the session's stack."""
    url = f"http://127.0.0.1:{stack.options.websocket_port}/@faults"

    def configure(fault: dict[str, int]) -> None:
        request = urllib.request.Request(url, data=json.dumps(fault).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - the stack's own port
            pass

    yield configure
    configure({"status": 429, "count": 0})


def test_a_foreign_page_reaches_nothing_while_the_chat_keeps_working(
    browser: Browser,
    stack: LocalStack,
    elsewhere: str,
    open_room: Callable[..., Page],
    fault_switch: Callable[[dict[str, int]], None],
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(elsewhere)
    tried = page.evaluate(
        ATTEMPTS,
        {
            "emulator": stack.emulator_endpoint,
            "dataPlane": f"http://127.0.0.1:{stack.options.websocket_port}",
            "websocket": stack.options.websocket_url,
        },
    )
    context.close()
    assert tried == {
        "listTables": "blocked",
        "listBuckets": "blocked",
        "connections": "blocked",
        "faults": "opaque",  # sent without a preflight, as a form could; the guard refused it
        "socket": "refused",
    }
    room = room_name()  # had the fault switch taken the page's 1,000 429s, nothing would arrive
    ada = open_room(room, "Ada")
    bob = open_room(room, "Bob")
    send(ada, "Still here")
    expect(bob.locator("li.message:not(.own)")).to_contain_text(["Still here"])


def test_a_rebinding_name_gets_no_answer_from_any_local_endpoint(
    playwright: Playwright, stack: LocalStack
) -> None:
    """A browser that resolves an outside name to 127.0.0.1 (what DNS rebinding achieves) reaches
    the ports, and a page of that name is same-origin with them, so no CORS stands in its way:
    only the Host header tells it apart, and every endpoint refuses it."""
    ports = {
        "site": stack.options.site_port,
        "emulator": int(stack.emulator_endpoint.rsplit(":", 1)[1]),
        "data plane": stack.options.websocket_port,
    }
    rebinding = launch_chromium(playwright, f"--host-resolver-rules=MAP {REBINDING_NAME} 127.0.0.1")
    try:
        page = rebinding.new_page()
        statuses = {}
        for name, port in ports.items():
            response = page.goto(f"http://{REBINDING_NAME}:{port}/")
            statuses[name] = response.status if response else None
    finally:
        rebinding.close()
    assert statuses == {"site": 421, "emulator": 421, "data plane": 421}
