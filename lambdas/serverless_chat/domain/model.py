"""What the chat is made of: connections in rooms, and the messages of a room."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class SignedInUser:
    """Who the ``$connect`` authorizer verified a connection's token for: the user id (the
    token's ``sub``), the handle the chat holds for it, and when the token expires (epoch
    seconds). Every event of the connection carries it; no frame can."""

    user_id: str
    handle: str
    token_expires_at_s: int


@dataclass(frozen=True)
class Blocks:
    """Whom a signed-in user blocks (user ids), and who blocks them (the comparison keys of
    their handles, as the room's member names show them)."""

    blocked: frozenset[str] = frozenset()
    blocked_by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Member:
    """A connection that has entered a room, under the name it chose. ``guest``: marked as a
    guest, beside signed-in users (``auth_mode`` optional)."""

    connection_id: str
    username: str
    guest: bool = False


@dataclass(frozen=True)
class Sender:
    """A connection allowed to send a message, with the room and name the server holds for it,
    and who is sending from it (``domain.identity``: the same across a browser's connections)."""

    room_id: str
    username: str
    sender_id: str
    guest: bool = False
    # Muted by a moderator in room ``muted_in`` until ``muted_until_ms`` (epoch ms)
    muted_in: str | None = None
    muted_until_ms: int = 0
    # The comparison keys of the handles of the users who block this one (domain.blocks)
    blocked_by: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Membership:
    """Where a connection stood before it entered a room: both are None on its first entry."""

    room_id: str | None
    username: str | None


@dataclass(frozen=True)
class NewConnection:
    connection_id: str
    connected_at_ms: int
    source_ip: str | None
    user_agent: str | None
    user: SignedInUser | None = None  # None: a guest
    guest: bool = False  # a guest marked as one (beside signed-in users)


@dataclass(frozen=True)
class MessageDraft:
    """A message accepted from a sender, before the room gave it a place in its order."""

    room_id: str
    text: str
    username: str
    sender_connection_id: str
    sender_id: str  # who sent it (domain.identity), never in a frame
    sent_at: str
    client_message_id: str | None
    guest: bool = False  # sent by a guest marked as one


@dataclass(frozen=True)
class Message:
    """A stored message: ``seq`` is its place in the room's order, unique and increasing."""

    id: str
    room_id: str
    seq: int
    text: str
    username: str
    sender_connection_id: str
    sender_id: str  # who sent it (domain.identity), never in a frame
    sent_at: str
    client_message_id: str | None
    guest: bool = False  # sent by a guest marked as one
    deleted: bool = False  # its text is gone from the table (``text`` is empty)
    deleted_by: str | None = None  # the handle of a moderator who removed someone else's


@dataclass(frozen=True)
class ModerationRecord:
    """A moderator's action, kept in the room in its place among the messages: ``action`` as the
    ``moderation`` frame names it, ``by`` and ``target`` handles, ``details`` its own fields
    (``role``, ``until``)."""

    room_id: str
    seq: int
    action: str
    by: str
    target: str
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Deletion:
    """A message deleted: ``seq`` is the deletion's own place in the room's order, ``target_seq``
    the message's; ``by`` the handle of a moderator who removed someone else's message."""

    room_id: str
    seq: int
    target_seq: int
    by: str | None = None


# What a room's history is made of, in seq order: its messages and its moderators' actions.
type TimelineEntry = Message | ModerationRecord
# What a page that missed seqs after N is sent again: the timeline's entries, and the deletions.
type RoomEntry = Message | ModerationRecord | Deletion


class Role(StrEnum):
    """A member's role in a private room."""

    OWNER = "owner"
    MODERATOR = "moderator"
    MEMBER = "member"

    @property
    def rank(self) -> int:
        """Who may moderate whom: a higher rank acts on a lower one."""
        return (Role.MEMBER, Role.MODERATOR, Role.OWNER).index(self)


@dataclass(frozen=True)
class Invite:
    """A live invite code of a private room, and when it expires (epoch seconds)."""

    code: str
    expires_at_s: int


@dataclass(frozen=True)
class RoomMember:
    """A member of a private room: their role, and until when they are muted (epoch seconds;
    0: not muted)."""

    user_id: str
    handle: str
    role: Role
    muted_until_s: int = 0


@dataclass(frozen=True)
class RoomOfUser:
    """A private room a user is a member of, their role in it, and when they joined."""

    room_id: str
    role: Role
    joined_at_s: int
