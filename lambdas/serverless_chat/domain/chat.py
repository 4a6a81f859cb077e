"""The chat's use cases: connect, enter a room, send and delete messages, answer pings, sign
out, disconnect.

Every reply and error goes to the caller through the outbox, one path for all of them.
"""

import contextlib
import dataclasses
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from serverless_chat import contract, limits
from serverless_chat.domain import identity, names, protocol
from serverless_chat.domain.admission import CAPS_OFF, AddressCaps, Admission, address_of
from serverless_chat.domain.blocks import Blocking, not_blocking
from serverless_chat.domain.errors import ChatError, ErrorCode
from serverless_chat.domain.identity import AuthMode
from serverless_chat.domain.model import (
    Blocks,
    Member,
    Membership,
    Message,
    MessageDraft,
    NewConnection,
    Role,
    RoomEntry,
    Sender,
    SignedInUser,
)
from serverless_chat.domain.moderation import Moderation
from serverless_chat.domain.ports import (
    AddressFullError,
    AddressTooFastError,
    ConnectionStore,
    DuplicateMessageError,
    HandleRegistry,
    MessageStore,
    NotConnectedError,
    NotInRoomError,
    Outbox,
    RateLimitedError,
    RoomStore,
    StoreBusyError,
    Telemetry,
)
from serverless_chat.domain.private_rooms import PrivateRooms, is_private, not_invited
from serverless_chat.domain.rate_limit import RateLimit
from serverless_chat.domain.sign_out import SignOut

_NOT_CONNECTED = ChatError(
    ErrorCode.NOT_CONNECTED, "This connection is no longer registered; reconnect."
)
_NOT_IN_ROOM = ChatError(
    ErrorCode.NOT_IN_ROOM, "Enter a room (on-enter-room) before sending messages."
)
_BUSY = ChatError(ErrorCode.BUSY, "The chat is busy right now; nothing was sent. Try again.")
# Renames and moves tell the whole room: at most ROOM_CHANGE_BURST of them in any
# ROOM_CHANGE_INTERVAL_SECONDS (a bucket of that size, one token back per interval).
ROOM_CHANGES = RateLimit(
    per_second=1 / limits.ROOM_CHANGE_INTERVAL_SECONDS, burst=limits.ROOM_CHANGE_BURST
)
# Typing is forwarded at most once per TYPING_INTERVAL_SECONDS per connection, the rest dropped.
TYPING = RateLimit(per_second=1 / limits.TYPING_INTERVAL_SECONDS, burst=1)


# Frames answered to their sender alone (ping, and entries that neither rename nor move: a
# join's answer, a re-entry, a page of history) still cost an invocation, a read of the room
# for an entry, and a post: at most REPLY_BURST at once, then one per REPLY_INTERVAL_SECONDS.
REPLIES = RateLimit(per_second=1 / limits.REPLY_INTERVAL_SECONDS, burst=limits.REPLY_BURST)


# A connection refused more than REFUSAL_BURST times, faster than one per
# REFUSAL_INTERVAL_SECONDS, is closed: each refused frame still costs an invocation and a post.
REFUSALS = RateLimit(per_second=1 / limits.REFUSAL_INTERVAL_SECONDS, burst=limits.REFUSAL_BURST)
# Refusals that are not the client's doing: they never close it.
_NOT_THE_CLIENTS_DOING = frozenset({ErrorCode.BUSY, ErrorCode.NOT_CONNECTED})
_NOT_SIGNED_IN = ChatError(
    ErrorCode.NOT_SIGNED_IN,
    "This connection is a guest's: there is no sign-in to end; nothing was done.",
)
_GUESTS_HAVE_NO_ROOMS = ChatError(
    ErrorCode.NOT_SIGNED_IN, "Sign in to have private rooms; nothing was done."
)
# The private rooms' actions: those answered to the caller alone, and the moderators' (told to
# the whole room).
_ROOM_ACTIONS = {
    protocol.CREATE_ROOM: PrivateRooms.create_room,
    protocol.LIST_ROOMS: PrivateRooms.list_rooms,
    protocol.CREATE_INVITE: PrivateRooms.create_invite,
    protocol.LIST_INVITES: PrivateRooms.list_invites,
    protocol.REVOKE_INVITE: PrivateRooms.revoke_invite,
    protocol.ADD_MEMBER: PrivateRooms.add_member,
}
_MODERATION_ACTIONS = {
    protocol.SET_ROLE: Moderation.set_role,
    protocol.REMOVE_MEMBER: Moderation.remove,
    protocol.MUTE_MEMBER: Moderation.mute,
    protocol.HAND_OVER: Moderation.hand_over,
}
_GUESTS_CANNOT_BLOCK = ChatError(
    ErrorCode.NOT_SIGNED_IN, "Sign in to block someone; nothing was done."
)
_BLOCK_ACTIONS = {
    protocol.BLOCK_USER: Blocking.block,
    protocol.UNBLOCK_USER: Blocking.unblock,
    protocol.LIST_BLOCKS: Blocking.list_blocks,
}
_TOKEN_EXPIRED = ChatError(
    ErrorCode.TOKEN_EXPIRED,
    "Your sign-in has expired; nothing was done. Reconnect with a fresh token.",
)


@dataclass(frozen=True)
class ChatRules:
    room_member_limit: int
    rate_limit: RateLimit
    allowed_origins: frozenset[str] = frozenset()
    typing_room_size_limit: int = limits.DEFAULT_TYPING_ROOM_SIZE_LIMIT
    typing: RateLimit = TYPING
    room_changes: RateLimit = ROOM_CHANGES
    replies: RateLimit = REPLIES
    refusals: RateLimit = REFUSALS
    address_caps: AddressCaps = CAPS_OFF  # off unless the settings switch it on
    auth_mode: AuthMode = AuthMode.OFF

    @property
    def marks_guests(self) -> bool:
        """Guests are marked as such only beside signed-in users."""
        return self.auth_mode is AuthMode.OPTIONAL


@dataclass
class Chat:
    connections: ConnectionStore
    messages: MessageStore
    outbox: Outbox
    telemetry: Telemetry
    rules: ChatRules
    handles: HandleRegistry | None = None  # None: nobody signs in (auth_mode off)
    rooms: RoomStore | None = None  # None: no private rooms (a room beginning with ~ is shut)
    clock: Callable[[], float] = time.time
    rng: random.Random = field(default_factory=random.Random)

    # ------------------------------------------------------------ $connect / $disconnect

    def connect(self, connection: NewConnection, origin: str | None) -> Admission:
        """Register the connection, unless its browser origin is not allowed, its sign-in token
        expired (within the authorizer's leeway for clock skew), or its source address is over a
        cap (``rules.address_caps``)."""
        allowlist = self.rules.allowed_origins
        if origin is not None and allowlist and origin not in allowlist:
            return Admission.ORIGIN_NOT_ALLOWED
        if connection.user is not None and self._expired(connection.user):
            self.telemetry.refused(Admission.TOKEN_EXPIRED.value)
            return Admission.TOKEN_EXPIRED
        if connection.user is None and self.rules.marks_guests:
            connection = dataclasses.replace(connection, guest=True)
        admission = self._register(connection)
        if admission is not Admission.ADMITTED:
            self.telemetry.refused(admission.value)
        return admission

    def _register(self, connection: NewConnection) -> Admission:
        caps = self.rules.address_caps
        address = address_of(connection.source_ip) if caps.enabled else None
        try:
            self.connections.register(connection, address=address, caps=caps)
        except AddressFullError:
            return Admission.ADDRESS_FULL
        except AddressTooFastError:
            return Admission.ADDRESS_TOO_FAST
        return Admission.ADMITTED

    def disconnect(self, connection_id: str) -> None:
        """Forget the connection and tell its room, unless a cleanup got there first."""
        _, gone = self._remove_and_tell([connection_id])
        self._remove_stale(gone)

    # ------------------------------------------------------------ routes that reply

    # ``user``: who the connection's ``$connect`` authorizer verified (None: a guest). A frame
    # after its token's expiry is refused with ``token_expired`` before anything else, and the
    # connection closed: the page reconnects with a fresh token.

    def enter_room(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        self._replying_errors(connection_id, body, user, self._enter_room)

    def send_message(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        self._replying_errors(connection_id, body, user, self._send_message)

    def change_message(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        """``on-delete-message``: a change to one of the room's messages, under the room's next
        seq, told to every member."""
        self._replying_errors(connection_id, body, user, self._delete_message)

    def typing(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        """``on-typing``: the room's other members are told, at most once a
        ``TYPING_INTERVAL_SECONDS`` per connection; never stored."""
        self._replying_errors(connection_id, body, user, self._typing)

    def answer(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        """``$default``: a ping gets a pong; anything else, an error naming the problem."""
        self._replying_errors(connection_id, body, user, self._answer)

    def manage_rooms(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        """The private rooms' actions (``domain.private_rooms``), each answered to its caller
        alone, as a ping is, from the same budget."""
        self._replying_errors(connection_id, body, user, self._manage_rooms)

    def block_users(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        """``block-user``, ``unblock-user`` and ``list-blocks`` (``domain.blocks``), answered to
        the caller."""
        self._replying_errors(connection_id, body, user, self._block_users)

    def sign_out(
        self, connection_id: str, body: str | None, user: SignedInUser | None = None
    ) -> None:
        """``sign-out``: the user's tokens issued until now stop connecting, and every one of
        their connections is told and closed (``domain.sign_out``)."""
        self._replying_errors(connection_id, body, user, self._sign_out)

    def _replying_errors(
        self,
        connection_id: str,
        body: str | None,
        user: SignedInUser | None,
        handle: Callable[[str, protocol.Frame, SignedInUser | None], None],
    ) -> None:
        frame: protocol.Frame = {}
        if user is not None and self._expired(user):
            self._refuse(connection_id, _TOKEN_EXPIRED, frame)
            self.outbox.close(connection_id)
            return
        try:
            frame = protocol.parse_frame(body)
            handle(connection_id, frame, user)
        except StoreBusyError:
            self._refuse(connection_id, _BUSY, frame)
        except ChatError as error:
            self._refuse(connection_id, error, frame)

    def _refuse(self, connection_id: str, error: ChatError, frame: protocol.Frame) -> None:
        self.telemetry.refused(error.code.value)
        reply = protocol.error_frame(error, protocol.client_message_id_of(frame))
        self._deliver([(connection_id, protocol.encode(reply))])
        if error.code in _NOT_THE_CLIENTS_DOING or error.code is ErrorCode.TOKEN_EXPIRED:
            return
        self._count_refusal(connection_id)

    def _count_refusal(self, connection_id: str) -> None:
        """A refused frame (or a dropped one) taken from the connection's refusals bucket; a
        connection that fills it is flooding, and is closed."""
        try:
            flooding = self.connections.count_refusal(
                connection_id, int(self.clock() * 1000), self.rules.refusals
            )
        except StoreBusyError:
            return  # the frame was answered; counting it can wait for the next refusal
        if flooding:
            self.telemetry.closed_for_refusals()
            self.outbox.close(connection_id)

    def _expired(self, user: SignedInUser) -> bool:
        return self.clock() >= user.token_expires_at_s

    def _answer(self, connection_id: str, frame: protocol.Frame, _: SignedInUser | None) -> None:
        action = frame.get("action")
        if action != protocol.PING:
            *routed, last = contract.CLIENT_ACTIONS
            known = f"{', '.join(routed)} or {last}"
            if action is None:
                problem = "The frame has no action"
            elif isinstance(action, str):  # quoted short: the frame can be up to 32 KB
                problem = f"Unknown action {_shortened(action)!r}"
            else:
                problem = "The action must be a string"
            raise ChatError(ErrorCode.UNKNOWN_ACTION, f"{problem}; use {known}.")
        self._claim_reply(connection_id)
        self._deliver([(connection_id, protocol.encode(protocol.PONG))])

    def _manage_rooms(
        self, connection_id: str, frame: protocol.Frame, user: SignedInUser | None
    ) -> None:
        action = str(frame.get("action"))
        if action not in _ROOM_ACTIONS and action not in _MODERATION_ACTIONS:
            raise ChatError(ErrorCode.UNKNOWN_ACTION, "Not an action on private rooms.")
        if user is None or self.rooms is None or self.handles is None:
            raise _GUESTS_HAVE_NO_ROOMS
        self._claim_reply(connection_id)
        if action in _ROOM_ACTIONS:
            rooms = PrivateRooms(self.rooms, self.handles, self.clock)
            answer = _ROOM_ACTIONS[action](rooms, user, frame)
            self._deliver([(connection_id, protocol.encode(answer))])
            return
        moderation = Moderation(
            self.rooms, self.handles, self.connections, self.messages, self.outbox, self.clock
        )
        self._remove_stale(_MODERATION_ACTIONS[action](moderation, connection_id, user, frame).gone)

    def _block_users(
        self, connection_id: str, frame: protocol.Frame, user: SignedInUser | None
    ) -> None:
        action = _BLOCK_ACTIONS.get(str(frame.get("action")))
        if action is None:
            raise ChatError(ErrorCode.UNKNOWN_ACTION, "Not an action on blocks.")
        if user is None or self.handles is None:
            raise _GUESTS_CANNOT_BLOCK
        self._claim_reply(connection_id)
        answer = action(Blocking(self.handles, self.connections, self.clock), user, frame)
        self._deliver([(connection_id, protocol.encode(answer))])

    def _private_rooms(self, user: SignedInUser | None) -> PrivateRooms | None:
        """The private rooms' use cases, for a signed-in user (None for a guest)."""
        if user is None or self.rooms is None or self.handles is None:
            return None
        return PrivateRooms(self.rooms, self.handles, self.clock)

    def _claim_reply(self, connection_id: str) -> None:
        try:
            self.connections.claim_reply(
                connection_id, int(self.clock() * 1000), self.rules.replies
            )
        except NotConnectedError:
            raise _NOT_CONNECTED from None
        except RateLimitedError as limited:
            raise _too_many_replies(limited) from None

    def _sign_out(self, connection_id: str, _: protocol.Frame, user: SignedInUser | None) -> None:
        if user is None or self.handles is None:
            raise _NOT_SIGNED_IN
        sign_out = SignOut(self.handles, self.connections, self.outbox, self.clock)
        self._remove_stale(sign_out.everywhere(user.user_id, known=[connection_id]).gone)

    def _enter_room(
        self, connection_id: str, frame: protocol.Frame, user: SignedInUser | None
    ) -> None:
        request = protocol.parse_enter_room(frame)
        muted_until_s = 0
        if is_private(request.room_id):  # before anything of the room is read
            rooms = self._private_rooms(user)
            if rooms is None or user is None:
                raise not_invited(request.room_id)
            muted_until_s = rooms.check_entry(request.room_id, user, request.invite)
        blocks = Blocks()
        if user is not None:  # a signed-in user's name is its handle, whatever the frame says
            request = dataclasses.replace(request, username=user.handle)
            if self.handles is not None:
                blocks = self.handles.blocks_of(user.user_id)
        if request.after_seq:  # 0 asks for the whole history: never beyond the room
            self._check_after_seq(request.room_id, request.after_seq)
        sender_id = (
            identity.user_sender_id(user.user_id)
            if user is not None
            else identity.sender_id(request.guest_key, connection_id)
        )
        before, username = self._enter(connection_id, request, sender_id)
        others = self._checked_entry(
            connection_id, request, before, (sender_id, username), signed_in=user is not None
        )
        if muted_until_s > self.clock():  # a mute outlives a reconnect
            self.connections.mute(connection_id, request.room_id, muted_until_s * 1000)
        if blocks.blocked_by:  # as do blocks: this connection's messages skip its blockers
            self.connections.blocked_by(connection_id, blocks.blocked_by, add=True)
        guest = user is None and self.rules.marks_guests
        self.telemetry.in_room(request.room_id)

        page, more = self._history(request, blocks)
        room = protocol.room_frame(
            request.room_id,
            username,
            sorted([m.username for m in others] + [username], key=str.casefold),
            [_entry_frame(entry, sender_id) for entry in page],
            keep="newest" if request.after_seq is None else "oldest",
            more=more,
            guests=(
                sorted(
                    [m.username for m in others if m.guest] + ([username] if guest else []),
                    key=str.casefold,
                )
                if self.rules.marks_guests
                else None
            ),
        )
        posts = [(connection_id, protocol.encode(room))]

        member_count = len(others) + 1
        if before.room_id == request.room_id:
            if before.username != username:
                rename = protocol.presence_frame(
                    "rename", username, member_count, before.username, guest=guest
                )
                posts += _to_each(others, rename)
        else:
            join = protocol.presence_frame("join", username, member_count, guest=guest)
            posts += _to_each(others, join)
        if before.room_id is not None and before.room_id != request.room_id:
            posts += self._leave_posts(before.room_id, [before.username or ""])
        self._deliver(posts)

    def _history(
        self, request: protocol.EnterRoom, blocks: Blocks
    ) -> tuple[Sequence[RoomEntry], bool]:
        """The page of history an entry is sent (messages, the room's moderation, and after
        ``afterSeq`` the deletions since), without the messages of users it blocks, and whether
        more is left beyond it."""
        page: Sequence[RoomEntry]
        if request.after_seq is None:  # the latest page, or the one before beforeSeq
            page = (
                self.messages.latest(request.room_id, limits.HISTORY_PAGE_SIZE + 1)
                if request.before_seq is None
                else self.messages.before(
                    request.room_id, request.before_seq, limits.HISTORY_PAGE_SIZE + 1
                )
            )
            more = len(page) > limits.HISTORY_PAGE_SIZE  # older messages are left
            page = page[-limits.HISTORY_PAGE_SIZE :]
        else:
            page = self.messages.after(
                request.room_id, request.after_seq, limits.HISTORY_PAGE_SIZE + 1
            )
            more = len(page) > limits.HISTORY_PAGE_SIZE
            page = page[: limits.HISTORY_PAGE_SIZE]
        if blocks.blocked:
            unwanted = {identity.user_sender_id(blocked) for blocked in blocks.blocked}
            page = [e for e in page if not (isinstance(e, Message) and e.sender_id in unwanted)]
        return page, more

    def _check_after_seq(self, room_id: str, after_seq: int) -> None:
        last_seq = self.messages.last_seq(room_id)
        if after_seq > last_seq:
            # Checked before entering, so the refusal leaves the room as it was; the counter
            # only grows, so the check still holds once the connection is in.
            raise ChatError(
                ErrorCode.INVALID_AFTER_SEQ,
                f"afterSeq {after_seq} is beyond the last message of room {room_id} (seq "
                f"{last_seq}); enter without afterSeq for its latest messages.",
            )

    def _enter(
        self, connection_id: str, request: protocol.EnterRoom, sender_id: str
    ) -> tuple[Membership, str]:
        """The conditional update that moves the connection and takes its budget's token."""
        try:
            return self.connections.enter_room(
                connection_id,
                request.room_id,
                request.username,
                self._default_username(),
                sender_id=sender_id,
                now_ms=int(self.clock() * 1000),
                room_changes=self.rules.room_changes,
                replies=self.rules.replies,
            )
        except NotConnectedError:
            raise _NOT_CONNECTED from None
        except RateLimitedError as limited:
            if limited.limit is self.rules.replies:
                raise _too_many_replies(limited) from None
            raise ChatError(
                ErrorCode.RATE_LIMITED,
                f"Too many renames and moves: at most {limits.ROOM_CHANGE_BURST} in "
                f"{limits.ROOM_CHANGE_INTERVAL_SECONDS} s; nothing changed.",
                retry_after_ms=limited.retry_after_ms,
            ) from None

    def _checked_entry(
        self,
        connection_id: str,
        request: protocol.EnterRoom,
        before: Membership,
        sender: tuple[str, str],
        *,
        signed_in: bool,
    ) -> list[Member]:
        """The room's other members, once the entry holds: a place for a join or a move, and a
        name held by its sender (a signed-in user's handle is its own already). The connection
        entered first, so a refused entry reads nothing of the room; a refusal undoes the entry,
        and nobody was told anything."""
        entered = before.room_id != request.room_id  # a join or a move: it needs a place
        if entered:
            self._take_place(connection_id, request.room_id, before)
        others = [
            m for m in self.connections.members(request.room_id) if m.connection_id != connection_id
        ]
        renamed = entered or before.username != sender[1]
        taken = (
            self._name_refusal(request.room_id, sender, others)
            if renamed and not signed_in
            else None
        )
        if taken is not None:
            self.connections.undo_entry(connection_id, request.room_id, before)
            if entered:
                self._release(request.room_id, 1)
            raise taken
        if entered and before.room_id is not None:
            self._release(before.room_id, 1)
        return others

    def _name_refusal(
        self, room_id: str, sender: tuple[str, str], others: Sequence[Member]
    ) -> ChatError | None:
        """``name_taken`` when the name's comparison key is a signed-in user's handle (a guest
        never takes one), or unless the sender holds its comparison key in the room (a
        conditional write; Cyrillic, fullwidth or capital look-alikes of "ada" are "ada"). The
        same sender takes its name back at once from another tab or after a reconnect, even while
        its old connection lingers; a name nobody in the room uses any more is free again."""
        sender_id, username = sender
        key = names.comparison_key(username)
        users = [m.username for m in others if names.comparison_key(m.username) == key]
        now_ms = int(self.clock() * 1000)
        registered = self.handles is not None and self.handles.holder(key) is not None
        if not registered and self.connections.reserve_name(
            room_id, key, sender_id, now_ms, in_use=bool(users)
        ):
            return None
        suggestion = names.numbered_variant(
            username, {names.comparison_key(m.username) for m in others} | {key}
        )
        if registered:
            held = "is a signed-in user's name"
        elif users:
            held = f'looks like "{users[0]}", already in room {room_id}'
        else:
            held = f"was just taken in room {room_id}"
        return ChatError(
            ErrorCode.NAME_TAKEN,
            f'"{username}" {held}; choose another name, such as "{suggestion}".',
            suggested_username=suggestion,
        )

    def _take_place(self, connection_id: str, room_id: str, before: Membership) -> None:
        """A place in the room for the connection that just entered it, taken by a conditional
        write on the room's member count, so concurrent joins never take more places than the
        room has. Full: the connection goes back where it was, and the entry is refused."""
        if not self.connections.admit(room_id, connection_id, self.rules.room_member_limit):
            self.connections.undo_entry(connection_id, room_id, before)
            raise ChatError(
                ErrorCode.ROOM_FULL,
                f"Room {room_id} is full ({self.rules.room_member_limit} members).",
            )

    def _release(self, room_id: str, places: int) -> None:
        # Busy: the count stays high, and the next admission to find the room full repairs it.
        with contextlib.suppress(StoreBusyError):
            self.connections.release(room_id, places)

    def _claim_send(self, connection_id: str, room_id: str | None) -> Sender:
        """A token of the sender's message budget, for a message or a change to one, and the
        sender as its room holds it: refused when muted there, or when the frame names another
        room."""
        now_ms = int(self.clock() * 1000)
        try:
            sender = self.connections.claim_send(connection_id, now_ms, self.rules.rate_limit)
        except NotConnectedError:
            raise _NOT_CONNECTED from None
        except NotInRoomError:
            raise _NOT_IN_ROOM from None
        except RateLimitedError as limited:
            raise ChatError(
                ErrorCode.RATE_LIMITED,
                f"Slow down: at most {self.rules.rate_limit.per_second:g} messages a second "
                f"(bursts of {self.rules.rate_limit.burst}).",
                retry_after_ms=limited.retry_after_ms,
            ) from None
        if sender.muted_in == sender.room_id and sender.muted_until_ms > now_ms:
            raise ChatError(
                ErrorCode.MUTED,
                f"A moderator muted you in room {sender.room_id}; nothing was done.",
                retry_after_ms=sender.muted_until_ms - now_ms,
            )
        if room_id is not None and room_id != sender.room_id:
            raise ChatError(
                ErrorCode.ROOM_MISMATCH,
                f"This connection is in room {sender.room_id}, not {room_id}; nothing was done.",
            )
        self.telemetry.in_room(sender.room_id)
        return sender

    def _send_message(
        self, connection_id: str, frame: protocol.Frame, _: SignedInUser | None
    ) -> None:
        request = protocol.parse_send_message(frame)
        now = self.clock()
        sender = self._claim_send(connection_id, request.room_id)
        room_id = sender.room_id
        # Read the room before storing: once the message is stored, only posts remain to do,
        # so a busy table leaves nothing half-done behind.
        recipients = self._room_recipients(sender)[1]
        if connection_id not in recipients:
            recipients.append(connection_id)  # the index lags behind
        draft = MessageDraft(
            room_id=room_id,
            text=request.text,
            username=sender.username,
            sender_connection_id=connection_id,
            sender_id=sender.sender_id,
            sent_at=protocol.iso_utc(now),
            client_message_id=request.client_message_id,
            guest=sender.guest,
        )
        try:
            message = self.messages.append(draft)
        except DuplicateMessageError as duplicate:
            # Stored before: confirm it to its sender again, and to nobody else.
            resent = protocol.message_frame(duplicate.original, for_sender=True)
            self._deliver([(connection_id, protocol.encode(resent))])
            return
        self._deliver(_message_posts(message, recipients))
        self.telemetry.message_sent(len(recipients))

    def _delete_message(
        self, connection_id: str, frame: protocol.Frame, user: SignedInUser | None
    ) -> None:
        """One's own message, or in a private room anyone's by its owner or a moderator: the
        text removed, the deletion under the room's next seq, told to every member."""
        request = protocol.parse_change_message(frame)
        sender = self._claim_send(connection_id, request.room_id)
        room_id = sender.room_id
        message = self.messages.message(room_id, request.seq)
        if message is None or message.deleted:
            raise _no_message_to_change(room_id, request.seq, message)
        by = None if message.sender_id == sender.sender_id else self._moderator(room_id, user)
        recipients = self.connections.recipients(room_id)  # read before the write, as a send
        if connection_id not in recipients:
            recipients.append(connection_id)
        deletion = self.messages.delete(message, by)
        if deletion is None:  # deleted a moment ago by someone else
            raise _no_message_to_change(room_id, request.seq, message)
        self._deliver(_to_each_id(recipients, protocol.delete_frame(deletion)))

    def _typing(self, connection_id: str, frame: protocol.Frame, _: SignedInUser | None) -> None:
        """A hint, dropped without an answer when too frequent, muted, busy or in a big room;
        refused only when the frame is wrong (another room) or the connection is not in one. A
        frame dropped for coming too soon counts as a refusal, unanswered: a flooder is closed
        as on any other route, while a page (one frame an interval) never comes near it."""
        room_named = protocol.parse_typing(frame)
        now = self.clock()
        now_ms = int(now * 1000)
        try:
            sender = self.connections.claim_typing(connection_id, now_ms, self.rules.typing)
        except NotConnectedError:
            raise _NOT_CONNECTED from None
        except NotInRoomError:
            raise _NOT_IN_ROOM from None
        except RateLimitedError:
            self._count_refusal(connection_id)
            return
        except StoreBusyError:
            return
        if room_named is not None and room_named != sender.room_id:
            raise ChatError(
                ErrorCode.ROOM_MISMATCH,
                f"This connection is in room {sender.room_id}, not {room_named}.",
            )
        if sender.muted_in == sender.room_id and sender.muted_until_ms > now_ms:
            return
        try:
            room_size, recipients = self._room_recipients(sender)
        except StoreBusyError:
            return
        if room_size > self.rules.typing_room_size_limit:
            return
        others = [recipient for recipient in recipients if recipient != connection_id]
        expires_at = protocol.iso_utc(now + limits.TYPING_SHOWN_SECONDS)
        typing = protocol.typing_frame(sender.room_id, sender.username, expires_at)
        self._deliver(_to_each_id(others, typing))

    def _room_recipients(self, sender: Sender) -> tuple[int, list[str]]:
        """The room's size, and who gets what ``sender`` sends there: every member, but those
        who block the sender (their names are read only when someone does)."""
        if sender.blocked_by:
            members = self.connections.members(sender.room_id)
            return len(members), not_blocking(members, sender.blocked_by)
        recipients = self.connections.recipients(sender.room_id)
        return len(recipients), recipients

    def _moderator(self, room_id: str, user: SignedInUser | None) -> str:
        """The handle of the signed-in owner or moderator of the private room, who may change
        anyone's message there; anyone else may change only their own."""
        if is_private(room_id) and user is not None and self.rooms is not None:
            member = self.rooms.member(room_id, user.user_id)
            if member is not None and member.role is not Role.MEMBER:
                return user.handle
        raise ChatError(
            ErrorCode.NOT_OWN_MESSAGE,
            "This message is someone else's: only its sender"
            + (" or the room's owner and moderators" if is_private(room_id) else "")
            + " may change it; nothing was done.",
        )

    # ------------------------------------------------------------ delivery and cleanup

    def _deliver(self, posts: Sequence[tuple[str, bytes]]) -> None:
        self._remove_stale(self.outbox.send(posts))

    def _remove_stale(self, gone: Iterable[str]) -> None:
        """Delete connections API Gateway reported gone (410) and tell their rooms they left —
        once, however many invocations find them. Telling a room can find more gone
        connections; they are removed the same way, a round at a time."""
        pending, removed = list(gone), 0
        while pending:
            count, pending = self._remove_and_tell(pending)
            removed += count
        self.telemetry.stale_connections_removed(removed)

    def _remove_and_tell(self, connection_ids: Iterable[str]) -> tuple[int, list[str]]:
        """Delete the connections and tell each of their rooms, with one read of the room, who
        left. Returns how many were deleted here (not already by someone else) and the
        connections found gone while telling."""
        left: dict[str, list[str]] = {}
        removed = 0
        for connection_id in dict.fromkeys(connection_ids):
            membership = self.connections.remove(connection_id)
            if membership is None:
                continue  # removed, and announced, by someone else
            removed += 1
            if membership.room_id is not None:
                left.setdefault(membership.room_id, []).append(membership.username or "")
        for room_id, usernames in left.items():
            self._release(room_id, len(usernames))
        posts = [post for room, gone in left.items() for post in self._leave_posts(room, gone)]
        return removed, self.outbox.send(posts)

    def _leave_posts(self, room_id: str, usernames: Sequence[str]) -> list[tuple[str, bytes]]:
        """One frame to each remaining member, however many left: K members found gone in a
        room of N cost N posts, not N x K."""
        remaining = self.connections.recipients(room_id)
        leave = protocol.encode(protocol.leave_frame(usernames, len(remaining)))
        return [(recipient, leave) for recipient in remaining]

    def _default_username(self) -> str:
        return f"guest-{self.rng.randint(1000, 9999)}"


def _too_many_replies(limited: RateLimitedError) -> ChatError:
    return ChatError(
        ErrorCode.RATE_LIMITED,
        f"Too many requests: at most {limits.REPLY_BURST} at once, then one every "
        f"{limits.REPLY_INTERVAL_SECONDS} s.",
        retry_after_ms=limited.retry_after_ms,
    )


def _to_each(members: Iterable[Member], frame: protocol.Frame) -> list[tuple[str, bytes]]:
    return _to_each_id((m.connection_id for m in members), frame)


def _to_each_id(connection_ids: Iterable[str], frame: protocol.Frame) -> list[tuple[str, bytes]]:
    data = protocol.encode(frame)
    return [(connection_id, data) for connection_id in connection_ids]


def _entry_frame(entry: RoomEntry, sender_id: str) -> protocol.Frame:
    """A history entry for the entering sender: its own messages say so."""
    own = isinstance(entry, Message) and entry.sender_id == sender_id
    return protocol.entry_frame(entry, for_sender=own)


def _no_message_to_change(room_id: str, seq: int, message: Message | None) -> ChatError:
    problem = "was deleted already" if message is not None else "is no message of the room"
    return ChatError(
        ErrorCode.UNKNOWN_MESSAGE, f"Seq {seq} of room {room_id} {problem}; nothing was done."
    )


def _message_posts(message: Message, recipients: Iterable[str]) -> list[tuple[str, bytes]]:
    for_sender = protocol.encode(protocol.message_frame(message, for_sender=True))
    for_others = protocol.encode(protocol.message_frame(message, for_sender=False))
    return [
        (recipient, for_sender if recipient == message.sender_connection_id else for_others)
        for recipient in recipients
    ]


def _shortened(text: str, length: int = 64) -> str:
    return text if len(text) <= length else text[:length] + "…"
