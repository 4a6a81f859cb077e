"""Signing a user out everywhere: from the ``sign-out`` route, or when an operator disables them.

Cognito's global sign-out revokes refresh tokens, yet an ID token stays valid until its ``exp``
(an hour), and a WebSocket outlives both: so the chat itself marks the moment (the authorizer
then refuses tokens issued until then), tells each of the user's connections, and closes it.

The user's connections are read from an index, which lags a moment behind the table: a
connection opened in the second before the sign-out may be missed. Its token is refused from
then on, so it ends at its next reconnect at the latest.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from serverless_chat.domain import protocol
from serverless_chat.domain.ports import Outbox


class SignOutMarks(Protocol):
    def record_sign_out(self, user_id: str, at: int) -> bool: ...


class UserConnections(Protocol):
    def of_user(self, user_id: str) -> list[str]: ...


@dataclass(frozen=True)
class SignedOut:
    closed: list[str]  # the connections told `signed_out` and closed
    gone: list[str]  # those API Gateway no longer holds (410): nobody was there to tell


@dataclass
class SignOut:
    marks: SignOutMarks
    connections: UserConnections
    outbox: Outbox
    clock: Callable[[], float]

    def everywhere(self, user_id: str, known: Sequence[str] = ()) -> SignedOut:
        """Refuse the user's tokens issued until now, then send ``signed_out`` to each of
        their connections (``known`` ones too, which the index may not show yet) and close
        it. The mark comes first, so a page that reconnects when its socket closes is refused."""
        self.marks.record_sign_out(user_id, int(self.clock()))
        connection_ids = list(dict.fromkeys([*known, *self.connections.of_user(user_id)]))
        signed_out = protocol.encode(protocol.SIGNED_OUT)
        gone = self.outbox.send([(c, signed_out) for c in connection_ids])
        closed = [c for c in connection_ids if c not in gone]
        for connection_id in closed:
            self.outbox.close(connection_id)
        return SignedOut(closed=closed, gone=gone)
