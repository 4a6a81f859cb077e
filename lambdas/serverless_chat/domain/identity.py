"""Who is sending: one sender identity for every "own message" rule.

A reload opens a new connection and the page resends its queued messages from it, so the sender
cannot be the connection. A signed-in user's sender is its user id (the token's ``sub``, which
the ``$connect`` authorizer verified). A guest's is the guest key: a random secret
(at least 128 bits) the page creates once, keeps in the browser and sends on every
``on-enter-room``. A client that sends none (wscat, the seed's page) is its own connection's
sender. So the sender of an entry is known from the frame and its connection alone, before
anything is read or written; the connection item keeps it for the messages sent after.

Only a hash of it is stored: SHA-256 over a domain-separation prefix and the key, the prefix
naming what is hashed, so a guest key and a connection id never give the same sender, and no
other use of SHA-256 meets these values. No HMAC with a per-deployment secret: it would matter
only if the input could be guessed, and a guest key carries 128 random bits, so a table reader
can neither recover a key from its hash nor find one that gives it; and knowing the hash is no
use, as the chat hashes what a client sends (a stored hash is a verifier, not a credential). A
client that picks a weak key weakens only its own identity. A connection id is no secret to the
table's reader (it is the item's key), and is hashed only to give every sender id one shape.
"""

import hashlib
from enum import StrEnum
from typing import Final


class AuthMode(StrEnum):
    """Sign-in, per deployment: ``off`` (everyone is a guest, as in the seed), ``optional``
    (guests beside signed-in users; guests are marked as such and cannot take a handle's name),
    ``required`` (the ``$connect`` authorizer admits signed-in users only)."""

    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


_GUEST_KEY_PREFIX: Final = b"serverless-chat sender: guest key\x00"
_CONNECTION_PREFIX: Final = b"serverless-chat sender: connection\x00"
_USER_PREFIX: Final = b"serverless-chat sender: user\x00"


def sender_id(guest_key: str | None, connection_id: str) -> str:
    """Who sends from a connection that entered with ``guest_key`` (None: it gave none)."""
    if guest_key is None:
        return connection_sender_id(connection_id)
    return guest_sender_id(guest_key)


def user_sender_id(user_id: str) -> str:
    """The sender of every connection of a signed-in user, whatever guest key its page holds."""
    return _hashed(_USER_PREFIX, user_id)


def guest_sender_id(guest_key: str) -> str:
    """The sender of every connection that gives this guest key."""
    return _hashed(_GUEST_KEY_PREFIX, guest_key)


def connection_sender_id(connection_id: str) -> str:
    """The sender of a connection that gave no guest key."""
    return _hashed(_CONNECTION_PREFIX, connection_id)


def _hashed(prefix: bytes, value: str) -> str:
    return hashlib.sha256(prefix + value.encode()).hexdigest()
