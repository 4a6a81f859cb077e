"""The WebSocket protocol: frames from the page, checked, and frames to the page.

Client frames keep the seed's shape (``groupId``, ``username``, ``message``); every problem
becomes a ``ChatError`` with its own code. Text is kept exactly as sent: escaping is the page's job.
"""

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from serverless_chat import limits
from serverless_chat.domain import names
from serverless_chat.domain.errors import ChatError, ErrorCode
from serverless_chat.domain.model import Deletion, Message, ModerationRecord, RoomEntry

ENTER_ROOM: Final = "on-enter-room"
SEND_MESSAGE: Final = "on-message"
DELETE_MESSAGE: Final = "on-delete-message"
TYPING: Final = "on-typing"
PING: Final = "ping"
SIGN_OUT: Final = "sign-out"
BLOCK_USER: Final = "block-user"
UNBLOCK_USER: Final = "unblock-user"
LIST_BLOCKS: Final = "list-blocks"
# The private rooms' actions (domain.private_rooms), one function for all of them.
CREATE_ROOM: Final = "create-room"
LIST_ROOMS: Final = "list-rooms"
CREATE_INVITE: Final = "create-invite"
LIST_INVITES: Final = "list-invites"
REVOKE_INVITE: Final = "revoke-invite"
ADD_MEMBER: Final = "add-member"
# Moderation of a private room (domain.moderation), by its owner and moderators.
SET_ROLE: Final = "set-role"
REMOVE_MEMBER: Final = "remove-member"
MUTE_MEMBER: Final = "mute-member"
HAND_OVER: Final = "hand-over"

_ROOM_ID = re.compile(limits.ROOM_ID_PATTERN)
_CLIENT_MESSAGE_ID = re.compile(limits.CLIENT_MESSAGE_ID_PATTERN)
_GUEST_KEY = re.compile(limits.GUEST_KEY_PATTERN)
_PRIVATE_ROOM_ID = re.compile(limits.PRIVATE_ROOM_ID_PATTERN)
_INVITE_CODE = re.compile(limits.INVITE_CODE_PATTERN)
# Line breaks a name may not hold besides the control characters: NEL, LINE and PARAGRAPH SEPARATOR.
_LINE_SEPARATORS: Final = frozenset("\u0085\u2028\u2029")
_ALLOWED_CONTROLS_IN_MESSAGES: Final = frozenset("\n\t")

Frame = dict[str, Any]


@dataclass(frozen=True)
class EnterRoom:
    room_id: str
    username: str | None  # None: keep the current name, or get a default one
    after_seq: int | None
    guest_key: str | None  # None: the connection is its own sender (domain.identity)
    before_seq: int | None = None  # a page of older history; never with after_seq
    invite: str | None = None  # an invite code to the (private) room


@dataclass(frozen=True)
class SendMessage:
    text: str
    room_id: str | None
    client_message_id: str | None


@dataclass(frozen=True)
class ChangeMessage:
    """A change to one of the room's messages: the message's ``seq``, and the room the page
    thinks it is in (None: not said)."""

    seq: int
    room_id: str | None


def parse_frame(body: str | None) -> Frame:
    """The JSON object a client sent: the one place a body is parsed.

    Whatever the body, the answer is a frame or a ``ChatError``, never another exception: JSON
    nested past the interpreter's recursion limit, ``NaN``, a number too long to read. A frame
    nested deeper than ``maxFrameDepth`` is refused too (a valid one is flat), so nothing after
    this point meets a deep structure.
    """
    try:
        frame = json.loads(body or "", parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        raise ChatError(ErrorCode.INVALID_JSON, "The frame is not valid JSON.") from None
    if not isinstance(frame, dict):
        raise ChatError(ErrorCode.INVALID_FRAME, "A frame must be a JSON object.")
    if _nested_deeper_than(frame, limits.MAX_FRAME_DEPTH):
        raise _too_deep()
    return frame


def _too_deep() -> ChatError:
    # A new error each time: a raised instance keeps every traceback it was raised with.
    return ChatError(
        ErrorCode.INVALID_FRAME,
        f"A frame nests arrays and objects at most {limits.MAX_FRAME_DEPTH} deep.",
    )


def _refuse_constant(name: str) -> Any:
    raise ChatError(ErrorCode.INVALID_JSON, f"{name} is not a JSON number.")


def _nested_deeper_than(value: object, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep (the frame itself is depth 1);
    iterative, so no depth can exhaust the stack."""
    pending: list[tuple[dict[str, Any] | list[Any], int]] = []
    if isinstance(value, dict | list):
        pending.append((value, 1))
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def client_message_id_of(frame: Frame) -> str | None:
    """The id a page gave its message, to quote back in an error about it."""
    value = frame.get("clientMessageId")
    return value if isinstance(value, str) and _CLIENT_MESSAGE_ID.fullmatch(value) else None


def parse_enter_room(frame: Frame) -> EnterRoom:
    room_id = frame.get("groupId", frame.get("roomId"))
    if room_id is None or room_id == "":
        raise ChatError(ErrorCode.MISSING_ROOM, "Say which room to enter (groupId).")
    after_seq = _after_seq(frame.get("afterSeq"))
    before_seq = _before_seq(frame.get("beforeSeq"))
    if after_seq is not None and before_seq is not None:
        raise ChatError(
            ErrorCode.INVALID_BEFORE_SEQ,
            "Ask for history after afterSeq or before beforeSeq, not both.",
        )
    return EnterRoom(
        room_id=_room_id(room_id),
        username=_username(frame.get("username")),
        after_seq=after_seq,
        before_seq=before_seq,
        guest_key=_guest_key(frame.get("guestKey")),
        invite=None if frame.get("invite") is None else parse_invite_code(frame.get("invite")),
    )


def parse_private_room_id(frame: Frame) -> str:
    """The ``roomId`` of a private room's action: ``invalid_invite`` for anything else."""
    room_id = frame.get("roomId", frame.get("groupId"))
    if not isinstance(room_id, str) or not _PRIVATE_ROOM_ID.fullmatch(room_id):
        raise ChatError(
            ErrorCode.INVALID_INVITE,
            "roomId must be a private room's id (~ and 22 letters, digits, - or _).",
        )
    return room_id


def parse_invite_code(value: object) -> str:
    if not isinstance(value, str) or not _INVITE_CODE.fullmatch(value):
        raise ChatError(ErrorCode.INVALID_INVITE, "An invite code is 22 letters, digits, - or _.")
    return value


def parse_invite_lifetime(frame: Frame) -> int:
    """``expiresInSeconds``, a whole number of seconds (the default when left out)."""
    value = frame.get("expiresInSeconds", limits.DEFAULT_INVITE_LIFETIME_SECONDS)
    shortest, longest = limits.MIN_INVITE_LIFETIME_SECONDS, limits.MAX_INVITE_LIFETIME_SECONDS
    if isinstance(value, bool) or not isinstance(value, int) or not shortest <= value <= longest:
        raise ChatError(
            ErrorCode.INVALID_INVITE,
            f"expiresInSeconds must be a whole number from {shortest} to {longest}.",
        )
    return value


def parse_handle(frame: Frame) -> str:
    """``add-member``'s ``handle``: a name as any other (``invalid_username`` otherwise)."""
    handle = _username(frame.get("handle"))
    if handle is None:
        raise ChatError(ErrorCode.INVALID_USERNAME, "Say whose handle to add (handle).")
    return handle


def parse_role(frame: Frame) -> Literal["moderator", "member"]:
    """``set-role``'s ``role``: ``moderator`` or ``member`` (an owner is made by ``hand-over``)."""
    role = frame.get("role")
    if role == "moderator":
        return "moderator"
    if role == "member":
        return "member"
    raise ChatError(ErrorCode.INVALID_FRAME, "role must be moderator or member.")


def parse_mute_seconds(frame: Frame) -> int:
    """``mute-member``'s ``seconds``: a whole number from 0 (unmute) to ``maxMuteSeconds``."""
    seconds = frame.get("seconds")
    longest = limits.MAX_MUTE_SECONDS
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= longest:
        raise ChatError(
            ErrorCode.INVALID_FRAME,
            f"seconds must be a whole number from 0 (unmute) to {longest}.",
        )
    return seconds


def parse_send_message(frame: Frame) -> SendMessage:
    room_id = frame.get("groupId", frame.get("roomId"))
    client_message_id = frame.get("clientMessageId")
    if client_message_id is not None and not (
        isinstance(client_message_id, str) and _CLIENT_MESSAGE_ID.fullmatch(client_message_id)
    ):
        raise ChatError(
            ErrorCode.INVALID_CLIENT_MESSAGE_ID,
            "clientMessageId must be 1 to 64 letters, digits, '-' or '_'.",
        )
    return SendMessage(
        text=_message_text(frame.get("message")),
        room_id=None if room_id is None else _room_id(room_id),
        client_message_id=client_message_id,
    )


def parse_change_message(frame: Frame) -> ChangeMessage:
    """``on-delete-message``: the seq of the message, and optionally its room."""
    seq = frame.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= limits.MAX_SEQ:
        raise ChatError(
            ErrorCode.INVALID_SEQ,
            f"seq must be the seq of a message: a whole number from 1 to {limits.MAX_SEQ}.",
        )
    room_id = frame.get("groupId", frame.get("roomId"))
    return ChangeMessage(seq=seq, room_id=None if room_id is None else _room_id(room_id))


def parse_typing(frame: Frame) -> str | None:
    """``on-typing``: the room it names, if any."""
    room_id = frame.get("groupId", frame.get("roomId"))
    return None if room_id is None else _room_id(room_id)


def _room_id(value: object) -> str:
    if not isinstance(value, str) or not _ROOM_ID.fullmatch(value):
        raise ChatError(ErrorCode.INVALID_ROOM, "A room id is 1 to 64 letters, digits, '-' or '_'.")
    return value


def _username(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ChatError(ErrorCode.INVALID_USERNAME, "The name must be a string.")
    name = value.strip()
    if len(name) > limits.MAX_USERNAME_LENGTH:
        raise ChatError(
            ErrorCode.INVALID_USERNAME,
            f"A name is at most {limits.MAX_USERNAME_LENGTH} characters.",
        )
    if any(_is_control(c) or c in _LINE_SEPARATORS for c in name):
        raise ChatError(
            ErrorCode.INVALID_USERNAME, "A name cannot hold line breaks or control characters."
        )
    if not name:
        return None
    names.check_name(name)
    return name


def _guest_key(value: object) -> str | None:
    if value is None:
        return None
    if not (
        isinstance(value, str)
        and limits.MIN_GUEST_KEY_LENGTH <= len(value) <= limits.MAX_GUEST_KEY_LENGTH
        and _GUEST_KEY.fullmatch(value)
    ):
        raise ChatError(
            ErrorCode.INVALID_GUEST_KEY,
            f"guestKey must be {limits.MIN_GUEST_KEY_LENGTH} to {limits.MAX_GUEST_KEY_LENGTH} "
            "letters, digits, '-' or '_'.",
        )
    return value


def _after_seq(value: object) -> int | None:
    if value is None:
        return None
    # JSON has one number type: a bool (an int to Python) or a float is not a seq.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limits.MAX_SEQ:
        raise ChatError(
            ErrorCode.INVALID_AFTER_SEQ,
            f"afterSeq must be a whole number from 0 to {limits.MAX_SEQ}.",
        )
    return value


def _before_seq(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limits.MAX_SEQ:
        raise ChatError(
            ErrorCode.INVALID_BEFORE_SEQ,
            f"beforeSeq must be a whole number from 1 to {limits.MAX_SEQ}.",
        )
    return value


def _message_text(value: object) -> str:
    if value is None:
        raise ChatError(ErrorCode.MISSING_MESSAGE, "The frame has no message.")
    if not isinstance(value, str):
        raise ChatError(ErrorCode.INVALID_MESSAGE, "The message must be a string.")
    if not value.strip():
        raise ChatError(ErrorCode.EMPTY_MESSAGE, "The message is empty.")
    if len(value) > limits.MAX_MESSAGE_LENGTH:
        raise ChatError(
            ErrorCode.MESSAGE_TOO_LONG,
            f"A message is at most {limits.MAX_MESSAGE_LENGTH} characters; this one has "
            f"{len(value)}.",
        )
    if any(_is_control(c) and c not in _ALLOWED_CONTROLS_IN_MESSAGES for c in value):
        raise ChatError(
            ErrorCode.INVALID_MESSAGE,
            "A message cannot hold control characters other than new lines and tabs.",
        )
    return value


def _is_control(character: str) -> bool:
    # Cc: C0/C1 controls and DEL; Cs: a lone surrogate, which no UTF-8 text can carry.
    return unicodedata.category(character) in ("Cc", "Cs")


# ---------------------------------------------------------------- frames to the page


def encode(frame: Frame) -> bytes:
    """A frame as sent: compact UTF-8 JSON, non-ASCII text kept as is."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":")).encode()


def message_frame(message: Message, *, for_sender: bool) -> Frame:
    frame: Frame = {
        "type": "message",
        "id": message.id,
        "roomId": message.room_id,
        "seq": message.seq,
        "message": message.text,
        "username": message.username,
        "isOwnMessage": for_sender,
        "sentAt": message.sent_at,
    }
    if for_sender and message.client_message_id is not None:
        frame["clientMessageId"] = message.client_message_id
    if message.guest:
        frame["guest"] = True
    if message.deleted:
        frame["deleted"] = True
        if message.deleted_by is not None:
            frame["deletedBy"] = message.deleted_by
    return frame


def moderation_frame(record: ModerationRecord) -> Frame:
    """A moderator's action, as the room's members see it, live and in a ``room`` frame."""
    return {
        "type": "moderation",
        "roomId": record.room_id,
        "seq": record.seq,
        "action": record.action,
        "by": record.by,
        "target": record.target,
        **record.details,
    }


def typing_frame(room_id: str, username: str, expires_at: str) -> Frame:
    return {"type": "typing", "roomId": room_id, "username": username, "expiresAt": expires_at}


def delete_frame(deletion: Deletion) -> Frame:
    frame: Frame = {
        "type": "delete",
        "roomId": deletion.room_id,
        "seq": deletion.seq,
        "targetSeq": deletion.target_seq,
    }
    if deletion.by is not None:
        frame["by"] = deletion.by
    return frame


def entry_frame(entry: RoomEntry, *, for_sender: bool) -> Frame:
    """An entry of a room's history as a ``room`` frame holds it (``for_sender``: the entering
    sender's own message)."""
    if isinstance(entry, Message):
        return message_frame(entry, for_sender=for_sender)
    if isinstance(entry, ModerationRecord):
        return moderation_frame(entry)
    return delete_frame(entry)


def presence_frame(
    event: str,
    username: str,
    member_count: int,
    previous_username: str | None = None,
    *,
    guest: bool = False,
) -> Frame:
    frame: Frame = {"type": "presence", "event": event, "username": username}
    if previous_username is not None:
        frame["previousUsername"] = previous_username
    frame["memberCount"] = member_count
    if guest:
        frame["guest"] = True
    return frame


def leave_frame(usernames: Sequence[str], member_count: int) -> Frame:
    """One ``leave`` for everyone who left a room at once: ``username`` is the first of them, and
    ``usernames`` lists them all when there are several (a room is told once, not once a name)."""
    frame = presence_frame("leave", usernames[0], member_count)
    if len(usernames) > 1:
        frame["usernames"] = list(usernames)
    return frame


def error_frame(error: ChatError, client_message_id: str | None = None) -> Frame:
    frame: Frame = {"type": "error", "code": error.code.value, "message": error.message}
    if client_message_id is not None:
        frame["clientMessageId"] = client_message_id
    if error.retry_after_ms is not None:
        frame["retryAfterMs"] = error.retry_after_ms
    if error.suggested_username is not None:
        frame["suggestedUsername"] = error.suggested_username
    return frame


PONG: Final[Frame] = {"type": "pong"}
SIGNED_OUT: Final[Frame] = {"type": "signed_out"}


def room_frame(
    room_id: str,
    username: str,
    members: Sequence[str],
    history: Sequence[Frame],
    *,
    keep: Literal["newest", "oldest"],
    more: bool,
    guests: Sequence[str] | None = None,
) -> Frame:
    """The caller's view of the room, with as much history as fits in one post.

    ``history`` holds the room's entries in seq order: message frames go to the frame's
    ``history``, the others (moderation, deletions) to its ``changes``, only when there are any.
    ``keep="newest"`` drops the oldest entries to fit (the last page of the room, or the one
    before ``beforeSeq``: ``more`` says older ones are left); ``keep="oldest"`` drops the newest
    (a page after ``afterSeq``: ``more`` says newer ones are left). Either sets ``more`` when it
    drops any. ``guests`` (only beside signed-in users) lists the members who are guests.
    """
    frame: Frame = {
        "type": "room",
        "roomId": room_id,
        "username": username,
        "members": list(members),
    }
    if guests is not None:
        frame["guests"] = list(guests)
    frame |= {
        "history": [],
        "more": True,  # the longest value, so the budget below holds whatever ``more`` ends up
    }
    # The longest frame: with a ``changes`` list (and the comma between its entries and the
    # history's counted for each entry below).
    budget = limits.MAX_POST_BYTES - len(encode(frame | {"changes": []}))
    sizes = [len(encode(entry)) for entry in history]
    fitted: list[Frame] = []
    order = range(len(history) - 1, -1, -1) if keep == "newest" else range(len(history))
    for index in order:
        cost = sizes[index] + (1 if fitted else 0)  # a comma between entries
        if cost > budget:
            break
        budget -= cost
        fitted.append(history[index])
    if keep == "newest":
        fitted.reverse()
    frame["history"] = [entry for entry in fitted if entry["type"] == "message"]
    frame["more"] = more or len(fitted) < len(history)
    changes = [entry for entry in fitted if entry["type"] != "message"]
    if changes:
        frame["changes"] = changes
    return frame


def iso_utc(epoch_seconds: float) -> str:
    """The moment as the frames write it: ISO 8601 in UTC, to the millisecond."""
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
