"""A handle a frame names, and the signed-in user who holds it (or a name that looks like it)."""

from serverless_chat.domain import names, protocol
from serverless_chat.domain.errors import ChatError, ErrorCode
from serverless_chat.domain.ports import HandleRegistry


def holder_of(handles: HandleRegistry, frame: protocol.Frame) -> tuple[str, str]:
    """The frame's ``handle`` and the user id holding it; ``unknown_handle`` when nobody does."""
    handle = protocol.parse_handle(frame)
    holder = handles.holder(names.comparison_key(handle))
    if holder is None:
        raise ChatError(ErrorCode.UNKNOWN_HANDLE, f"Nobody signed in holds the handle {handle!r}.")
    return holder, handle
