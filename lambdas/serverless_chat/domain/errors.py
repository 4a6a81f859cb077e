"""What can go wrong with a request: each failure has its own machine-readable code."""

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_JSON = "invalid_json"
    INVALID_FRAME = "invalid_frame"
    UNKNOWN_ACTION = "unknown_action"
    MISSING_ROOM = "missing_room"
    INVALID_ROOM = "invalid_room"
    INVALID_USERNAME = "invalid_username"
    INVALID_AFTER_SEQ = "invalid_after_seq"
    INVALID_BEFORE_SEQ = "invalid_before_seq"
    INVALID_SEQ = "invalid_seq"
    MISSING_MESSAGE = "missing_message"
    EMPTY_MESSAGE = "empty_message"
    MESSAGE_TOO_LONG = "message_too_long"
    INVALID_MESSAGE = "invalid_message"
    INVALID_CLIENT_MESSAGE_ID = "invalid_client_message_id"
    INVALID_GUEST_KEY = "invalid_guest_key"
    NOT_CONNECTED = "not_connected"
    NOT_IN_ROOM = "not_in_room"
    ROOM_MISMATCH = "room_mismatch"
    ROOM_FULL = "room_full"
    RATE_LIMITED = "rate_limited"
    NAME_TAKEN = "name_taken"
    NOT_SIGNED_IN = "not_signed_in"
    NOT_INVITED = "not_invited"
    NOT_ROOM_OWNER = "not_room_owner"
    INVALID_INVITE = "invalid_invite"
    TOO_MANY_INVITES = "too_many_invites"
    TOO_MANY_ROOMS = "too_many_rooms"
    UNKNOWN_HANDLE = "unknown_handle"
    NOT_A_MEMBER = "not_a_member"
    NOT_MODERATOR = "not_moderator"
    CANNOT_MODERATE = "cannot_moderate"
    UNKNOWN_MESSAGE = "unknown_message"
    NOT_OWN_MESSAGE = "not_own_message"
    MUTED = "muted"
    CANNOT_BLOCK = "cannot_block"
    TOO_MANY_BLOCKS = "too_many_blocks"
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 (an error code, no secret)
    BUSY = "busy"


class ChatError(Exception):
    """A request the chat refuses; the sender gets an error frame with this code and message."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        retry_after_ms: int | None = None,
        suggested_username: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after_ms = retry_after_ms
        self.suggested_username = suggested_username
