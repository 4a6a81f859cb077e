"""Load and fault tests against the whole local stack (the session `stack` of tests/conftest.py).

`make test` runs each scenario once, small; `make soak` sets SOAK_SECONDS and the scenarios
repeat their rounds until that much time has passed."""

import json
import os
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from local_stack.stack import LocalStack
from tests.conftest import ChatSocket, summarize

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "0"))
MAX_ROUNDS = 10_000  # a bound on any soak loop, whatever SOAK_SECONDS says
CONNECTIONS_TABLE = "serverless-chat-local-connections"
ROOM_INDEX = "room-index"
DELIVERY_TIMEOUT_S = 120.0  # how long a client waits for what it expects before the test fails

Frame = dict[str, Any]


def say(line: str) -> None:
    """A measurement, shown at the end of the pytest run."""
    summarize("load and faults: measured", line)


def rounds() -> Iterator[int]:
    """Round numbers: one round, or as many as fit in SOAK_SECONDS (at most MAX_ROUNDS)."""
    end = time.monotonic() + SOAK_SECONDS
    for number in range(MAX_ROUNDS):
        yield number
        if time.monotonic() >= end:
            return


def room_name(prefix: str = "load") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def parallel[T, R](function: Callable[[T], R], items: list[T]) -> list[R]:
    """`function` on every item at once (one thread each), results in order."""
    with ThreadPoolExecutor(max_workers=max(1, len(items))) as pool:
        return list(pool.map(function, items))


class Clients:
    """Opens chat clients on the stack, from any thread; closes those still open at the end."""

    def __init__(self, stack: LocalStack) -> None:
        self._url = stack.options.websocket_url
        self._sockets = ExitStack()
        self._lock = threading.Lock()
        self.rooms: list[str] = []  # the rooms a test used, for what it checks at the end

    def open(self) -> ChatSocket:
        connection = connect(self._url, open_timeout=30)
        with self._lock:
            self._sockets.enter_context(connection)
        return ChatSocket(connection)

    def open_many(self, count: int) -> list[ChatSocket]:
        return parallel(lambda _: self.open(), list(range(count)))

    def close_all(self) -> None:
        self._sockets.close()


@pytest.fixture
def clients(stack: LocalStack) -> Iterator[Clients]:
    opened = Clients(stack)
    yield opened
    opened.close_all()


def drain(client: ChatSocket, quiet: float = 0.3) -> list[Frame]:
    """Every frame already on its way, until the client has been quiet for `quiet` seconds."""
    frames = []
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            frames.append(client.recv(timeout=quiet))
        except TimeoutError:
            break
    return frames


def collect(client: ChatSocket, want: Callable[[list[Frame]], bool]) -> list[Frame]:
    """Frames until `want` is satisfied by those received, or DELIVERY_TIMEOUT_S passed."""
    frames: list[Frame] = []
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while not want(frames) and time.monotonic() < deadline:
        try:
            frames.append(client.recv(timeout=max(0.1, deadline - time.monotonic())))
        except TimeoutError:
            break
    return frames


def messages(frames: list[Frame]) -> list[Frame]:
    return [f for f in frames if f.get("type") == "message"]


def left(frames: list[Frame]) -> list[str]:
    """The names the leave frames announce: one, or several (`usernames`) found gone together."""
    return [
        name
        for f in frames
        if f.get("event") == "leave"
        for name in f.get("usernames", [f["username"]])
    ]


def inject_faults(stack: LocalStack, status: int, count: int) -> None:
    """The data plane's next `count` posts to `@connections` answer `status` (its /@faults)."""
    _post_faults(stack, {"status": status, "count": count})


def _post_faults(stack: LocalStack, fault: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"http://{stack.options.host}:{stack.options.websocket_port}/@faults",
        data=json.dumps(fault).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        assert response.status == 204


def throttle_table(stack: LocalStack, operation: str, count: int) -> None:
    """The functions' next `count` DynamoDB `operation` requests answer as a throttled table
    does (the data plane's /@faults, on any emulator)."""
    _post_faults(stack, {"dynamodb": operation, "count": count})


def room_members(dynamodb: Any, room: str) -> list[str]:
    """Connection ids the backend holds in `room` (its room index)."""
    items = dynamodb.query(
        TableName=CONNECTIONS_TABLE,
        IndexName=ROOM_INDEX,
        KeyConditionExpression="roomId = :room",
        ExpressionAttributeValues={":room": {"S": room}},
    )["Items"]
    return [item["connectionId"]["S"] for item in items]


def wait_for(condition: Callable[[], bool]) -> bool:
    """Whether `condition` came true within DELIVERY_TIMEOUT_S (polled)."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def wait_until_empty(dynamodb: Any, rooms: list[str]) -> float:
    """Seconds until no connection is left in `rooms` (or DELIVERY_TIMEOUT_S)."""
    started = time.monotonic()
    while time.monotonic() - started < DELIVERY_TIMEOUT_S:
        if not any(room_members(dynamodb, room) for room in rooms):
            break
        time.sleep(0.2)
    return time.monotonic() - started


class Process:
    """What /proc says about one process (the data plane)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._proc = Path(f"/proc/{pid}")

    def rss_mib(self) -> float:
        found = re.search(r"VmRSS:\s+(\d+) kB", (self._proc / "status").read_text())
        return int(found.group(1)) / 1024 if found else 0.0

    def threads(self) -> int:
        found = re.search(r"Threads:\s+(\d+)", (self._proc / "status").read_text())
        return int(found.group(1)) if found else 0

    def children(self) -> int:
        """Its child processes (the data plane's workers)."""
        return sum(
            len((task / "children").read_text().split()) for task in (self._proc / "task").iterdir()
        )

    def open_files(self) -> int:
        return len(list((self._proc / "fd").iterdir()))

    def sockets_on_port(self, port: int) -> int:
        """Established TCP connections this process holds on its local `port`."""
        inodes = {
            link.readlink().name.removeprefix("socket:[").removesuffix("]")
            for link in (self._proc / "fd").iterdir()
            if link.readlink().name.startswith("socket:")
        }
        count = 0
        for table in ("tcp", "tcp6"):
            lines = (self._proc / "net" / table).read_text().splitlines()[1:]
            for line in lines:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                established = fields[3] == "01"
                if local_port == port and established and fields[9] in inodes:
                    count += 1
        return count
