"""Sign-in at ``$connect``: who opens a connection, a signed-in user or a guest.

A signed-in page offers its ID token on the handshake; the token's ``sub`` is the user, and the
user's name in the chat is their handle, claimed at the first sign-in from a name the token
carries (the first of ``cognito:username``, ``preferred_username`` and ``name``), or its first
free numbered variant ("ada 2") when another user holds a name that looks like it. The auth mode
decides what a connection without a token is: a guest (``optional``) or refused (``required``).
A token that is offered and not valid is refused in both modes, and so is a token issued at or
before the user's last sign-out (an ID token stays cryptographically valid after Cognito's
global sign-out until its ``exp``; ``iat`` has second granularity, so the sign-out's own second
is refused too).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from serverless_chat import limits
from serverless_chat.domain.errors import ChatError
from serverless_chat.domain.identity import AuthMode
from serverless_chat.domain.names import check_name

HANDLE_CLAIMS: Final = ("cognito:username", "preferred_username", "name")
FALLBACK_HANDLE: Final = "user"


class UnauthorizedError(Exception):
    """No connection: no token where one is required, or a token that is not valid (401)."""


@dataclass(frozen=True)
class SignedIn:
    """A signed-in user: the token's ``sub``, their handle, and when their token expires
    (epoch seconds): the connection is refused after that."""

    user_id: str
    handle: str
    token_expires_at: int


class IdTokens(Protocol):
    def verify(self, token: str) -> Mapping[str, Any]:
        """The token's claims (``sub`` and ``exp`` among them), or ``UnauthorizedError``."""


@dataclass(frozen=True)
class Account:
    """What the handles table knows of a user: their handle, and when they last signed out
    (epoch seconds), either None."""

    handle: str | None
    signed_out_at: int | None


class Handles(Protocol):
    def account(self, user_id: str) -> Account: ...

    def claim(self, user_id: str, wanted: str) -> str: ...


class SignIn:
    def __init__(self, mode: AuthMode, tokens: IdTokens, handles: Handles) -> None:
        self._mode = mode
        self._tokens = tokens
        self._handles = handles

    def admit(self, token: str | None) -> SignedIn | None:
        """The signed-in user of ``token``, or None for a guest (no token, where guests may
        connect); ``UnauthorizedError`` otherwise."""
        if token is None:
            if self._mode is AuthMode.REQUIRED:
                raise UnauthorizedError("a sign-in is required")
            return None
        claims = self._tokens.verify(token)
        user_id = claims["sub"]
        account = self._handles.account(user_id)
        if account.signed_out_at is not None and int(claims["iat"]) <= account.signed_out_at:
            raise UnauthorizedError("the token was issued before the user signed out")
        handle = account.handle or self._handles.claim(user_id, wanted_handle(claims))
        return SignedIn(user_id=user_id, handle=handle, token_expires_at=int(claims["exp"]))


def wanted_handle(claims: Mapping[str, Any]) -> str:
    """The handle a new user asks for: the first name claim that makes a valid chat name once
    trimmed and cut to ``maxUsernameLength``; "user" when none does."""
    for claim in HANDLE_CLAIMS:
        value = claims.get(claim)
        if not isinstance(value, str):
            continue
        name = value.strip()[: limits.MAX_USERNAME_LENGTH].rstrip()
        if name and _is_valid(name):
            return name
    return FALLBACK_HANDLE


def _is_valid(name: str) -> bool:
    try:
        check_name(name)
    except ChatError:
        return False
    return True
