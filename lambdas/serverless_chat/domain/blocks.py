"""Blocking: a signed-in user stops receiving another signed-in user's messages.

Filtered by the chat, not hidden by the page: whom a user blocks is recorded on both users
(``HandleRegistry.block``), and the blocked user's connections carry the handle keys of those
who block them (``Sender.blocked_by``), so the fan-out of their message leaves out the members of
those names, with no read beyond the one the send already makes. The blocked user is not told.
"""

from collections.abc import Callable
from dataclasses import dataclass

from serverless_chat import limits
from serverless_chat.domain import names, protocol
from serverless_chat.domain.errors import ChatError, ErrorCode
from serverless_chat.domain.handles import holder_of
from serverless_chat.domain.model import Member, SignedInUser
from serverless_chat.domain.ports import ConnectionStore, HandleRegistry


@dataclass
class Blocking:
    handles: HandleRegistry
    connections: ConnectionStore
    clock: Callable[[], float]

    def block(self, user: SignedInUser, frame: protocol.Frame) -> protocol.Frame:
        blocked_id, handle = self._other(user, frame)
        key = names.comparison_key(user.handle)
        if not self.handles.block(user.user_id, key, blocked_id, limits.MAX_BLOCKED_USERS):
            raise ChatError(
                ErrorCode.TOO_MANY_BLOCKS,
                f"You block {limits.MAX_BLOCKED_USERS} users, the most one may; unblock one first.",
            )
        for theirs in self.connections.of_user(blocked_id):
            self.connections.blocked_by(theirs, frozenset({key}), add=True)
        return {"type": "blocked", "handle": handle}

    def unblock(self, user: SignedInUser, frame: protocol.Frame) -> protocol.Frame:
        blocked_id, handle = self._other(user, frame)
        key = names.comparison_key(user.handle)
        self.handles.unblock(user.user_id, key, blocked_id)
        for theirs in self.connections.of_user(blocked_id):
            self.connections.blocked_by(theirs, frozenset({key}), add=False)
        return {"type": "unblocked", "handle": handle}

    def list_blocks(self, user: SignedInUser, _: protocol.Frame) -> protocol.Frame:
        handles = self.handles.handles_of(self.handles.blocks_of(user.user_id).blocked)
        return {"type": "blocks", "handles": sorted(handles, key=str.casefold)}

    def _other(self, user: SignedInUser, frame: protocol.Frame) -> tuple[str, str]:
        holder, handle = holder_of(self.handles, frame)
        if holder == user.user_id:
            raise ChatError(ErrorCode.CANNOT_BLOCK, "You cannot block yourself.")
        return holder, handle


def not_blocking(members: list[Member], blocked_by: frozenset[str]) -> list[str]:
    """The connection ids of the members who do not block the sender (a signed-in member's name
    is its handle; a guest's never looks like one)."""
    return [
        m.connection_id
        for m in members
        if m.guest or names.comparison_key(m.username) not in blocked_by
    ]
