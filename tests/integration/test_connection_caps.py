"""The caps per source address over real WebSockets, through our data plane.

envs/local leaves the caps off (every local client, and every load test, is 127.0.0.1), so this
test switches them on for itself: the connect function's environment in the emulator gets the
two variables Terraform would set, and the data plane re-reads it on SIGHUP (as after an edit),
and gets it back at the end. Distinct source addresses come from binding the client's socket to
other loopback addresses (all of 127.0.0.0/8 is loopback on Linux): the data plane reports the
peer's address as `identity.sourceIp`, as API Gateway reports the client's.
"""

import itertools
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from local_stack.stack import LocalStack
from tests.conftest import ChatSocket, dynamodb_of, function_settings

pytestmark = pytest.mark.skipif(
    sys.platform != "linux",
    reason="needs loopback addresses beyond 127.0.0.1, which only Linux routes by default",
)

CONNECTIONS_TABLE = "serverless-chat-local-connections"
HELD, PER_MINUTE = 2, 4
_probe_addresses = (f"127.0.9.{n}" for n in itertools.count(1))


@pytest.fixture
def open_from(stack: LocalStack) -> Iterator[Callable[[str], ChatSocket]]:
    """Open a WebSocket to our data plane from a given loopback address."""
    with ExitStack() as sockets:

        def opening(source_ip: str) -> ChatSocket:
            connection = connect(
                stack.options.websocket_url, source_address=(source_ip, 0), open_timeout=20
            )
            return ChatSocket(sockets.enter_context(connection))

        yield opening


def refused_status(stack: LocalStack, source_ip: str) -> int | None:
    """The handshake's status when it is refused; None (and the socket closed) when admitted."""
    try:
        with connect(stack.options.websocket_url, source_address=(source_ip, 0), open_timeout=20):
            return None
    except InvalidStatus as refused:
        return refused.response.status_code


def held_by(dynamodb: Any, address: str) -> set[str]:
    """The connections the address's item lists as held."""
    item = dynamodb.get_item(
        TableName=CONNECTIONS_TABLE,
        Key={"connectionId": {"S": f"ip#{address}"}},
        ConsistentRead=True,
    ).get("Item", {})
    return set(item.get("connectionIds", {}).get("SS", []))


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.3)


@pytest.fixture
def capped(stack: LocalStack, open_from: Callable[[str], ChatSocket]) -> Iterator[None]:
    def caps_on() -> bool:  # a fresh address each time: HELD admitted, then 429
        probe = next(_probe_addresses)
        held = [open_from(probe) for _ in range(HELD)]
        status = refused_status(stack, probe)
        for socket in held:
            socket.close()
        return status == 429

    caps = {
        "CONNECTIONS_PER_ADDRESS": str(HELD),
        "CONNECTS_PER_ADDRESS_PER_MINUTE": str(PER_MINUTE),
    }
    try:
        with function_settings(stack, "connect", **caps):
            wait_until(caps_on)
            yield
    finally:
        # The stack as the other tests found it: no address items left behind.
        dynamodb = dynamodb_of(stack)
        for item in dynamodb.scan(
            TableName=CONNECTIONS_TABLE,
            FilterExpression="begins_with(connectionId, :address)",
            ExpressionAttributeValues={":address": {"S": "ip#"}},
        )["Items"]:
            dynamodb.delete_item(
                TableName=CONNECTIONS_TABLE, Key={"connectionId": item["connectionId"]}
            )


def test_an_address_over_its_caps_is_refused_with_429_beside_others_that_chat_on(
    capped: None, stack: LocalStack, dynamodb: Any, open_from: Callable[[str], ChatSocket]
) -> None:
    room = f"room-{uuid.uuid4().hex[:8]}"
    bystander = open_from("127.0.0.3")
    bystander.enter(room, "bystander")

    # Held at once: the third connection from one address is refused with 429.
    first, second = open_from("127.0.0.2"), open_from("127.0.0.2")
    assert refused_status(stack, "127.0.0.2") == 429
    first.enter(room, "first")
    bystander.recv_until("presence")
    first.send({"action": "on-message", "message": "still served"})
    assert bystander.recv_until("message")["message"] == "still served"
    assert first.recv_until("message")["isOwnMessage"]

    # A closed connection gives its place back, once its $disconnect has run.
    second.close()
    wait_until(lambda: refused_status(stack, "127.0.0.2") is None)

    # Per minute: connections opened and closed (each $disconnect let run, so that none is
    # held) still count: the fifth within the minute is refused.
    for _ in range(PER_MINUTE):
        assert refused_status(stack, "127.0.0.4") is None
        wait_until(lambda: held_by(dynamodb, "127.0.0.4") == set())
    assert refused_status(stack, "127.0.0.4") == 429

    # Everyone else is served throughout.
    assert refused_status(stack, "127.0.0.5") is None
    bystander.send({"action": "on-message", "message": "and me"})
    assert first.recv_until("message")["message"] == "and me"


def test_a_burst_of_parallel_handshakes_from_one_address_admits_exactly_the_cap(
    capped: None, stack: LocalStack
) -> None:
    burst = 8

    def attempt(_: int) -> ClientConnection | int:
        try:
            return connect(
                stack.options.websocket_url, source_address=("127.0.0.6", 0), open_timeout=20
            )
        except InvalidStatus as refused:
            return refused.response.status_code

    with ThreadPoolExecutor(max_workers=burst) as pool:
        results = list(pool.map(attempt, range(burst)))
    with ExitStack() as opened:  # the admitted ones are closed at the end
        admitted = [opened.enter_context(r) for r in results if isinstance(r, ClientConnection)]
        assert len(admitted) == HELD
        assert [r for r in results if isinstance(r, int)] == [429] * (burst - HELD)
