"""The member cap over real WebSockets, through our data plane: joins sent at once into a small
room take no more places than it has, and the members let in keep chatting.

envs/local keeps the default cap (500), so this test lowers it for itself: the enter-room
function's ROOM_MEMBER_LIMIT as Terraform would set it (`function_settings`, our data plane only).
"""

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest
from websockets.sync.client import connect

from local_stack.stack import LocalStack
from tests.conftest import ChatSocket, function_settings

CAP, JOINERS = 5, 30


def answer(client: ChatSocket) -> dict[str, Any]:
    """The caller's answer to its on-enter-room: a room or an error frame."""
    while True:
        frame = client.recv(timeout=30)
        if frame["type"] in ("room", "error"):
            return frame


def cap_in_force(stack: LocalStack) -> bool:
    """Whether a room of the test's own turns away its (CAP + 1)th member yet."""
    room = f"probe-{uuid.uuid4().hex[:8]}"
    with ExitStack() as sockets:
        for number in range(CAP + 1):
            client = ChatSocket(sockets.enter_context(connect(stack.options.websocket_url)))
            client.send({"action": "on-enter-room", "groupId": room, "username": f"p{number}"})
            if answer(client)["type"] == "error":
                return number == CAP
    return False


@pytest.fixture
def small_rooms(stack: LocalStack) -> Iterator[None]:
    with function_settings(stack, "enter-room", ROOM_MEMBER_LIMIT=str(CAP)):
        deadline = time.monotonic() + 30
        while not cap_in_force(stack):  # the data plane re-reads the environment on SIGHUP
            assert time.monotonic() < deadline, "the lower cap did not come into force"
            time.sleep(0.3)
        yield


def test_thirty_joins_at_once_into_a_room_of_five_let_five_in(
    small_rooms: None, stack: LocalStack
) -> None:
    room = f"room-{uuid.uuid4().hex[:8]}"
    with ExitStack() as sockets:
        joiners = [
            ChatSocket(sockets.enter_context(connect(stack.options.websocket_url)))
            for _ in range(JOINERS)
        ]
        start = threading.Barrier(JOINERS)

        def join(number: int) -> dict[str, Any]:
            start.wait()
            joiners[number].send(
                {"action": "on-enter-room", "groupId": room, "username": f"j{number}"}
            )
            return answer(joiners[number])

        with ThreadPoolExecutor(JOINERS) as pool:
            answers = list(pool.map(join, range(JOINERS)))

        admitted = [number for number, a in enumerate(answers) if a["type"] == "room"]
        assert len(admitted) == CAP  # before: 11 of 30 into a cap of 5
        assert {a["code"] for a in answers if a["type"] == "error"} == {"room_full"}
        first, *others = (joiners[number] for number in admitted)
        first.send({"action": "on-message", "message": "five of us"})
        for member in others:
            assert member.recv_until("message", timeout=20)["message"] == "five of us"
        late = ChatSocket(sockets.enter_context(connect(stack.options.websocket_url)))
        late.send({"action": "on-enter-room", "groupId": room, "username": "late"})
        assert late.recv_until("error")["code"] == "room_full"
