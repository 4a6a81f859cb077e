"""Private rooms: rooms only their members can enter, and the invites that make members.

A private room's id is the server's (``~`` and 22 URL-safe characters, 128 random bits): the URL
alone lets nobody in. Its creator owns it. A signed-in user becomes a member by entering with a
live invite code (unguessable, expiring, revocable: a row the owner can delete, where a signed
token could only be revoked through a list of revoked ones), or by the owner adding their handle.

Whoever is not a member learns nothing of the room: the answer to any request about it is the
same ``not_invited`` whether the room exists or not, given before anything of it is read.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from serverless_chat import limits
from serverless_chat.domain import protocol
from serverless_chat.domain.errors import ChatError, ErrorCode
from serverless_chat.domain.handles import holder_of
from serverless_chat.domain.model import Invite, Role, SignedInUser
from serverless_chat.domain.ports import HandleRegistry, RoomStore

PRIVATE_PREFIX = "~"
_ROOM_ID_BYTES = 16  # 128 bits, 22 base64url characters
_INVITE_CODE_BYTES = 16


def is_private(room_id: str) -> bool:
    return room_id.startswith(PRIVATE_PREFIX)


def not_invited(room_id: str) -> ChatError:
    """The one answer to anyone who is not a member, whatever the reason."""
    return ChatError(
        ErrorCode.NOT_INVITED,
        f"Room {room_id} is private: only its members enter it. Ask a member for an invite.",
    )


@dataclass
class PrivateRooms:
    """The private rooms' use cases, for a signed-in user; each action returns the frame
    answered to the caller."""

    rooms: RoomStore
    handles: HandleRegistry
    clock: Callable[[], float]

    def check_entry(self, room_id: str, user: SignedInUser, invite: str | None) -> int:
        """Let a member in, or a user with a live invite (made a member now); ``not_invited``
        for anyone else. Until when the member is muted (epoch seconds; 0: not muted)."""
        member = self.rooms.member(room_id, user.user_id)
        if member is not None:
            return member.muted_until_s
        if invite is None or not self.rooms.redeem(room_id, invite, user, self._now()):
            raise not_invited(room_id)
        return 0

    def create_room(self, owner: SignedInUser, _: protocol.Frame) -> protocol.Frame:
        room_id = PRIVATE_PREFIX + secrets.token_urlsafe(_ROOM_ID_BYTES)
        if not self.rooms.create(room_id, owner, self._now(), limits.MAX_OWNED_ROOMS):
            raise ChatError(
                ErrorCode.TOO_MANY_ROOMS,
                f"You own {limits.MAX_OWNED_ROOMS} private rooms, the most one user may.",
            )
        return {"type": "room_created", "roomId": room_id}

    def list_rooms(self, user: SignedInUser, _: protocol.Frame) -> protocol.Frame:
        rooms = self.rooms.rooms_of(user.user_id)
        rooms.sort(key=lambda room: room.joined_at_s, reverse=True)
        return {
            "type": "rooms",
            "rooms": [{"roomId": room.room_id, "role": room.role.value} for room in rooms],
        }

    def create_invite(self, user: SignedInUser, frame: protocol.Frame) -> protocol.Frame:
        room_id = self._owned_room(user, frame)
        lifetime = protocol.parse_invite_lifetime(frame)
        now = self._now()
        invite = Invite(secrets.token_urlsafe(_INVITE_CODE_BYTES), now + lifetime)
        if not self.rooms.create_invite(
            room_id, invite, user.user_id, now_s=now, max_live=limits.MAX_INVITES_PER_ROOM
        ):
            raise ChatError(
                ErrorCode.TOO_MANY_INVITES,
                f"Room {room_id} has {limits.MAX_INVITES_PER_ROOM} live invites, the most a "
                "room may; revoke one first.",
            )
        return {
            "type": "invite",
            "roomId": room_id,
            "code": invite.code,
            "expiresAt": protocol.iso_utc(invite.expires_at_s),
        }

    def list_invites(self, user: SignedInUser, frame: protocol.Frame) -> protocol.Frame:
        return self._invites_frame(self._owned_room(user, frame))

    def revoke_invite(self, user: SignedInUser, frame: protocol.Frame) -> protocol.Frame:
        room_id = self._owned_room(user, frame)
        self.rooms.revoke(room_id, protocol.parse_invite_code(frame.get("code")))
        return self._invites_frame(room_id)

    def add_member(self, user: SignedInUser, frame: protocol.Frame) -> protocol.Frame:
        room_id = self._owned_room(user, frame)
        holder, handle = holder_of(self.handles, frame)
        self.rooms.add_member(room_id, holder, handle, self._now())
        return {"type": "member_added", "roomId": room_id, "handle": handle}

    def _owned_room(self, user: SignedInUser, frame: protocol.Frame) -> str:
        """The frame's private room, when ``user`` owns it: ``not_invited`` for a non-member,
        as for an entry, and ``not_room_owner`` for a member."""
        room_id = protocol.parse_private_room_id(frame)
        member = self.rooms.member(room_id, user.user_id)
        if member is None:
            raise not_invited(room_id)
        if member.role is not Role.OWNER:
            raise ChatError(
                ErrorCode.NOT_ROOM_OWNER, f"Only the owner of room {room_id} may do this."
            )
        return room_id

    def _invites_frame(self, room_id: str) -> protocol.Frame:
        invites = sorted(self.rooms.invites(room_id, self._now()), key=lambda i: i.expires_at_s)
        return {
            "type": "invites",
            "roomId": room_id,
            "invites": [
                {"code": i.code, "expiresAt": protocol.iso_utc(i.expires_at_s)} for i in invites
            ],
        }

    def _now(self) -> int:
        return int(self.clock())
