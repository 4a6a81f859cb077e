"""The protocol's limits and the defaults of the settings.

They are defined once, in the ``limits`` of ``contract.json``: the page imports the same file,
and Terraform reads it for the defaults it passes to the functions.
"""

from typing import Final

from serverless_chat.contract import LIMITS as _LIMITS

ROOM_ID_PATTERN: Final[str] = _LIMITS["roomIdPattern"]
PRIVATE_ROOM_ID_PATTERN: Final[str] = _LIMITS["privateRoomIdPattern"]
INVITE_CODE_PATTERN: Final[str] = _LIMITS["inviteCodePattern"]
DEFAULT_INVITE_LIFETIME_SECONDS: Final[int] = _LIMITS["defaultInviteLifetimeSeconds"]
MAX_INVITE_LIFETIME_SECONDS: Final[int] = _LIMITS["maxInviteLifetimeSeconds"]
MIN_INVITE_LIFETIME_SECONDS: Final = 60
MAX_INVITES_PER_ROOM: Final[int] = _LIMITS["maxInvitesPerRoom"]
MAX_OWNED_ROOMS: Final[int] = _LIMITS["maxOwnedRooms"]
MAX_MUTE_SECONDS: Final[int] = _LIMITS["maxMuteSeconds"]
MAX_BLOCKED_USERS: Final[int] = _LIMITS["maxBlockedUsers"]
CLIENT_MESSAGE_ID_PATTERN: Final[str] = _LIMITS["clientMessageIdPattern"]
GUEST_KEY_PATTERN: Final[str] = _LIMITS["guestKeyPattern"]
MIN_GUEST_KEY_LENGTH: Final[int] = _LIMITS["minGuestKeyLength"]
MAX_GUEST_KEY_LENGTH: Final[int] = _LIMITS["maxGuestKeyLength"]
MAX_USERNAME_LENGTH: Final[int] = _LIMITS["maxUsernameLength"]
MAX_MESSAGE_LENGTH: Final[int] = _LIMITS["maxMessageLength"]
HISTORY_PAGE_SIZE: Final[int] = _LIMITS["historyPageSize"]
MAX_POST_BYTES: Final[int] = _LIMITS["maxPostBytes"]
MAX_FRAME_BYTES: Final[int] = _LIMITS["maxFrameBytes"]
MAX_FRAME_DEPTH: Final[int] = _LIMITS["maxFrameDepth"]
MAX_SEQ: Final[int] = _LIMITS["maxSeq"]
DEFAULT_ROOM_MEMBER_LIMIT: Final[int] = _LIMITS["defaultRoomMemberLimit"]
DEFAULT_RATE_LIMIT_PER_SECOND: Final[float] = _LIMITS["defaultRateLimitPerSecond"]
DEFAULT_RATE_LIMIT_BURST: Final[int] = _LIMITS["defaultRateLimitBurst"]
ROOM_CHANGE_BURST: Final[int] = _LIMITS["roomChangeBurst"]
ROOM_CHANGE_INTERVAL_SECONDS: Final[int] = _LIMITS["roomChangeIntervalSeconds"]
REPLY_BURST: Final[int] = _LIMITS["replyBurst"]
REPLY_INTERVAL_SECONDS: Final[int] = _LIMITS["replyIntervalSeconds"]
REFUSAL_BURST: Final[int] = _LIMITS["refusalBurst"]
REFUSAL_INTERVAL_SECONDS: Final[int] = _LIMITS["refusalIntervalSeconds"]
DEFAULT_MESSAGE_RETENTION_DAYS: Final[int] = _LIMITS["defaultMessageRetentionDays"]
DEFAULT_FANOUT_CONCURRENCY: Final[int] = _LIMITS["defaultFanoutConcurrency"]
DEFAULT_CONNECTIONS_PER_ADDRESS: Final[int] = _LIMITS["defaultConnectionsPerAddress"]
DEFAULT_CONNECTS_PER_ADDRESS_PER_MINUTE: Final[int] = _LIMITS["defaultConnectsPerAddressPerMinute"]
CONNECTION_LIFETIME_SECONDS: Final[int] = _LIMITS["connectionLifetimeSeconds"]
TYPING_INTERVAL_SECONDS: Final[int] = _LIMITS["typingIntervalSeconds"]
TYPING_SHOWN_SECONDS: Final[int] = _LIMITS["typingShownSeconds"]
DEFAULT_TYPING_ROOM_SIZE_LIMIT: Final[int] = _LIMITS["defaultTypingRoomSizeLimit"]
