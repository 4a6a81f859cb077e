"""What the chat is made of: connections in rooms, and the messages of a room."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    """A connection that has entered a room, under the name it chose."""

    connection_id: str
    username: str


@dataclass(frozen=True)
class Sender:
    """A connection allowed to send a message, with the room and name the server holds for it,
    and who is sending from it (``domain.identity``: the same across a browser's connections)."""

    room_id: str
    username: str
    sender_id: str


@dataclass(frozen=True)
class Membership:
    """Where a connection stood before it entered a room: both are None on its first entry."""

    room_id: str | None
    username: str | None


@dataclass(frozen=True)
class NewConnection:
    connection_id: str
    connected_at_ms: int
    source_ip: str | None
    user_agent: str | None


@dataclass(frozen=True)
class MessageDraft:
    """A message accepted from a sender, before the room gave it a place in its order."""

    room_id: str
    text: str
    username: str
    sender_connection_id: str
    sender_id: str  # who sent it (domain.identity), never in a frame
    sent_at: str
    client_message_id: str | None


@dataclass(frozen=True)
class Message:
    """A stored message: ``seq`` is its place in the room's order, unique and increasing."""

    id: str
    room_id: str
    seq: int
    text: str
    username: str
    sender_connection_id: str
    sender_id: str  # who sent it (domain.identity), never in a frame
    sent_at: str
    client_message_id: str | None
