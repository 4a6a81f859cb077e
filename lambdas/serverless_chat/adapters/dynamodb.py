"""The connections and messages tables, through DynamoDB's low-level client.

No Scan anywhere: a connection is one key, a room's members are one Query on the room index,
a room's messages are one Query on its partition. DynamoDB deletes expired items late, so items
past ``expiresAt`` are ignored on read.
"""

import contextlib
import functools
import heapq
import itertools
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from botocore.exceptions import ClientError

from serverless_chat import limits
from serverless_chat.domain import identity
from serverless_chat.domain.admission import CAPS_OFF, AddressCaps
from serverless_chat.domain.model import (
    Deletion,
    Member,
    Membership,
    Message,
    MessageDraft,
    ModerationRecord,
    NewConnection,
    RoomEntry,
    Sender,
    TimelineEntry,
)
from serverless_chat.domain.ports import (
    AddressFullError,
    AddressTooFastError,
    DuplicateMessageError,
    NotConnectedError,
    NotInRoomError,
    RateLimitedError,
    StoreBusyError,
)
from serverless_chat.domain.rate_limit import RateLimit

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

Item = Mapping[str, "AttributeValueTypeDef"]

# Errors that mean "try again later", after the SDK's own retries, as any 5xx does. A 5xx leaves
# the outcome unknown: a resend with the same clientMessageId is stored once either way.
_BUSY_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
# Cancellation reasons of a transaction that say "try again", as DynamoDB documents them.
TRANSIENT_CANCELLATIONS = frozenset(
    {"ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"}
)
_TRANSACTION_ATTEMPTS = 2
_TRANSACTION_RETRY_PAUSE_S = 0.05
_COUNTER_SEQ = 0  # the item (room, 0) holds the room's last seq; messages start at 1
# The kinds of the room's items beside its messages (a message has no ``kind``).
_MODERATION: Final = "moderation"
_DELETE: Final = "delete"


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def busy_when_throttled[**P, R](method: Callable[P, R]) -> Callable[P, R]:
    """Turn DynamoDB's "try again later" errors into the chat's ``StoreBusyError``."""

    @functools.wraps(method)
    def calling(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if error_code(error) in _BUSY_CODES or status >= 500:
                raise StoreBusyError(error_code(error)) from error
            raise

    return calling


def _s(value: str) -> "AttributeValueTypeDef":
    return {"S": value}


def _n(value: int) -> "AttributeValueTypeDef":
    return {"N": str(value)}


def _str(item: Item, name: str) -> str | None:
    value = item.get(name)
    return value["S"] if value is not None and "S" in value else None


def _int(item: Item, name: str) -> int | None:
    value = item.get(name)
    return int(value["N"]) if value is not None and "N" in value else None


def _bool(item: Item, name: str) -> bool:
    value = item.get(name)
    return value is not None and value.get("BOOL") is True


def _alive(item: Item, now_s: int) -> bool:
    expires_at = _int(item, "expiresAt")
    return expires_at is None or expires_at > now_s


def query_all(client: "DynamoDBClient", **request: Any) -> Iterator[Item]:
    """Every item the Query answers, page after page."""
    while True:
        response = client.query(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def batch_get(
    client: "DynamoDBClient", table: str, keys: Sequence[Item], projection: str
) -> tuple[list[Item], list[Item]]:
    """The items of ``keys``, read consistently, 100 keys a request, each request's unprocessed
    keys asked again up to ``_BATCH_GET_ATTEMPTS`` times; and the keys still unprocessed."""
    found: list[Item] = []
    unprocessed: list[Item] = []
    for start in range(0, len(keys), _BATCH_GET_KEYS):
        pending: list[Any] = list(keys[start : start + _BATCH_GET_KEYS])
        for _ in range(_BATCH_GET_ATTEMPTS):
            response = client.batch_get_item(
                RequestItems={
                    table: {
                        "Keys": pending,
                        "ProjectionExpression": projection,
                        "ConsistentRead": True,
                    }
                }
            )
            found += response.get("Responses", {}).get(table, [])
            left = response.get("UnprocessedKeys", {}).get(table)
            pending = list(left["Keys"]) if left else []
            if not pending:
                break
        unprocessed += pending
    return found, unprocessed


# A room's member count is an item of the connections table under this prefix (connection ids
# never hold "#"), without ``roomId``: the room index never sees it.
_ROOM_COUNT_PREFIX = "room#"
# A name held in a room: an item under this prefix + room + "#" + comparison key, holding its
# sender; without ``roomId``, the room index never sees it.
_NAME_PREFIX = "name#"
# A name taken this recently is held, whoever the room index shows: a join reaches the index a
# moment after its write, so a concurrent look-alike must not take it over meanwhile.
_NAME_SETTLE_MS = 10_000
_ROOM_ADMIT_ATTEMPTS = 3  # the count, a repair, and one more after a race with another join
_BURSTING_SENDERS_KEPT = 1024  # a hint per sender, forgotten wholesale beyond this many
_BUCKET_ATTEMPTS = 3  # the first, the other state's, and one after a race
_ADDRESS_KEY_PREFIX = "ip#"  # a source address's item; connection ids never start with it
_ADDRESS_ADMIT_ATTEMPTS = 4  # the first, the bucket's other state, after a heal, one after a race
_BATCH_GET_KEYS = 100  # BatchGetItem's most keys a request
_BATCH_GET_ATTEMPTS = 3


def transact(client: "DynamoDBClient", items: "list[TransactWriteItemTypeDef]") -> int | None:
    """Write all the items or none; None when written, else the index of the first item whose
    condition failed. A cancelled transaction wrote nothing, and the SDK does not retry it (a
    400): a conflict or throttling is tried again once, then ``StoreBusyError``."""
    for attempt in range(1, _TRANSACTION_ATTEMPTS + 1):
        try:
            client.transact_write_items(TransactItems=items)
            return None
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                return reasons.index("ConditionalCheckFailed")
            if not set(reasons) & TRANSIENT_CANCELLATIONS:
                raise
            if attempt == _TRANSACTION_ATTEMPTS:
                raise StoreBusyError(",".join(sorted(set(reasons) - {"None"}))) from error
            time.sleep(_TRANSACTION_RETRY_PAUSE_S)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class _Attempt:
    """One conditional update of a connection item: its condition (beside the connection
    being live), its SET assignments and its values."""

    condition: str = ""
    assignments: tuple[str, ...] = ()
    values: Mapping[str, "AttributeValueTypeDef"] = field(default_factory=dict)

    def when(self, condition: str) -> "_Attempt":
        """This attempt, only where ``condition`` also holds."""
        return replace(self, condition=f"({condition}) AND ({self.condition})")


@dataclass(frozen=True)
class _Bucket:
    """A rate bucket (GCRA) kept in one attribute of the connection item: the theoretical
    arrival time of the next token, in epoch milliseconds, as seen at ``now_ms``.

    An idle bucket (its time in the past) restarts from now; a busy one advances by one interval
    while it stays within the tolerance; beyond that it is full. The time only grows, so a race
    between two updates of one connection costs at most one more attempt."""

    attribute: str
    rate_limit: RateLimit
    now_ms: int

    @functools.cached_property
    def idle(self) -> _Attempt:
        a = self.attribute
        return _Attempt(
            condition=f"attribute_not_exists({a}) OR {a} < :now_ms",
            assignments=(f"{a} = :next",),
            values={
                ":now_ms": _n(self.now_ms),
                ":next": _n(self.now_ms + self.rate_limit.interval_ms),
            },
        )

    @functools.cached_property
    def busy(self) -> _Attempt:
        a = self.attribute
        return _Attempt(
            condition=f"{a} BETWEEN :now_ms AND :limit",
            assignments=(f"{a} = {a} + :interval",),
            values={
                ":now_ms": _n(self.now_ms),
                ":limit": _n(self.now_ms + self.rate_limit.tolerance_ms),
                ":interval": _n(self.rate_limit.interval_ms),
            },
        )

    def attempt_for(self, connection_id: str, item: Item) -> _Attempt:
        """The update that takes a token from the bucket as ``item`` holds it; a full bucket
        raises ``RateLimitedError`` saying how long until it takes a token again."""
        tat = _int(item, self.attribute)
        if tat is None or tat < self.now_ms:
            return self.idle
        if tat <= self.now_ms + self.rate_limit.tolerance_ms:
            return self.busy
        retry_after_ms = tat - self.rate_limit.tolerance_ms - self.now_ms
        raise RateLimitedError(connection_id, retry_after_ms, self.rate_limit)


def _live_item(connection_id: str, item: "Item | None", now_ms: int) -> Item:
    """The connection as a refused update found it; gone (or expired) raises."""
    if item is None or not _alive(item, now_ms // 1000):
        raise NotConnectedError(connection_id)
    return item


class ConnectionsTable:
    """One item per WebSocket connection: who it is, which room it is in, its rate buckets."""

    def __init__(
        self, client: "DynamoDBClient", table: str, room_index: str, user_index: str
    ) -> None:
        self._client = client
        self._table = table
        self._room_index = room_index
        self._user_index = user_index  # keys only, and only items with a userId: signed-in ones
        # Senders whose last send here found their bucket busy: their next one tries that first.
        self._bursting: set[str] = set()

    @busy_when_throttled
    def register(
        self,
        connection: NewConnection,
        *,
        address: str | None = None,
        caps: AddressCaps = CAPS_OFF,
    ) -> None:
        connected_at_s = connection.connected_at_ms // 1000
        expires_at_s = connected_at_s + limits.CONNECTION_LIFETIME_SECONDS
        item: dict[str, AttributeValueTypeDef] = {
            "connectionId": _s(connection.connection_id),
            "connectedAt": _n(connection.connected_at_ms),
        }
        user = connection.user
        if user is not None:
            # The connection counts only while its token is valid: past it, every update's
            # condition refuses it and the room's reads leave it out, so it is sent nothing more.
            expires_at_s = min(expires_at_s, user.token_expires_at_s)
            item["userId"] = _s(user.user_id)
            item["tokenExpiresAt"] = _n(user.token_expires_at_s)
        if connection.guest:
            item["guest"] = {"BOOL": True}
        item["expiresAt"] = _n(expires_at_s)
        if connection.source_ip:
            item["sourceIp"] = _s(connection.source_ip)
        if connection.user_agent:
            item["userAgent"] = _s(connection.user_agent)
        if address is not None and caps.enabled:
            self._admit_address(connection.connection_id, address, caps, connection.connected_at_ms)
            item["sourceAddress"] = _s(address)  # what remove() releases
        self._client.put_item(TableName=self._table, Item=item)

    # A source address's item, in this table under a key no connection id has: the ids of the
    # connections it holds (a string set) and its connects bucket (``connectTat``). It has no
    # roomId, so the room index never sees it, and it expires a connection lifetime after the
    # address's last admitted connect, when every connection it lists is closed.
    #
    # Why a set of ids rather than a Query of connection items by address: the cap must hold
    # under a burst of parallel handshakes, and a GSI, read eventually consistently, would let
    # all of them see the same count; one conditional UpdateItem (``size(connectionIds) <
    # :held``) admits exactly up to the cap. The set is a cache of the connection items, not
    # the truth: ``$disconnect`` is best-effort, so when the set says full, its ids are looked
    # up (one consistent BatchGetItem of at most the cap) and the ones whose connection item
    # is gone or past its TTL are dropped before trying again. A connection whose
    # ``$disconnect`` never came thus counts only while its item lives: until a post to it gets
    # 410 (the cleanup deletes the item and releases it here) or, at the latest, its TTL, 2 h
    # 10 min after it connected (API Gateway has closed it by then).

    def _admit_address(
        self, connection_id: str, address: str, caps: AddressCaps, now_ms: int
    ) -> None:
        """Take a place for ``connection_id`` under its address's caps, in one conditional
        update; see above. Raises ``AddressFullError`` or ``AddressTooFastError``."""
        now_s = now_ms // 1000
        bucket = None if caps.connects is None else _Bucket("connectTat", caps.connects, now_ms)
        attempt = _Attempt() if bucket is None else bucket.idle  # connects are minutes apart
        for _ in range(_ADDRESS_ADMIT_ATTEMPTS):
            sets, adds = ["expiresAt = :expires", *attempt.assignments], []
            conditions = [f"({attempt.condition})"] if attempt.condition else []
            values: dict[str, AttributeValueTypeDef] = {
                ":expires": _n(now_s + limits.CONNECTION_LIFETIME_SECONDS),
                **attempt.values,
            }
            if caps.held:
                adds.append("connectionIds :id")
                conditions.append(
                    "(attribute_not_exists(connectionIds) OR size(connectionIds) < :held)"
                )
                values.update({":held": _n(caps.held), ":id": {"SS": [connection_id]}})
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key={"connectionId": _s(_ADDRESS_KEY_PREFIX + address)},
                    UpdateExpression=f"SET {', '.join(sets)}"
                    + (f" ADD {', '.join(adds)}" if adds else ""),
                    ConditionExpression=" AND ".join(conditions),
                    ExpressionAttributeValues=values,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
                return
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                old = cast("Item", error.response.get("Item") or {})
            if bucket is not None:
                try:
                    attempt = bucket.attempt_for(connection_id, old)
                except RateLimitedError as too_fast:
                    raise AddressTooFastError(address) from too_fast
            held = old.get("connectionIds", {}).get("SS", [])
            if caps.held and len(held) >= caps.held:
                gone = self._gone(held, now_s)
                if not gone:
                    raise AddressFullError(address)
                self._release_address(address, gone)
        raise StoreBusyError("ConnectsRaced")  # other handshakes from the address won each time

    def _gone(self, connection_ids: Sequence[str], now_s: int) -> list[str]:
        """Which of ``connection_ids`` have no live connection item (deleted, or past their
        TTL and not yet deleted by DynamoDB): read consistently, 100 keys a request."""
        keys = [{"connectionId": _s(c)} for c in connection_ids]
        items, unprocessed = batch_get(self._client, self._table, keys, "connectionId, expiresAt")
        alive = {_str(item, "connectionId") or "" for item in items if _alive(item, now_s)}
        # Keys still unprocessed count as alive: a cap errs towards refusing, never over.
        alive.update(_str(key, "connectionId") or "" for key in unprocessed)
        return [c for c in connection_ids if c not in alive]

    def _release_address(self, address: str, connection_ids: Sequence[str]) -> None:
        """Drop ``connection_ids`` from the address's set. Best-effort: a release that fails is
        healed by the next full address's lookup."""
        with contextlib.suppress(ClientError):
            self._client.update_item(
                TableName=self._table,
                Key={"connectionId": _s(_ADDRESS_KEY_PREFIX + address)},
                UpdateExpression="DELETE connectionIds :ids",
                ConditionExpression="attribute_exists(connectionId)",
                ExpressionAttributeValues={":ids": {"SS": list(connection_ids)}},
            )

    @busy_when_throttled
    def enter_room(
        self,
        connection_id: str,
        room_id: str,
        username: str | None,
        default_username: str,
        *,
        sender_id: str,
        now_ms: int,
        room_changes: RateLimit,
        replies: RateLimit,
    ) -> tuple[Membership, str]:
        """One conditional update puts the connection in the room, records who sends from it
        (``senderId``, read back by ``claim_send``) and takes a token: of
        ``room_changes`` (``changeTat``) for a rename or a move, of ``replies`` (``replyTat``)
        for any other entry (a first one, or one that changes nothing). The update tried first
        is the common one: an entry that renames or moves nothing, from an idle bucket. When
        its condition fails, the item as it was says which update applies: gone is refused at
        once, else the update of the bucket the entry takes from, for its state (idle or busy),
        or ``RateLimitedError`` with the wait."""
        changes_bucket = _Bucket("changeTat", room_changes, now_ms)
        replies_bucket = _Bucket("replyTat", replies, now_ms)
        # The same room under the same name (or no name asked for): nothing for others to see.
        unchanged = "roomId = :room" + (" AND username = :username" if username else "")
        no_change = f"attribute_not_exists(roomId) OR ({unchanged})"

        def next_attempt(refused: Item | None) -> _Attempt:
            item = _live_item(connection_id, refused, now_ms)
            changes = "roomId" in item and (
                _str(item, "roomId") != room_id
                or (username is not None and _str(item, "username") != username)
            )
            if not changes:
                return replies_bucket.attempt_for(connection_id, item).when(no_change)
            return changes_bucket.attempt_for(connection_id, item).when(f"NOT ({no_change})")

        old, _ = self._update_live(
            connection_id,
            now_ms,
            common=_Attempt(
                assignments=(
                    "roomId = :room",
                    "senderId = :sender",
                    "username = :username"
                    if username
                    else "username = if_not_exists(username, :username)",
                ),
                values={
                    ":room": _s(room_id),
                    ":username": _s(username or default_username),
                    ":sender": _s(sender_id),
                },
            ),
            first=replies_bucket.idle.when(no_change),
            next_attempt=next_attempt,
            return_values="ALL_OLD",
        )
        before = Membership(room_id=_str(old, "roomId"), username=_str(old, "username"))
        return before, username or before.username or default_username

    @busy_when_throttled
    def undo_entry(self, connection_id: str, room_id: str, before: Membership) -> None:
        if before.room_id is None:
            update, values = "REMOVE roomId, username", {}
        else:
            update = "SET roomId = :before_room, username = :before_username"
            values = {
                ":before_room": _s(before.room_id),
                ":before_username": _s(before.username or ""),
            }
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"connectionId": _s(connection_id)},
                UpdateExpression=update,
                ConditionExpression="roomId = :room",
                ExpressionAttributeValues={":room": _s(room_id), **values},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise  # else it has left the room since: nothing to undo

    @busy_when_throttled
    def admit(self, room_id: str, connection_id: str, member_limit: int) -> bool:
        """``ADD memberCount`` while below the limit. The count errs high only (a member whose
        ``$disconnect`` never came, or whose release failed, still counts), so when it says full
        the room index is counted again, without this connection, and the count set to that
        plus one, conditional on the count it replaces. The index lags the table by a moment:
        a member whose join is still on its way to it can be missed by a repair."""
        key = {"connectionId": _s(_ROOM_COUNT_PREFIX + room_id)}
        expires_at = _n(int(time.time()) + limits.CONNECTION_LIFETIME_SECONDS)
        for _ in range(_ROOM_ADMIT_ATTEMPTS):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="ADD memberCount :one SET expiresAt = :expires",
                    ConditionExpression="attribute_not_exists(memberCount) OR memberCount < :limit",
                    ExpressionAttributeValues={
                        ":one": _n(1),
                        ":limit": _n(member_limit),
                        ":expires": expires_at,
                    },
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
                return True
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                seen = cast("Item", error.response.get("Item", {})).get("memberCount")
            others = [m for m in self.members(room_id) if m.connection_id != connection_id]
            if len(others) >= member_limit:
                return False
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET memberCount = :count, expiresAt = :expires",
                    ConditionExpression="memberCount = :seen",
                    ExpressionAttributeValues={
                        ":count": _n(len(others) + 1),
                        ":seen": seen or _n(0),
                        ":expires": expires_at,
                    },
                )
                return True
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise  # else another join or leave changed the count: count again
        return False

    @busy_when_throttled
    def reserve_name(
        self, room_id: str, key: str, sender_id: str, now_ms: int, *, in_use: bool
    ) -> bool:
        """One conditional update: the name is free or already this sender's. Else, when nobody
        in the room uses it and its holder took it long enough ago, one more, conditional on
        that holder and moment, so two senders taking one stale name over cannot both win."""
        item_key = {"connectionId": _s(f"{_NAME_PREFIX}{room_id}#{key}")}
        values: dict[str, AttributeValueTypeDef] = {
            ":me": _s(sender_id),
            ":now": _n(now_ms),
            ":expires": _n(now_ms // 1000 + limits.CONNECTION_LIFETIME_SECONDS),
        }
        update = "SET holder = :me, heldAt = :now, expiresAt = :expires"
        try:
            self._client.update_item(
                TableName=self._table,
                Key=item_key,
                UpdateExpression=update,
                ConditionExpression="attribute_not_exists(holder) OR holder = :me",
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return True
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            held = cast("Item", error.response.get("Item") or {})
        held_at = _int(held, "heldAt") or 0
        if in_use or now_ms - held_at < _NAME_SETTLE_MS:
            return False
        try:
            self._client.update_item(
                TableName=self._table,
                Key=item_key,
                UpdateExpression=update,
                ConditionExpression="holder = :holder AND heldAt = :held_at",
                ExpressionAttributeValues={
                    **values,
                    ":holder": held.get("holder") or _s(""),
                    ":held_at": _n(held_at),
                },
            )
            return True
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            return False  # another sender took it over first

    @busy_when_throttled
    def release(self, room_id: str, places: int = 1) -> None:
        """``ADD memberCount -places``, never below zero. A release that fails leaves the
        count high, which the next admission to find the room full repairs."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"connectionId": _s(_ROOM_COUNT_PREFIX + room_id)},
                UpdateExpression="ADD memberCount :minus",
                ConditionExpression="memberCount >= :places",
                ExpressionAttributeValues={":minus": _n(-places), ":places": _n(places)},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    @busy_when_throttled
    def claim_send(self, connection_id: str, now_ms: int, rate_limit: RateLimit) -> Sender:
        """One conditional update takes a token and reads the sender's room and name.

        The update tried first is the one that held for this sender's last send here (idle for a
        sender not seen), so a burst costs one write per message. When its condition fails, the
        item as it was (``ReturnValuesOnConditionCheckFailure``) says why: gone, not in a room
        and a full bucket are refused at once, without a read; a bucket in the other state gets
        the other update."""
        bucket = _Bucket("tat", rate_limit, now_ms)
        first = bucket.busy if connection_id in self._bursting else bucket.idle
        sender, held = self._claim_in_room(connection_id, bucket, first)
        self._remember_bucket(connection_id, busy=held is bucket.busy)
        return sender

    @busy_when_throttled
    def claim_typing(self, connection_id: str, now_ms: int, typing: RateLimit) -> Sender:
        """As ``claim_send``, from the typing bucket (``typingTat``): idle first, since typing
        is forwarded at most once an interval."""
        bucket = _Bucket("typingTat", typing, now_ms)
        sender, _ = self._claim_in_room(connection_id, bucket, bucket.idle)
        return sender

    def _claim_in_room(
        self, connection_id: str, bucket: _Bucket, first: _Attempt
    ) -> tuple[Sender, _Attempt]:
        """A token of ``bucket`` for a connection in a room, trying ``first`` first; the sender
        as the update left it, and the attempt that held."""

        def next_attempt(refused: Item | None) -> _Attempt:
            item = _live_item(connection_id, refused, bucket.now_ms)
            if "roomId" not in item:
                raise NotInRoomError(connection_id)
            return bucket.attempt_for(connection_id, item)

        item, held = self._update_live(
            connection_id,
            bucket.now_ms,
            common=_Attempt(condition="attribute_exists(roomId)"),
            first=first,
            next_attempt=next_attempt,
            return_values="ALL_NEW",
        )
        return _sender(connection_id, item), held

    @busy_when_throttled
    def blocked_by(self, connection_id: str, keys: frozenset[str], *, add: bool) -> None:
        if not keys:
            return
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"connectionId": _s(connection_id)},
                UpdateExpression=f"{'ADD' if add else 'DELETE'} blockedBy :keys",
                ConditionExpression="attribute_exists(connectionId)",
                ExpressionAttributeValues={":keys": {"SS": sorted(keys)}},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    @busy_when_throttled
    def mute(self, connection_id: str, room_id: str, until_ms: int) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"connectionId": _s(connection_id)},
                UpdateExpression="SET mutedIn = :room, mutedUntil = :until",
                ConditionExpression="attribute_exists(connectionId)",
                ExpressionAttributeValues={":room": _s(room_id), ":until": _n(until_ms)},
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise

    @busy_when_throttled
    def claim_reply(self, connection_id: str, now_ms: int, replies: RateLimit) -> None:
        """The replies bucket (``replyTat``), for a frame answered to its sender alone."""
        self._take_token(connection_id, _Bucket("replyTat", replies, now_ms))

    @busy_when_throttled
    def count_refusal(self, connection_id: str, now_ms: int, refusals: RateLimit) -> bool:
        """The refusals bucket (``refusalTat``): a refused frame is a token taken. True when the
        bucket is full: the connection is flooding."""
        try:
            self._take_token(connection_id, _Bucket("refusalTat", refusals, now_ms))
        except NotConnectedError:
            return False  # gone: nothing to close
        except RateLimitedError:
            return True
        return False

    def _take_token(self, connection_id: str, bucket: _Bucket) -> None:
        """One token of ``bucket``, idle first (pings and refusals are far apart), busy after
        the item says so."""
        self._update_live(
            connection_id,
            bucket.now_ms,
            common=_Attempt(),
            first=bucket.idle,
            next_attempt=lambda refused: bucket.attempt_for(
                connection_id, _live_item(connection_id, refused, bucket.now_ms)
            ),
            return_values="NONE",
        )

    def _update_live(
        self,
        connection_id: str,
        now_ms: int,
        *,
        common: _Attempt,
        first: _Attempt,
        next_attempt: Callable[["Item | None"], _Attempt],
        return_values: Literal["ALL_OLD", "ALL_NEW", "NONE"],
    ) -> tuple[Item, _Attempt]:
        """Updates a live connection with ``common`` and an attempt: ``first``, then the one
        ``next_attempt`` picks from the item as each refused update found it (it raises to
        refuse). Returns the item as ``return_values`` asks, and the attempt that held."""
        attempt = first
        for _ in range(_BUCKET_ATTEMPTS):
            assignments = common.assignments + attempt.assignments
            conditions = ["expiresAt > :now_s", common.condition, attempt.condition]
            try:
                response = self._client.update_item(
                    TableName=self._table,
                    Key={"connectionId": _s(connection_id)},
                    UpdateExpression="SET " + ", ".join(assignments),
                    ConditionExpression=" AND ".join(f"({c})" for c in conditions if c),
                    ExpressionAttributeValues={
                        ":now_s": _n(now_ms // 1000),
                        **common.values,
                        **attempt.values,
                    },
                    ReturnValues=return_values,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                attempt = next_attempt(cast("Item | None", error.response.get("Item")))
                continue
            return response.get("Attributes", {}), attempt
        raise RateLimitedError(connection_id)  # updates of this connection raced it every time

    def _remember_bucket(self, connection_id: str, *, busy: bool) -> None:
        if not busy:
            self._bursting.discard(connection_id)
            return
        if len(self._bursting) >= _BURSTING_SENDERS_KEPT:
            self._bursting.clear()
        self._bursting.add(connection_id)

    @busy_when_throttled
    def remove(self, connection_id: str) -> Membership | None:
        response = self._client.delete_item(
            TableName=self._table,
            Key={"connectionId": _s(connection_id)},
            ReturnValues="ALL_OLD",
        )
        old = response.get("Attributes")
        if old is None:
            return None
        address = _str(old, "sourceAddress")
        if address is not None:
            self._release_address(address, [connection_id])
        return Membership(room_id=_str(old, "roomId"), username=_str(old, "username"))

    @busy_when_throttled
    def members(self, room_id: str) -> list[Member]:
        now_s = int(time.time())
        return [
            Member(
                connection_id=_str(item, "connectionId") or "",
                username=_str(item, "username") or "",
                guest=_bool(item, "guest"),
            )
            for item in self._query(
                TableName=self._table,
                IndexName=self._room_index,
                KeyConditionExpression="roomId = :room",
                ExpressionAttributeValues={":room": _s(room_id)},
            )
            if _alive(item, now_s)
        ]

    @busy_when_throttled
    def recipients(self, room_id: str) -> list[str]:
        # Only what delivery needs: half the function's CPU of members() for a 100-member room
        # (make bench, "function CPU per room read for delivery").
        now_s = int(time.time())
        return [
            _str(item, "connectionId") or ""
            for item in self._query(
                TableName=self._table,
                IndexName=self._room_index,
                KeyConditionExpression="roomId = :room",
                ProjectionExpression="connectionId, expiresAt",
                ExpressionAttributeValues={":room": _s(room_id)},
            )
            if _alive(item, now_s)
        ]

    @busy_when_throttled
    def of_user(self, user_id: str) -> list[str]:
        return [
            _str(item, "connectionId") or ""
            for item in self._query(
                TableName=self._table,
                IndexName=self._user_index,
                KeyConditionExpression="userId = :user",
                ExpressionAttributeValues={":user": _s(user_id)},
            )
        ]

    def _query(self, **request: Any) -> Iterator[Item]:
        return query_all(self._client, **request)


class MessagesTable:
    """A room's timeline in one partition, sorted by seq: its messages, in their current state,
    and its moderators' actions; the room's counter at seq 0. The changes to its messages
    (deletions) in a partition of their own, ``<room>#changes``, under the seqs they took: the
    latest page of history is one Query of the timeline, at a bounded cost however many changes
    the room has seen, and a page after ``afterSeq`` one Query of each."""

    def __init__(self, client: "DynamoDBClient", table: str, retention_days: int) -> None:
        self._client = client
        self._table = table
        self._retention_s = retention_days * 86400

    @busy_when_throttled
    def append(self, draft: MessageDraft) -> Message:
        marker = (
            None
            if draft.client_message_id is None
            else {"roomId": _s(_marker_partition(draft)), "seq": _n(0)}
        )
        if marker is not None:
            self._raise_if_stored(marker)
        seq, expires_at_s = self._next_seq(draft.room_id)
        message = Message(
            id=str(uuid.uuid4()),
            room_id=draft.room_id,
            seq=seq,
            text=draft.text,
            username=draft.username,
            sender_connection_id=draft.sender_connection_id,
            sender_id=draft.sender_id,
            sent_at=draft.sent_at,
            client_message_id=draft.client_message_id,
            guest=draft.guest,
        )
        self._store(message, marker, expires_at_s)
        return message

    def _raise_if_stored(self, marker: dict[str, "AttributeValueTypeDef"]) -> None:
        found = self._client.get_item(TableName=self._table, Key=marker, ConsistentRead=True)
        if "Item" in found:
            raise DuplicateMessageError(self._stored(found["Item"]))

    def _stored(self, marker_item: Item) -> Message:
        room_id = (_str(marker_item, "roomId") or "").split("#", 1)[0]
        response = self._client.get_item(
            TableName=self._table,
            Key={"roomId": _s(room_id), "seq": marker_item["messageSeq"]},
            ConsistentRead=True,
        )
        return _message(response["Item"])

    def _next_seq(self, room_id: str) -> tuple[int, int]:
        """The room's next seq, for a message or a change, and the expiry (epoch seconds) of
        what takes it. One expiry for it and the room's counter: the counter never expires
        before the room's newest item (it would restart seq at 1 under live history), and a
        room unused for the retention period leaves nothing behind."""
        expires_at_s = int(time.time()) + self._retention_s
        response = self._client.update_item(
            TableName=self._table,
            Key={"roomId": _s(room_id), "seq": _n(_COUNTER_SEQ)},
            UpdateExpression="ADD lastSeq :one SET expiresAt = :expires",
            ExpressionAttributeValues={":one": _n(1), ":expires": _n(expires_at_s)},
            ReturnValues="UPDATED_NEW",
        )
        return _int(response["Attributes"], "lastSeq") or 0, expires_at_s

    def _store(
        self,
        message: Message,
        marker: dict[str, "AttributeValueTypeDef"] | None,
        expires_at_s: int,
    ) -> None:
        expires_at = _n(expires_at_s)
        item: dict[str, AttributeValueTypeDef] = {
            "roomId": _s(message.room_id),
            "seq": _n(message.seq),
            "id": _s(message.id),
            "message": _s(message.text),
            "username": _s(message.username),
            "senderConnectionId": _s(message.sender_connection_id),
            "senderId": _s(message.sender_id),
            "sentAt": _s(message.sent_at),
            "expiresAt": expires_at,
        }
        if message.guest:
            item["guest"] = {"BOOL": True}
        if marker is None:
            self._client.put_item(TableName=self._table, Item=item)
            return
        item["clientMessageId"] = _s(message.client_message_id or "")
        transaction: list[TransactWriteItemTypeDef] = [
            {"Put": {"TableName": self._table, "Item": item}},
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {**marker, "messageSeq": _n(message.seq), "expiresAt": expires_at},
                    "ConditionExpression": "attribute_not_exists(roomId)",
                }
            },
        ]
        # When the transaction fails after its retry, the sender is told busy and the seq stays
        # unused, the gap any failed store leaves (history is read as "seq > N"; the page's next
        # history read steps over it).
        if transact(self._client, transaction) is not None:
            self._raise_if_stored(marker)  # a concurrent resend stored it first
            raise StoreBusyError("a resend was stored and then lost")

    @busy_when_throttled
    def latest(self, room_id: str, limit: int) -> list[TimelineEntry]:
        newest_first = self._page(room_id, 0, limit, forward=False)
        return newest_first[::-1]

    @busy_when_throttled
    def after(self, room_id: str, after_seq: int, limit: int) -> list[RoomEntry]:
        timeline = self._page(room_id, after_seq, limit, forward=True)
        changes = self._query_page(_changes_partition(room_id), after_seq, limit, forward=True)
        deletions = [_deletion(room_id, item) for item in changes]
        # Both are in seq order, and the first ``limit`` of the two are among each one's first.
        merged = heapq.merge(timeline, deletions, key=lambda entry: entry.seq)
        return list(itertools.islice(merged, limit))

    @busy_when_throttled
    def before(self, room_id: str, before_seq: int, limit: int) -> list[TimelineEntry]:
        if before_seq <= 1:
            return []
        now_s = int(time.time())
        response = self._client.query(  # seq 0 is the room's counter, not a message
            TableName=self._table,
            KeyConditionExpression="roomId = :room AND seq BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":room": _s(room_id),
                ":first": _n(_COUNTER_SEQ + 1),
                ":last": _n(before_seq - 1),
            },
            ScanIndexForward=False,
            Limit=limit,
        )
        newest_first = [_entry(i) for i in response.get("Items", []) if _alive(i, now_s)]
        return newest_first[::-1]

    @busy_when_throttled
    def message(self, room_id: str, seq: int) -> Message | None:
        if seq == _COUNTER_SEQ:
            return None
        response = self._client.get_item(
            TableName=self._table,
            Key={"roomId": _s(room_id), "seq": _n(seq)},
            ConsistentRead=True,
        )
        item = response.get("Item")
        if item is None or "kind" in item or not _alive(item, int(time.time())):
            return None
        return _message(item)

    @busy_when_throttled
    def delete(self, message: Message, by: str | None) -> Deletion | None:
        seq, expires_at_s = self._next_seq(message.room_id)
        deletion = Deletion(
            room_id=message.room_id,
            seq=seq,
            target_seq=message.seq,
            by=by,
        )
        marks = "SET deleted = :true" + (", deletedBy = :by" if by is not None else "")
        change: dict[str, AttributeValueTypeDef] = {
            "roomId": _s(_changes_partition(message.room_id)),
            "seq": _n(deletion.seq),
            "kind": _s(_DELETE),
            "targetSeq": _n(message.seq),
            # Kept as long as the room's counter: a page back after N finds every change
            # after N that is younger than the history it holds.
            "expiresAt": _n(expires_at_s),
        }
        if by is not None:
            change["by"] = _s(by)
        refused = transact(
            self._client,
            [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"roomId": _s(message.room_id), "seq": _n(message.seq)},
                        # The text itself goes: a deleted message is no longer in the table.
                        "UpdateExpression": f"{marks} REMOVE #text",
                        "ConditionExpression": (
                            "attribute_exists(id) AND attribute_not_exists(deleted)"
                        ),
                        "ExpressionAttributeNames": {"#text": "message"},
                        "ExpressionAttributeValues": {
                            ":true": {"BOOL": True},
                            **({":by": _s(by)} if by is not None else {}),
                        },
                    }
                },
                {"Put": {"TableName": self._table, "Item": change}},
            ],
        )
        # Refused: deleted a moment ago (or expired); the seq taken stays a gap, as a failed
        # store's does.
        return deletion if refused is None else None

    @busy_when_throttled
    def record(
        self, room_id: str, action: str, by: str, target: str, details: dict[str, str]
    ) -> ModerationRecord:
        seq, expires_at_s = self._next_seq(room_id)
        record = ModerationRecord(
            room_id=room_id,
            seq=seq,
            action=action,
            by=by,
            target=target,
            details=dict(details),
        )
        self._client.put_item(
            TableName=self._table,
            Item={
                "roomId": _s(room_id),
                "seq": _n(record.seq),
                "kind": _s(_MODERATION),
                "action": _s(action),
                "by": _s(by),
                "target": _s(target),
                "details": {"M": {name: _s(value) for name, value in details.items()}},
                "expiresAt": _n(expires_at_s),
            },
        )
        return record

    @busy_when_throttled
    def last_seq(self, room_id: str) -> int:
        # A Query, not a GetItem, of the counter: the one read enter-room may make of the table.
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="roomId = :room AND seq = :counter",
            ExpressionAttributeValues={":room": _s(room_id), ":counter": _n(_COUNTER_SEQ)},
            ProjectionExpression="lastSeq",
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return (_int(items[0], "lastSeq") or 0) if items else 0

    def _page(
        self, room_id: str, after_seq: int, limit: int, *, forward: bool
    ) -> list[TimelineEntry]:
        return [
            _entry(item) for item in self._query_page(room_id, after_seq, limit, forward=forward)
        ]

    def _query_page(
        self, partition: str, after_seq: int, limit: int, *, forward: bool
    ) -> list[Item]:
        now_s = int(time.time())
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="roomId = :room AND seq > :after",
            ExpressionAttributeValues={":room": _s(partition), ":after": _n(after_seq)},
            ScanIndexForward=forward,
            Limit=limit,
        )
        return [item for item in response.get("Items", []) if _alive(item, now_s)]


def _sender(connection_id: str, item: Item) -> Sender:
    """The connection item as ``claim_send`` read it. One that entered its room before senders
    were recorded has no ``senderId``: it is its connection's sender, as a keyless client is."""
    return Sender(
        room_id=_str(item, "roomId") or "",
        username=_str(item, "username") or "",
        sender_id=_str(item, "senderId") or identity.connection_sender_id(connection_id),
        guest=_bool(item, "guest"),
        muted_in=_str(item, "mutedIn"),
        muted_until_ms=_int(item, "mutedUntil") or 0,
        blocked_by=frozenset(item.get("blockedBy", {}).get("SS", ())),
    )


def _marker_partition(draft: MessageDraft) -> str:
    """The key of a ``clientMessageId`` marker: per room and sender, so a resend of the same
    sender (from any of its connections) is found, and another sender's same id is not. Room ids
    and sender ids hold no ``#``; the room comes first (``_stored`` reads it back)."""
    return f"{draft.room_id}#{draft.sender_id}#{draft.client_message_id}"


def _changes_partition(room_id: str) -> str:
    """The partition of the room's changes: room ids hold no ``#``, so no room has this id."""
    return f"{room_id}#changes"


def _entry(item: Item) -> TimelineEntry:
    """An item of a room's timeline: a message, or a moderator's action."""
    if _str(item, "kind") != _MODERATION:
        return _message(item)
    return ModerationRecord(
        room_id=_str(item, "roomId") or "",
        seq=_int(item, "seq") or 0,
        action=_str(item, "action") or "",
        by=_str(item, "by") or "",
        target=_str(item, "target") or "",
        details={
            name: value.get("S", "") for name, value in item.get("details", {}).get("M", {}).items()
        },
    )


def _deletion(room_id: str, item: Item) -> Deletion:
    return Deletion(
        room_id=room_id,
        seq=_int(item, "seq") or 0,
        target_seq=_int(item, "targetSeq") or 0,
        by=_str(item, "by"),
    )


def _message(item: Item) -> Message:
    sender_connection_id = _str(item, "senderConnectionId") or ""
    return Message(
        id=_str(item, "id") or "",
        room_id=_str(item, "roomId") or "",
        seq=_int(item, "seq") or 0,
        text=_str(item, "message") or "",
        username=_str(item, "username") or "",
        sender_connection_id=sender_connection_id,
        # Stored before senders were: the sender of its connection.
        sender_id=_str(item, "senderId") or identity.connection_sender_id(sender_connection_id),
        sent_at=_str(item, "sentAt") or "",
        client_message_id=_str(item, "clientMessageId"),
        guest=_bool(item, "guest"),
        deleted=_bool(item, "deleted"),
        deleted_by=_str(item, "deletedBy"),
    )
