"""Private rooms over real WebSockets on the `AUTH=optional` stack: two members chat in a room
only they enter; a third user is refused until invited, and a fourth with the same invite after
its revocation; a guest and a stranger learn nothing of the room, not even whether it exists.
Its owner mutes a member and removes them (refused on entry after), and deletes a member's
message, a bystander served throughout."""

import json
import uuid
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from local_stack.stack import LocalStack
from tests.integration.signed_in_sockets import (
    receive,
    send,
    signed_in,
    token,
    trusting_the_test_issuer,
)

NOBODYS_ROOM = "~AAAAAAAAAAAAAAAAAAAAAA"


def ask(ws: ClientConnection, action: str, answer: str, **fields: Any) -> dict[str, Any]:
    send(ws, {"action": action, **fields})
    return receive(ws, answer)


def entry_refused(ws: ClientConnection, room_id: str, **fields: Any) -> dict[str, Any]:
    """The one frame an entry into ``room_id`` is answered with: an error."""
    send(ws, {"action": "on-enter-room", "roomId": room_id, **fields})
    frame = json.loads(ws.recv(timeout=10))
    assert frame["type"] == "error", frame
    return dict(frame)


def nothing_more(ws: ClientConnection) -> None:
    """No frame is waiting for the socket: a ping is answered first."""
    send(ws, {"action": "ping"})
    assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}


def entered_private_room(owner: ClientConnection, members: dict[str, ClientConnection]) -> str:
    """A private room of ``owner``'s with ``members`` (by handle) added, everyone entered."""
    room_id = ask(owner, "create-room", "room_created")["roomId"]
    for handle in members:
        ask(owner, "add-member", "member_added", roomId=room_id, handle=handle)
    for ws in (owner, *members.values()):
        send(ws, {"action": "on-enter-room", "roomId": room_id})
        receive(ws, "room")
    return room_id


def _until_closed(ws: ClientConnection) -> None:
    while True:
        ws.recv(timeout=10)


def test_only_members_enter_a_private_room(optional_stack: LocalStack) -> None:
    names = {who: f"{who}{uuid.uuid4().hex[:4]}" for who in ("ada", "bob", "cy", "dee")}
    with (
        trusting_the_test_issuer(optional_stack) as url,
        signed_in(url, token(names["ada"])) as ada,
        signed_in(url, token(names["bob"])) as bob,
        signed_in(url, token(names["cy"])) as cy,
        connect(url, open_timeout=20) as guest,
    ):
        room_id = ask(ada, "create-room", "room_created")["roomId"]
        send(ada, {"action": "on-enter-room", "roomId": room_id})
        assert receive(ada, "room")["members"] == [names["ada"]]
        invite = ask(ada, "create-invite", "invite", roomId=room_id)

        send(bob, {"action": "on-enter-room", "roomId": room_id, "invite": invite["code"]})
        assert receive(bob, "room")["members"] == sorted([names["ada"], names["bob"]])
        assert receive(ada, "presence")["username"] == names["bob"]
        send(bob, {"action": "on-message", "message": "members only"})
        assert receive(ada, "message")["message"] == "members only"
        receive(bob, "message")

        # cy, signed in but not a member, and a guest: refused, and told nothing of the room
        refused = entry_refused(cy, room_id)
        assert refused["code"] == "not_invited"
        nowhere = entry_refused(cy, NOBODYS_ROOM)
        assert refused["message"].replace(room_id, "?") == nowhere["message"].replace(
            NOBODYS_ROOM, "?"
        )
        assert entry_refused(guest, room_id, username="eve")["code"] == "not_invited"
        assert ask(cy, "list-invites", "error", roomId=room_id)["code"] == "not_invited"
        nothing_more(cy)
        nothing_more(guest)
        nothing_more(ada)  # no presence of anyone refused reached the members

        # invited, cy enters; once revoked, the same code lets dee in no more
        send(cy, {"action": "on-enter-room", "roomId": room_id, "invite": invite["code"]})
        assert len(receive(cy, "room")["members"]) == 3
        left = ask(ada, "revoke-invite", "invites", roomId=room_id, code=invite["code"])
        assert left["invites"] == []
        with signed_in(url, token(names["dee"])) as dee:
            assert entry_refused(dee, room_id, invite=invite["code"])["code"] == "not_invited"
        rooms = ask(cy, "list-rooms", "rooms")["rooms"]
        assert rooms == [{"roomId": room_id, "role": "member"}]


def test_the_owner_adds_a_member_by_handle(optional_stack: LocalStack) -> None:
    owner, added = (f"{who}{uuid.uuid4().hex[:4]}" for who in ("eve", "fay"))
    with (
        trusting_the_test_issuer(optional_stack) as url,
        signed_in(url, token(owner)) as eve,
        signed_in(url, token(added)) as fay,  # her first sign-in claims her handle
    ):
        room_id = ask(eve, "create-room", "room_created")["roomId"]
        assert entry_refused(fay, room_id)["code"] == "not_invited"
        assert (
            ask(eve, "add-member", "member_added", roomId=room_id, handle=added)["handle"] == added
        )
        send(fay, {"action": "on-enter-room", "roomId": room_id})
        assert receive(fay, "room")["roomId"] == room_id
        assert (
            ask(fay, "add-member", "error", roomId=room_id, handle=owner)["code"]
            == "not_room_owner"
        )


def test_moderators_mute_and_remove_while_a_bystander_is_served(optional_stack: LocalStack) -> None:
    names = {who: f"{who}{uuid.uuid4().hex[:4]}" for who in ("gil", "hal", "ivy")}
    hal_sub = str(uuid.uuid4())
    with (
        trusting_the_test_issuer(optional_stack) as url,
        signed_in(url, token(names["gil"])) as gil,
        signed_in(url, token(names["hal"], sub=hal_sub)) as hal,
        signed_in(url, token(names["ivy"])) as ivy,
    ):
        room_id = entered_private_room(gil, {names["hal"]: hal, names["ivy"]: ivy})

        muted = ask(
            gil, "mute-member", "moderation", roomId=room_id, handle=names["hal"], seconds=60
        )
        assert (muted["action"], muted["target"]) == ("muted", names["hal"])
        assert receive(ivy, "moderation")["action"] == "muted"  # the whole room is told
        send(hal, {"action": "on-message", "message": "let me speak"})
        assert receive(hal, "error")["code"] == "muted"
        send(ivy, {"action": "on-message", "message": "the bystander talks"})
        assert receive(gil, "message")["message"] == "the bystander talks"

        removed = ask(gil, "remove-member", "moderation", roomId=room_id, handle=names["hal"])
        assert removed["action"] == "removed"
        assert receive(hal, "removed") == {"type": "removed", "roomId": room_id, "by": names["gil"]}
        with pytest.raises(ConnectionClosed):
            _until_closed(hal)
        assert receive(ivy, "moderation")["action"] == "removed"
        assert receive(ivy, "presence")["event"] == "leave"
        with signed_in(url, token(names["hal"], sub=hal_sub)) as hal_again:
            assert entry_refused(hal_again, room_id)["code"] == "not_invited"
        nothing_more(ivy)


def test_a_moderator_deletes_a_members_message_while_a_bystander_is_served(
    optional_stack: LocalStack,
) -> None:
    names = {who: f"{who}{uuid.uuid4().hex[:4]}" for who in ("mo", "ned", "oz")}
    with (
        trusting_the_test_issuer(optional_stack) as url,
        signed_in(url, token(names["mo"])) as mo,
        signed_in(url, token(names["ned"])) as ned,
        signed_in(url, token(names["oz"])) as oz,
    ):
        room_id = entered_private_room(mo, {names["ned"]: ned, names["oz"]: oz})
        send(ned, {"action": "on-message", "message": "spam"})
        spam = receive(oz, "message")
        send(ned, {"action": "on-message", "message": "oops"})
        oops = receive(oz, "message")

        refused = ask(oz, "on-delete-message", "error", seq=spam["seq"])  # a member: own only
        assert refused["code"] == "not_own_message"
        removed = ask(mo, "on-delete-message", "delete", seq=spam["seq"])
        assert (removed["targetSeq"], removed["by"]) == (spam["seq"], names["mo"])
        assert receive(ned, "delete") == removed
        assert receive(oz, "delete") == removed
        own = ask(ned, "on-delete-message", "delete", seq=oops["seq"])
        assert (own["targetSeq"], "by" in own) == (oops["seq"], False)
        assert receive(oz, "delete") == own
        send(oz, {"action": "on-message", "message": "the bystander talks"})
        assert receive(mo, "message")["message"] == "the bystander talks"

        # Back after missing both: each deletion once, in its place; the texts are gone.
        send(oz, {"action": "on-enter-room", "roomId": room_id, "afterSeq": spam["seq"] - 1})
        back = receive(oz, "room")
        assert [(m["message"], m.get("deleted")) for m in back["history"]] == [
            ("", True),
            ("", True),
            ("the bystander talks", None),
        ]
        assert back["history"][0]["deletedBy"] == names["mo"]
        assert back["changes"] == [removed, own]
        assert receive(ned, "message")["message"] == "the bystander talks"
        nothing_more(ned)


def test_a_blocked_users_messages_skip_the_blocker_alone(optional_stack: LocalStack) -> None:
    """Blocking, in a public room: filtered by the chat's fan-out, not by a page."""
    names = {who: f"{who}{uuid.uuid4().hex[:4]}" for who in ("jo", "kit", "lee")}
    room = f"blocks-{uuid.uuid4().hex[:6]}"
    with (
        trusting_the_test_issuer(optional_stack) as url,
        signed_in(url, token(names["jo"])) as jo,
        signed_in(url, token(names["kit"])) as kit,
        signed_in(url, token(names["lee"])) as lee,
    ):
        for ws in (jo, kit, lee):
            send(ws, {"action": "on-enter-room", "groupId": room})
            receive(ws, "room")
        assert ask(jo, "block-user", "blocked", handle=names["kit"])["handle"] == names["kit"]
        assert ask(jo, "list-blocks", "blocks")["handles"] == [names["kit"]]

        send(kit, {"action": "on-message", "message": "from the blocked one"})
        assert receive(lee, "message")["message"] == "from the blocked one"
        assert receive(kit, "message")["message"] == "from the blocked one"
        send(lee, {"action": "on-message", "message": "from the bystander"})
        assert receive(jo, "message")["message"] == "from the bystander"  # and nothing before it
        send(jo, {"action": "on-enter-room", "groupId": room})
        history = [m["message"] for m in receive(jo, "room")["history"]]
        assert history == ["from the bystander"]
