"""What each chat action costs in a room of ``members``: posts to ``@connections`` and DynamoDB
requests, next to a message's, measured in the same run on the stack's own tables (the room's
connections stored for the measurement, as ``dynamodb_reads`` does).

- typing: a burst of frames within one ``typingIntervalSeconds`` costs at most one post per other
  member (N - 1), however many frames the typer sends; the rest are dropped, each on its
  bucket's conditional update and the refusal it counts (one or two updates).
- delete: a post per member, like the message it deletes.
"""

import json
import time
from collections.abc import Sequence
from typing import Any

import boto3

from bench.dynamodb_reads import chat_without_posts, stored
from bench.rows import Row
from serverless_chat import limits
from serverless_chat.adapters.dynamodb import MessagesTable

TYPING_BURST = 10  # frames a typer sends within one interval


class CountingPosts:
    """An outbox that counts the posts it is given and delivers none."""

    def __init__(self) -> None:
        self.posts = 0

    def send(self, posts: Sequence[tuple[str, bytes]]) -> list[str]:
        self.posts += len(posts)
        return []

    def close(self, _connection_id: str) -> None: ...


class RequestCounter:
    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, **_: Any) -> None:
        self.requests += 1


def measure(endpoint: str, tables: dict[str, str], members: int) -> list[Row]:
    client = boto3.client("dynamodb", endpoint_url=endpoint)
    counter = RequestCounter()
    client.meta.events.register("after-call.dynamodb", counter)
    outbox = CountingPosts()
    now = time.time()
    # One instant: the typing burst falls in one interval.
    chat = chat_without_posts(client, tables, members, outbox, clock=lambda: now)
    sender, room = "costs-0-0", "costs-room-0"

    def cost(action: dict[str, Any], times: int = 1) -> tuple[int, int]:
        outbox.posts = counter.requests = 0
        for _ in range(times):
            route = {"on-message": chat.send_message, "on-typing": chat.typing}.get(
                action["action"], chat.change_message
            )
            route(sender, json.dumps(action))
        return outbox.posts, counter.requests

    with stored(client, tables["CONNECTIONS_TABLE"], "costs", 1, members):
        message = cost({"action": "on-message", "message": "hi", "groupId": room})
        deletion = cost({"action": "on-delete-message", "seq": _last_seq(client, tables, room)})
        typing = cost({"action": "on-typing"}, TYPING_BURST)
    size = f"a {members}-member room"
    return [
        Row(
            name=f"posts per burst of {TYPING_BURST} typing frames in "
            f"{limits.TYPING_INTERVAL_SECONDS} s, {size} (baseline: one message)",
            unit="posts",
            ours=typing[0],
            baseline=message[0],
            goal=f"at most N - 1 = {members - 1}",
            met=typing[0] <= members - 1,
        ),
        Row(
            name=f"DynamoDB requests per burst of {TYPING_BURST} typing frames, {size} "
            "(baseline: one message)",
            unit="requests",
            ours=typing[1],
            baseline=message[1],
            # The forwarded frame's update and room read; a dropped one's bucket update and the
            # refusal it counts (1 or 2 updates: that bucket tries idle, then busy).
            goal=f"at most {2 + 3 * (TYPING_BURST - 1)}: 2, then 3 a dropped frame",
            met=typing[1] <= 2 + 3 * (TYPING_BURST - 1),
        ),
        Row(
            name=f"posts per deletion, {size} (baseline: one message)",
            unit="posts",
            ours=deletion[0],
            baseline=message[0],
            goal="as many as a message's",
            met=deletion[0] == message[0],
        ),
        Row(
            name=f"DynamoDB requests per deletion, {size} (baseline: one message)",
            unit="requests",
            ours=deletion[1],
            baseline=message[1],
            goal="at most 2 more than a message's",
            met=deletion[1] <= message[1] + 2,
        ),
    ]


def _last_seq(client: Any, tables: dict[str, str], room: str) -> int:
    """The seq the message just sent took: the room's counter."""
    messages = MessagesTable(client, tables["MESSAGES_TABLE"], retention_days=1)
    (latest,) = messages.latest(room, 1)
    return latest.seq
