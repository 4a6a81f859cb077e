"""The end-to-end harness: WebSocket clients in one room of a chat server, timing each message from
the sender's send to its receipt by the last member.

``clients`` clients enter one room; the first sends a few warm-up messages, then some paced
(``PACED_RATE`` a second), then some all at once (saturation). Every member, the
sender included, must receive every message. Only the frames every server under test speaks are
used: ``on-enter-room`` answered by a ``room`` frame, ``on-message`` broadcast as ``message``
frames carrying the text.
"""

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect

PACED_RATE = 20.0  # messages a second
RUN_TIMEOUT_S = 60.0  # a run reports what arrived by then
OPEN_CONCURRENCY = 25  # clients connecting and entering at once
WARM_UP_MESSAGES = 8  # all at once before measuring: every worker of the function started


@dataclass(frozen=True)
class Run:
    """One load on one room: when each message was sent and when its last member got it."""

    clients: int
    messages: int
    latencies_s: Sequence[float]  # of the messages every member received
    delivered: int
    elapsed_s: float  # first send to last receipt

    @property
    def expected(self) -> int:
        return self.clients * self.messages

    @property
    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.latencies_s) if self.latencies_s else float("inf")

    @property
    def p99_ms(self) -> float:
        if len(self.latencies_s) < 2:
            return self.p50_ms
        return 1000 * statistics.quantiles(self.latencies_s, n=100, method="inclusive")[98]

    @property
    def messages_per_s(self) -> float:
        return self.delivered / self.clients / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def deliveries_per_s(self) -> float:
        return self.delivered / self.elapsed_s if self.elapsed_s else 0.0


@dataclass(frozen=True)
class Load:
    """Both loads on one room of ``clients``."""

    paced: Run
    saturation: Run


class Room:
    """Clients in one room, each recording when messages reach it."""

    def __init__(self) -> None:
        self.clients: list[ClientConnection] = []
        self._readers: list[asyncio.Task[None]] = []
        self._arrivals: dict[str, list[float]] = {}
        self._complete = 0  # messages every member received
        self._all_arrived = asyncio.Event()  # or an error frame came
        self._errors: list[str] = []

    def join(self, client: ClientConnection) -> None:
        """Add a client that entered the room; it reads from now on."""
        self.clients.append(client)
        self._readers.append(asyncio.create_task(self._read(client)))

    async def _read(self, client: ClientConnection) -> None:
        async for text in client:
            frame = json.loads(text)
            if frame.get("type") == "error":
                self._errors.append(str(text))
                self._all_arrived.set()
            if frame.get("type") != "message":
                continue
            arrivals = self._arrivals.get(frame["message"])
            if arrivals is None:
                continue
            arrivals.append(time.perf_counter())
            if len(arrivals) == len(self.clients):
                self._complete += 1
                if self._complete == len(self._arrivals):
                    self._all_arrived.set()

    async def run(self, label: str, messages: int, rate: float | None) -> Run:
        """Send ``messages`` from the first client, ``rate`` a second or all at once."""
        texts = [f"{label} {n}" for n in range(messages)]
        self._arrivals = {text: [] for text in texts}
        self._complete = 0
        self._all_arrived.clear()
        sender = self.clients[0]
        sent_at: dict[str, float] = {}
        started = time.perf_counter()
        for n, text in enumerate(texts):
            if rate is not None:
                await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            sent_at[text] = time.perf_counter()
            await sender.send(json.dumps({"action": "on-message", "message": text}))
        with contextlib.suppress(TimeoutError):  # what did not arrive is reported as such
            await asyncio.wait_for(self._all_arrived.wait(), RUN_TIMEOUT_S)
        if self._errors:
            raise RuntimeError(f"a client got an error frame: {self._errors[0]}")
        arrivals = self._arrivals
        last = max((t for a in arrivals.values() for t in a), default=started)
        return Run(
            clients=len(self.clients),
            messages=messages,
            latencies_s=[
                a[-1] - sent_at[text] for text, a in arrivals.items() if len(a) == len(self.clients)
            ],
            delivered=sum(len(a) for a in arrivals.values()),
            elapsed_s=last - sent_at[texts[0]],
        )

    def stop_reading(self) -> None:
        for reader in self._readers:
            reader.cancel()


async def measure_load(
    url: str, room_id: str, clients: int, paced_messages: int, messages_at_once: int
) -> Load:
    """Open ``clients`` connections to ``url``, enter them into ``room_id``, run both loads."""
    async with AsyncExitStack() as connections:
        opening = asyncio.Semaphore(OPEN_CONCURRENCY)
        room = Room()

        async def enter(n: int) -> None:
            async with opening:
                client = await connections.enter_async_context(connect(url, open_timeout=30))
                await client.send(
                    json.dumps({"action": "on-enter-room", "groupId": room_id, "username": f"c{n}"})
                )
                await _until_type(client, "room")
                room.join(client)

        await asyncio.gather(*(enter(n) for n in range(clients)))
        try:
            await room.run("warm-up", WARM_UP_MESSAGES, None)
            paced = await room.run("paced", paced_messages, PACED_RATE)
            saturation = await room.run("saturation", messages_at_once, None)
        finally:
            room.stop_reading()
    return Load(paced=paced, saturation=saturation)


async def _until_type(client: ClientConnection, frame_type: str) -> None:
    async with asyncio.timeout(30):
        while json.loads(await client.recv()).get("type") != frame_type:
            pass
