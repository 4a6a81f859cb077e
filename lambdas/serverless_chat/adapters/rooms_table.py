"""The rooms table: private rooms, their members and their invites.

One table, a partition per room and one per user, so that each question is one key or one
Query and no Scan:

    pk = "room#<id>"   sk = "room"              ownerId, createdAt
    pk = "room#<id>"   sk = "member#<user>"     role, handle, joinedAt   (is the user a member?)
    pk = "room#<id>"   sk = "invite#<code>"     createdBy, expiresAt     (a live invite; TTL)
    pk = "user#<user>" sk = "room#<id>"         role, joinedAt           (the user's rooms)
    pk = "user#<user>" sk = "owned"             count                    (rooms the user created)

A membership is two items written by one transaction; an invite is redeemed by the transaction
that checks it (``expiresAt`` still ahead: DynamoDB's TTL deletes expired items only within a
few days) and writes the membership, so a revoked or expired code never lets anyone in.
"""

from typing import TYPE_CHECKING, Final

from serverless_chat.adapters.dynamodb import (
    Item,
    busy_when_throttled,
    query_all,
    transact,
)
from serverless_chat.domain.model import Invite, Role, RoomMember, RoomOfUser, SignedInUser
from serverless_chat.domain.ports import StoreBusyError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

ROOM_PREFIX: Final = "room#"
USER_PREFIX: Final = "user#"
MEMBER_PREFIX: Final = "member#"
INVITE_PREFIX: Final = "invite#"
ROOM_SORT_KEY: Final = "room"
OWNED_SORT_KEY: Final = "owned"
_ABSENT: Final = "attribute_not_exists(pk)"


class RoomsTable:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    @busy_when_throttled
    def create(self, room_id: str, owner: SignedInUser, now_s: int, max_owned: int) -> bool:
        room = ROOM_PREFIX + room_id
        owned_count = self._one_more_owned(owner.user_id, max_owned)
        room_item = self._put(
            {
                **_key(room, ROOM_SORT_KEY),
                "ownerId": _s(owner.user_id),
                "createdAt": _n(now_s),
            }
        )
        written = transact(
            self._client,
            [
                owned_count,
                room_item,
                *self._membership(room_id, owner.user_id, owner.handle, Role.OWNER, now_s),
            ],
        )
        return written is None

    @busy_when_throttled
    def member(self, room_id: str, user_id: str) -> RoomMember | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=_key(ROOM_PREFIX + room_id, MEMBER_PREFIX + user_id),
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        muted_until = item.get("mutedUntil", {}).get("N")
        return RoomMember(
            user_id=user_id,
            handle=item["handle"]["S"],
            role=Role(item["role"]["S"]),
            muted_until_s=int(muted_until) if muted_until else 0,
        )

    @busy_when_throttled
    def set_role(self, room_id: str, user_id: str, role: Role) -> None:
        transact(
            self._client,
            [
                self._update_role(_key(ROOM_PREFIX + room_id, MEMBER_PREFIX + user_id), role),
                self._update_role(_key(USER_PREFIX + user_id, ROOM_PREFIX + room_id), role),
            ],
        )

    @busy_when_throttled
    def remove_member(self, room_id: str, user_id: str) -> None:
        transact(
            self._client,
            [
                {"Delete": {"TableName": self._table, "Key": key}}
                for key in (
                    _key(ROOM_PREFIX + room_id, MEMBER_PREFIX + user_id),
                    _key(USER_PREFIX + user_id, ROOM_PREFIX + room_id),
                )
            ],
        )

    @busy_when_throttled
    def mute(self, room_id: str, user_id: str, until_s: int) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=_key(ROOM_PREFIX + room_id, MEMBER_PREFIX + user_id),
            UpdateExpression="SET mutedUntil = :until",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":until": _n(until_s)},
        )

    @busy_when_throttled
    def hand_over(self, room_id: str, owner_id: str, heir_id: str, max_owned: int) -> bool:
        room = ROOM_PREFIX + room_id
        owner_record: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self._table,
                "Key": _key(room, ROOM_SORT_KEY),
                "UpdateExpression": "SET ownerId = :heir",
                "ConditionExpression": "ownerId = :owner",
                "ExpressionAttributeValues": {":heir": _s(heir_id), ":owner": _s(owner_id)},
            }
        }
        heirs_count = self._one_more_owned(heir_id, max_owned)
        owners_count: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self._table,
                "Key": _key(USER_PREFIX + owner_id, OWNED_SORT_KEY),
                "UpdateExpression": "SET #count = #count - :one",
                "ConditionExpression": "#count > :zero",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":zero": _n(0), ":one": _n(1)},
            }
        }
        refused = transact(
            self._client,
            [
                owner_record,
                heirs_count,
                owners_count,
                self._update_role(_key(room, MEMBER_PREFIX + heir_id), Role.OWNER),
                self._update_role(_key(USER_PREFIX + heir_id, room), Role.OWNER),
                self._update_role(_key(room, MEMBER_PREFIX + owner_id), Role.MODERATOR),
                self._update_role(_key(USER_PREFIX + owner_id, room), Role.MODERATOR),
            ],
        )
        if refused is None:
            return True
        if refused == 1:
            return False  # the heir owns max_owned rooms
        raise StoreBusyError("HandOverRaced")  # the room changed hands meanwhile: ask again

    def _one_more_owned(self, user_id: str, max_owned: int) -> "TransactWriteItemTypeDef":
        """The user's count of owned rooms, one more, while it is under ``max_owned``."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": _key(USER_PREFIX + user_id, OWNED_SORT_KEY),
                "UpdateExpression": "SET #count = if_not_exists(#count, :zero) + :one",
                "ConditionExpression": "attribute_not_exists(#count) OR #count < :most",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {
                    ":zero": _n(0),
                    ":one": _n(1),
                    ":most": _n(max_owned),
                },
            }
        }

    def _update_role(
        self, key: "dict[str, AttributeValueTypeDef]", role: Role
    ) -> "TransactWriteItemTypeDef":
        """A member's item (in the room's partition or the user's) given ``role``; only while
        it exists."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": key,
                "UpdateExpression": "SET #role = :role",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeNames": {"#role": "role"},
                "ExpressionAttributeValues": {":role": _s(role.value)},
            }
        }

    @busy_when_throttled
    def add_member(self, room_id: str, user_id: str, handle: str, now_s: int) -> None:
        transact(self._client, self._membership(room_id, user_id, handle, Role.MEMBER, now_s))
        # cancelled: already a member, who stays as they are

    @busy_when_throttled
    def redeem(self, room_id: str, code: str, user: SignedInUser, now_s: int) -> bool:
        live_invite: TransactWriteItemTypeDef = {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": _key(ROOM_PREFIX + room_id, INVITE_PREFIX + code),
                "ConditionExpression": "expiresAt > :now",
                "ExpressionAttributeValues": {":now": _n(now_s)},
            }
        }
        membership = self._membership(room_id, user.user_id, user.handle, Role.MEMBER, now_s)
        refused = transact(self._client, [live_invite, *membership])
        if refused is None:
            return True
        if refused == 0:
            return False  # no such invite to this room, expired or revoked
        return self.member(room_id, user.user_id) is not None  # a concurrent entry won

    @busy_when_throttled
    def create_invite(
        self, room_id: str, invite: Invite, creator_id: str, *, now_s: int, max_live: int
    ) -> bool:
        # A bound on what one room stores rather than an exact count: two invites the owner
        # asks for at the same instant may both see max_live - 1.
        if len(self.invites(room_id, now_s)) >= max_live:
            return False
        self._client.put_item(
            TableName=self._table,
            Item={
                **_key(ROOM_PREFIX + room_id, INVITE_PREFIX + invite.code),
                "createdBy": _s(creator_id),
                "expiresAt": _n(invite.expires_at_s),
            },
            ConditionExpression=_ABSENT,
        )
        return True

    @busy_when_throttled
    def invites(self, room_id: str, now_s: int) -> list[Invite]:
        items = self._query(
            ROOM_PREFIX + room_id,
            INVITE_PREFIX,
            filter_expression="expiresAt > :now",
            values={":now": _n(now_s)},
        )
        return [
            Invite(
                code=item["sk"]["S"].removeprefix(INVITE_PREFIX),
                expires_at_s=int(item["expiresAt"]["N"]),
            )
            for item in items
        ]

    @busy_when_throttled
    def revoke(self, room_id: str, code: str) -> None:
        self._client.delete_item(
            TableName=self._table, Key=_key(ROOM_PREFIX + room_id, INVITE_PREFIX + code)
        )

    @busy_when_throttled
    def rooms_of(self, user_id: str) -> list[RoomOfUser]:
        return [
            RoomOfUser(
                room_id=item["sk"]["S"].removeprefix(ROOM_PREFIX),
                role=Role(item["role"]["S"]),
                joined_at_s=int(item["joinedAt"]["N"]),
            )
            for item in self._query(USER_PREFIX + user_id, ROOM_PREFIX)
        ]

    def _membership(
        self, room_id: str, user_id: str, handle: str, role: Role, now_s: int
    ) -> "list[TransactWriteItemTypeDef]":
        """The two items of a membership, each written only when absent."""
        return [
            self._put(
                {
                    **_key(ROOM_PREFIX + room_id, MEMBER_PREFIX + user_id),
                    "role": _s(role.value),
                    "handle": _s(handle),
                    "joinedAt": _n(now_s),
                }
            ),
            self._put(
                {
                    **_key(USER_PREFIX + user_id, ROOM_PREFIX + room_id),
                    "role": _s(role.value),
                    "joinedAt": _n(now_s),
                }
            ),
        ]

    def _put(self, item: "dict[str, AttributeValueTypeDef]") -> "TransactWriteItemTypeDef":
        return {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": _ABSENT}}

    def _query(
        self,
        pk: str,
        sk_prefix: str,
        filter_expression: str | None = None,
        values: "dict[str, AttributeValueTypeDef] | None" = None,
    ) -> list[Item]:
        """Every item of partition ``pk`` whose sort key begins with ``sk_prefix``, all pages."""
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": _s(pk),
                ":prefix": _s(sk_prefix),
                **(values or {}),
            },
            "ConsistentRead": True,
            **({"FilterExpression": filter_expression} if filter_expression else {}),
        }
        return list(query_all(self._client, **request))


def _key(pk: str, sk: str) -> "dict[str, AttributeValueTypeDef]":
    return {"pk": _s(pk), "sk": _s(sk)}


def _s(value: str) -> "AttributeValueTypeDef":
    return {"S": value}


def _n(value: int) -> "AttributeValueTypeDef":
    return {"N": str(value)}
