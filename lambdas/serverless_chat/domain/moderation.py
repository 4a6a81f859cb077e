"""Moderation of a private room by its owner and moderators: roles, mutes, removals, hand-overs.

A higher role acts on a lower one (owner > moderator > member), never on itself. Each action is
kept in the room under its next seq, among the messages, and told to every member in the room at
once, the actor included wherever they are, as a ``moderation`` frame ("ada muted grace until
12:10"): whoever enters later, or comes back after missing it, finds it in the room's history.
A public room has no owner (README, Private rooms): moderation needs members who are who they
say, and a room nobody can enter uninvited.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from serverless_chat import limits
from serverless_chat.domain import names, protocol
from serverless_chat.domain.errors import ChatError, ErrorCode
from serverless_chat.domain.model import Role, RoomMember, SignedInUser
from serverless_chat.domain.ports import (
    ConnectionStore,
    HandleRegistry,
    MessageStore,
    Outbox,
    RoomStore,
)
from serverless_chat.domain.private_rooms import not_invited


@dataclass(frozen=True)
class _Act:
    """Who acts on whom, in which room."""

    room_id: str
    actor: RoomMember
    target: RoomMember


@dataclass(frozen=True)
class Moderated:
    """The connections found gone while telling the room."""

    gone: list[str]


@dataclass
class Moderation:
    rooms: RoomStore
    handles: HandleRegistry
    connections: ConnectionStore
    messages: MessageStore
    outbox: Outbox
    clock: Callable[[], float]

    def set_role(self, connection_id: str, user: SignedInUser, frame: protocol.Frame) -> Moderated:
        act = self._parties(user, frame, owner_only=True)
        role = Role(protocol.parse_role(frame))
        self.rooms.set_role(act.room_id, act.target.user_id, role)
        return self._tell(connection_id, act, "role_changed", {"role": role.value})

    def hand_over(self, connection_id: str, user: SignedInUser, frame: protocol.Frame) -> Moderated:
        act = self._parties(user, frame, owner_only=True)
        heir = act.target
        if not self.rooms.hand_over(
            act.room_id, act.actor.user_id, heir.user_id, limits.MAX_OWNED_ROOMS
        ):
            raise ChatError(
                ErrorCode.TOO_MANY_ROOMS,
                f"{heir.handle} owns {limits.MAX_OWNED_ROOMS} private rooms, the most one user "
                "may; nothing changed.",
            )
        return self._tell(connection_id, act, "handed_over")

    def mute(self, connection_id: str, user: SignedInUser, frame: protocol.Frame) -> Moderated:
        act = self._parties(user, frame, owner_only=False)
        seconds = protocol.parse_mute_seconds(frame)
        until_s = int(self.clock()) + seconds if seconds else 0
        self.rooms.mute(act.room_id, act.target.user_id, until_s)
        for theirs in self._connections_of(act):
            self.connections.mute(theirs, act.room_id, until_s * 1000)
        if not seconds:
            return self._tell(connection_id, act, "unmuted")
        return self._tell(connection_id, act, "muted", {"until": protocol.iso_utc(until_s)})

    def remove(self, connection_id: str, user: SignedInUser, frame: protocol.Frame) -> Moderated:
        """Revoke the membership first (no entry after), then tell and close the member's
        sockets in the room; their ``$disconnect``s tell the room they left."""
        act = self._parties(user, frame, owner_only=False)
        self.rooms.remove_member(act.room_id, act.target.user_id)
        theirs = self._connections_of(act)
        removed = protocol.encode(
            {"type": "removed", "roomId": act.room_id, "by": act.actor.handle}
        )
        gone = self.outbox.send([(c, removed) for c in theirs])
        for closing in theirs:
            if closing not in gone:
                self.outbox.close(closing)
        told = self._tell(connection_id, act, "removed", skip=theirs)
        return Moderated(gone=gone + told.gone)

    def _parties(self, user: SignedInUser, frame: protocol.Frame, *, owner_only: bool) -> _Act:
        """The room, the actor and the target, when the actor may act on the target: a
        non-member gets ``not_invited``, as for an entry."""
        room_id = protocol.parse_private_room_id(frame)
        actor = self.rooms.member(room_id, user.user_id)
        if actor is None:
            raise not_invited(room_id)
        if owner_only and actor.role is not Role.OWNER:
            raise ChatError(
                ErrorCode.NOT_ROOM_OWNER, f"Only the owner of room {room_id} may do this."
            )
        if actor.role is Role.MEMBER:
            raise ChatError(
                ErrorCode.NOT_MODERATOR,
                f"Only the owner and the moderators of room {room_id} may do this.",
            )
        handle = protocol.parse_handle(frame)
        holder = self.handles.holder(names.comparison_key(handle))
        target = self.rooms.member(room_id, holder) if holder is not None else None
        if target is None:
            raise ChatError(ErrorCode.NOT_A_MEMBER, f"{handle!r} is not a member of this room.")
        if target.user_id == actor.user_id or target.role.rank >= actor.role.rank:
            raise ChatError(
                ErrorCode.CANNOT_MODERATE,
                f"A {actor.role.value} cannot do this to "
                + ("themselves." if target.user_id == actor.user_id else f"a {target.role.value}."),
            )
        return _Act(room_id, actor, target)

    def _connections_of(self, act: _Act) -> list[str]:
        """The target's connections in the room (a private room's names are handles, one per
        comparison key)."""
        key = names.comparison_key(act.target.handle)
        return [
            m.connection_id
            for m in self.connections.members(act.room_id)
            if names.comparison_key(m.username) == key
        ]

    def _tell(
        self,
        connection_id: str,
        act: _Act,
        action: str,
        details: dict[str, str] | None = None,
        *,
        skip: Sequence[str] = (),
    ) -> Moderated:
        record = self.messages.record(
            act.room_id, action, act.actor.handle, act.target.handle, details or {}
        )
        recipients = [c for c in self.connections.recipients(act.room_id) if c not in skip]
        if connection_id not in recipients:
            recipients.append(connection_id)  # acting from another room, or the index lags
        encoded = protocol.encode(protocol.moderation_frame(record))
        return Moderated(gone=self.outbox.send([(c, encoded) for c in recipients]))
