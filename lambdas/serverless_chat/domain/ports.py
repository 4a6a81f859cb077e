"""What the chat needs from the outside world, as interfaces the adapters implement."""

from collections.abc import Sequence
from typing import Protocol

from serverless_chat.domain.admission import CAPS_OFF, AddressCaps
from serverless_chat.domain.model import (
    Blocks,
    Deletion,
    Invite,
    Member,
    Membership,
    Message,
    MessageDraft,
    ModerationRecord,
    NewConnection,
    Role,
    RoomEntry,
    RoomMember,
    RoomOfUser,
    Sender,
    SignedInUser,
    TimelineEntry,
)
from serverless_chat.domain.rate_limit import RateLimit


class NotConnectedError(Exception):
    """The connection is unknown: it closed, expired, or never registered."""


class NotInRoomError(Exception):
    """The connection has entered no room yet."""


class RateLimitedError(Exception):
    """The connection goes faster than a rate limit allows: ``limit`` (when known) is the one,
    and ``retry_after_ms`` says when its bucket takes a token again."""

    def __init__(
        self,
        connection_id: str,
        retry_after_ms: int | None = None,
        limit: RateLimit | None = None,
    ) -> None:
        super().__init__(connection_id)
        self.retry_after_ms = retry_after_ms
        self.limit = limit


class StoreBusyError(Exception):
    """The store is throttling or unavailable; the request did nothing and may be retried."""


class DuplicateMessageError(Exception):
    """A message with this ``clientMessageId`` of this sender is already stored in the room."""

    def __init__(self, original: Message) -> None:
        super().__init__(f"message {original.id} was already stored")
        self.original = original


class AddressFullError(Exception):
    """The connection's source address already holds its cap of connections."""


class AddressTooFastError(Exception):
    """The connection's source address opened its cap of connections in the last minute."""


class ConnectionStore(Protocol):
    def register(
        self,
        connection: NewConnection,
        *,
        address: str | None = None,
        caps: AddressCaps = CAPS_OFF,
    ) -> None:
        """Record the connection; with an ``address`` and ``caps`` on, first take its place
        under them (``AddressFullError``, ``AddressTooFastError``), counted from live
        connections only, so a ``$disconnect`` that never came frees its place by itself."""
        ...

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
        """Put the connection in the room under ``username`` (or keep its name, or take the
        default), sending as ``sender_id`` from now on: return where it stood before and the
        name it has now. A rename or a move
        (not a first entry) takes one token of ``room_changes``, any other entry one of
        ``replies``. Raises ``NotConnectedError`` or ``RateLimitedError``."""
        ...

    def undo_entry(self, connection_id: str, room_id: str, before: Membership) -> None:
        """Put the connection back where ``before`` says, unless it has left ``room_id`` since
        (a later entry, or gone)."""
        ...

    def admit(self, room_id: str, connection_id: str, member_limit: int) -> bool:
        """Take one of the room's ``member_limit`` places for the connection: False when the
        room is full. The count can only err high (a missed ``$disconnect``); when it says
        full, the room's members are counted again and the count repaired."""
        ...

    def reserve_name(
        self, room_id: str, key: str, sender_id: str, now_ms: int, *, in_use: bool
    ) -> bool:
        """Hold the name ``key`` (a comparison key) in the room for ``sender_id``: True when it
        holds it now. Held by another sender, it is taken over only when not ``in_use`` (no other
        member of the room has a name of this key) and not taken a moment ago (the room index
        lags)."""
        ...

    def release(self, room_id: str, places: int = 1) -> None:
        """Give back places of members who left the room."""
        ...

    def claim_reply(self, connection_id: str, now_ms: int, replies: RateLimit) -> None:
        """Take one token of the connection's ``replies`` bucket, for a frame answered to it
        alone. Raises ``NotConnectedError`` or ``RateLimitedError``."""
        ...

    def claim_send(self, connection_id: str, now_ms: int, rate_limit: RateLimit) -> Sender:
        """Take one message from the connection's bucket and return the sender as it stands in
        its room, with the sender id its last entry gave it. Raises ``NotConnectedError``,
        ``NotInRoomError`` or ``RateLimitedError``."""
        ...

    def claim_typing(self, connection_id: str, now_ms: int, typing: RateLimit) -> Sender:
        """Take one from the connection's typing bucket (its own, apart from the messages')
        and return the sender as it stands in its room. Raises ``NotConnectedError``,
        ``NotInRoomError`` or ``RateLimitedError``."""
        ...

    def count_refusal(self, connection_id: str, now_ms: int, refusals: RateLimit) -> bool:
        """Count one refused frame of the connection in its ``refusals`` bucket: True when the
        bucket is full (the connection should be closed), False otherwise or when it is gone."""
        ...

    def remove(self, connection_id: str) -> Membership | None:
        """Delete the connection; return what it was, or None when it was already gone."""
        ...

    def members(self, room_id: str) -> list[Member]: ...

    def recipients(self, room_id: str) -> list[str]:
        """The connection ids of the room's members: who a frame goes to."""
        ...

    def mute(self, connection_id: str, room_id: str, until_ms: int) -> None:
        """The connection's messages in ``room_id`` are refused until ``until_ms`` (0: no
        longer); a connection that is gone is left alone."""
        ...

    def blocked_by(self, connection_id: str, keys: frozenset[str], *, add: bool) -> None:
        """Add the handle keys of blockers to the connection's (or take them away): its
        messages are not sent to members of those names. A connection gone is left alone."""
        ...

    def of_user(self, user_id: str) -> list[str]:
        """The connection ids of the signed-in user's connections (an index: it lags a
        moment behind the table)."""
        ...


class HandleRegistry(Protocol):
    def holder(self, key: str) -> str | None:
        """The user id holding the handle of comparison key ``key``, or None."""
        ...

    def blocks_of(self, user_id: str) -> Blocks:
        """Whom the user blocks and who blocks them (nobody, for a user never signed in)."""
        ...

    def block(self, blocker_id: str, blocker_key: str, blocked_id: str, max_blocked: int) -> bool:
        """Record that ``blocker_id`` (whose handle's key is ``blocker_key``) blocks
        ``blocked_id``, on both users, in one transaction; False (nothing written) when the
        blocker already blocks ``max_blocked`` users."""
        ...

    def handles_of(self, user_ids: frozenset[str]) -> list[str]:
        """The handles of those users (a user without one is left out)."""
        ...

    def unblock(self, blocker_id: str, blocker_key: str, blocked_id: str) -> None:
        """Undo ``block`` (nothing to undo is no error)."""
        ...

    def record_sign_out(self, user_id: str, at: int) -> bool:
        """Refuse the user's tokens issued at or before ``at`` (epoch seconds) from now on;
        False for a user who never signed in."""
        ...


class RoomStore(Protocol):
    """The private rooms, their members and their invites."""

    def create(self, room_id: str, owner: SignedInUser, now_s: int, max_owned: int) -> bool:
        """Record the room, owned by ``owner``, its first member; False (nothing written) when
        the owner already owns ``max_owned`` rooms."""
        ...

    def member(self, room_id: str, user_id: str) -> RoomMember | None:
        """The user as a member of the room; None when not a member, or when there is no such
        room."""
        ...

    def set_role(self, room_id: str, user_id: str, role: Role) -> None:
        """The member's role (moderator or member; ``hand_over`` makes an owner)."""
        ...

    def remove_member(self, room_id: str, user_id: str) -> None:
        """The user is a member no more (a live invite makes them one again)."""
        ...

    def mute(self, room_id: str, user_id: str, until_s: int) -> None:
        """The member is muted until ``until_s`` (epoch seconds; 0 unmutes)."""
        ...

    def hand_over(self, room_id: str, owner_id: str, heir_id: str, max_owned: int) -> bool:
        """``heir_id`` owns the room and ``owner_id`` is a moderator, in one transaction; False
        (nothing written) when the heir already owns ``max_owned`` rooms."""
        ...

    def add_member(self, room_id: str, user_id: str, handle: str, now_s: int) -> None:
        """Make the user a member (a member already stays as they are)."""
        ...

    def redeem(self, room_id: str, code: str, user: SignedInUser, now_s: int) -> bool:
        """Make the user a member when ``code`` is a live invite of the room, in one
        transaction with that check; False, and nothing written, when it is not."""
        ...

    def create_invite(
        self, room_id: str, invite: Invite, creator_id: str, *, now_s: int, max_live: int
    ) -> bool:
        """Record the invite; False (nothing written) when the room has ``max_live`` live
        ones."""
        ...

    def invites(self, room_id: str, now_s: int) -> list[Invite]:
        """The room's live invites."""
        ...

    def revoke(self, room_id: str, code: str) -> None:
        """Forget the room's invite ``code`` (another room's code is left alone)."""
        ...

    def rooms_of(self, user_id: str) -> list[RoomOfUser]:
        """The private rooms the user is a member of."""
        ...


class MessageStore(Protocol):
    def append(self, draft: MessageDraft) -> Message:
        """Give the draft the room's next seq and store it. Raises ``DuplicateMessageError``
        when its sender stored one with its ``clientMessageId`` in the room before."""
        ...

    def latest(self, room_id: str, limit: int) -> list[TimelineEntry]:
        """The room's last ``limit`` messages and moderation records, in their current state,
        oldest first."""
        ...

    def after(self, room_id: str, after_seq: int, limit: int) -> list[RoomEntry]:
        """Up to ``limit`` entries after ``after_seq``, oldest first: messages (in their current
        state), moderation records and deletions, each seq once."""
        ...

    def before(self, room_id: str, before_seq: int, limit: int) -> list[TimelineEntry]:
        """Up to ``limit`` messages and moderation records before ``before_seq``, the newest of
        them, oldest first."""
        ...

    def message(self, room_id: str, seq: int) -> Message | None:
        """The room's message of ``seq`` (deleted or not), read consistently; None when no
        message of the room has that seq (a change's, one expired, or beyond the room)."""
        ...

    def delete(self, message: Message, by: str | None) -> Deletion | None:
        """Remove the message's text, and store the deletion under the room's next seq, in one
        transaction; None, and nothing written, when it was deleted already (a concurrent
        deletion took the seq)."""
        ...

    def record(
        self, room_id: str, action: str, by: str, target: str, details: dict[str, str]
    ) -> ModerationRecord:
        """Store a moderator's action under the room's next seq, among its messages."""
        ...

    def last_seq(self, room_id: str) -> int:
        """The seq of the room's last message, 0 before its first; read consistently, so a seq
        a member has been sent is never beyond it."""
        ...


class Outbox(Protocol):
    def send(self, posts: Sequence[tuple[str, bytes]]) -> list[str]:
        """Post each frame to its connection, concurrently; return the connections found gone.

        A failing recipient never stops delivery to the others."""
        ...

    def close(self, connection_id: str) -> None:
        """Close the connection (API Gateway then runs ``$disconnect``); gone already is fine."""
        ...


class Telemetry(Protocol):
    def in_room(self, room_id: str) -> None: ...

    def message_sent(self, recipients: int) -> None: ...

    def stale_connections_removed(self, count: int) -> None: ...

    def refused(self, code: str) -> None: ...

    def closed_for_refusals(self) -> None: ...
