"""The handles table: which signed-in user holds which handle.

Two items per user, written together by one transaction of two conditional puts, so that no
two users hold names that look alike and no user holds two:

    pk = "user#<sub>"            handle, key        the user's handle and its comparison key
                                 [signedOutAt]      when they last signed out (epoch seconds, N)
                                 [blocks]           the user ids they block (SS)
                                 [blockedBy]        the handle keys of the users blocking them (SS)
    pk = "handle#<key>"          userId, handle     who holds the comparison key

The key is the names' comparison key (``names.comparison_key``): "ada", "Ada" and "ada" with a
Cyrillic a (U+0430) are one key. A first sign-in asks for a name; when another user holds its
key, the next numbered variant ("ada 2") is tried, until one is free.
"""

import time
from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError

from serverless_chat.adapters.dynamodb import batch_get
from serverless_chat.domain.model import Blocks
from serverless_chat.domain.names import comparison_key, numbered_variant
from serverless_chat.domain.ports import StoreBusyError
from serverless_chat.domain.sign_in import Account

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

USER_PREFIX: Final = "user#"
HANDLE_PREFIX: Final = "handle#"
# A claim writes once per name it finds taken: the 50th user wanting "ada" is refused (500)
# rather than looping; names that crowded are rare in one chat.
CLAIM_ATTEMPTS: Final = 50
_CONFLICT_PAUSE_S: Final = 0.05
# Cancellation reasons of a transaction that say "try again", as DynamoDB documents them.
_TRANSIENT_CANCELLATIONS: Final = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)


class HandleClaimError(Exception):
    """No handle could be claimed in ``CLAIM_ATTEMPTS`` writes."""


class HandlesTable:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._client = client
        self._table = table_name

    def handle_of(self, user_id: str) -> str | None:
        """The user's handle, or None before their first sign-in."""
        return self._get(USER_PREFIX + user_id, "handle")

    def account(self, user_id: str) -> Account:
        """The user's handle and last sign-out, in one consistent read."""
        item = self._item(USER_PREFIX + user_id) or {}
        handle, signed_out = item.get("handle", {}), item.get("signedOutAt", {})
        return Account(
            handle=handle.get("S"),
            signed_out_at=int(signed_out["N"]) if "N" in signed_out else None,
        )

    def record_sign_out(self, user_id: str, at: int) -> bool:
        """Tokens of ``user_id`` issued at or before ``at`` (epoch seconds) no longer sign in;
        False, and nothing written, for a user who never signed in (no item to mark: a bare
        ``user#`` item would block their handle's claim). A later sign-out never moves the
        mark back."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"pk": _s(USER_PREFIX + user_id)},
                UpdateExpression="SET signedOutAt = :at",
                ConditionExpression=(
                    "attribute_exists(pk) AND "
                    "(attribute_not_exists(signedOutAt) OR signedOutAt < :at)"
                ),
                ExpressionAttributeValues={":at": {"N": str(at)}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return self.handle_of(user_id) is not None
        return True

    def blocks_of(self, user_id: str) -> Blocks:
        item = self._item(USER_PREFIX + user_id) or {}
        return Blocks(
            blocked=frozenset(item.get("blocks", {}).get("SS", ())),
            blocked_by=frozenset(item.get("blockedBy", {}).get("SS", ())),
        )

    def block(self, blocker_id: str, blocker_key: str, blocked_id: str, max_blocked: int) -> bool:
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": {"pk": _s(USER_PREFIX + blocker_id)},
                            "UpdateExpression": "ADD blocks :blocked",
                            "ConditionExpression": (
                                "attribute_exists(pk) AND (attribute_not_exists(blocks) OR "
                                "contains(blocks, :id) OR size(blocks) < :most)"
                            ),
                            "ExpressionAttributeValues": {
                                ":blocked": {"SS": [blocked_id]},
                                ":id": _s(blocked_id),
                                ":most": {"N": str(max_blocked)},
                            },
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": {"pk": _s(USER_PREFIX + blocked_id)},
                            "UpdateExpression": "ADD blockedBy :key",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":key": {"SS": [blocker_key]}},
                        }
                    },
                ]
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in error.response["CancellationReasons"]]
            if reasons[0] == "ConditionalCheckFailed":
                return False
            if set(reasons) & _TRANSIENT_CANCELLATIONS:
                raise StoreBusyError(",".join(sorted(set(reasons) - {"None"}))) from error
            raise
        return True

    def handles_of(self, user_ids: frozenset[str]) -> list[str]:
        keys = [{"pk": _s(USER_PREFIX + user_id)} for user_id in sorted(user_ids)]
        items, unprocessed = batch_get(self._client, self._table, keys, "handle")
        if unprocessed:
            raise StoreBusyError("UnprocessedKeys")
        return [item["handle"]["S"] for item in items]

    def unblock(self, blocker_id: str, blocker_key: str, blocked_id: str) -> None:
        for pk, attribute, value in (
            (USER_PREFIX + blocker_id, "blocks", blocked_id),
            (USER_PREFIX + blocked_id, "blockedBy", blocker_key),
        ):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key={"pk": _s(pk)},
                    UpdateExpression=f"DELETE {attribute} :value",
                    ConditionExpression="attribute_exists(pk)",  # never a bare user# item
                    ExpressionAttributeValues={":value": {"SS": [value]}},
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise

    def holder(self, key: str) -> str | None:
        """The user id holding comparison key ``key``, or None when nobody does."""
        return self._get(HANDLE_PREFIX + key, "userId")

    def claim(self, user_id: str, wanted: str) -> str:
        """The user's handle: the one they hold, else ``wanted`` or the first numbered variant
        of it whose key nobody holds, claimed now. The same user gets the same handle again,
        however many of their first sign-ins race; two users never get one key."""
        taken: set[str] = set()
        handle = wanted
        for _ in range(CLAIM_ATTEMPTS):
            held = self.handle_of(user_id)
            if held is not None:
                return held
            key = comparison_key(handle)
            reason = self._put_both(user_id, handle, key)
            if reason is None:
                return handle
            if reason == "key taken":
                if self.holder(key) == user_id:
                    return handle
                taken.add(key)
                handle = numbered_variant(wanted, taken)
            elif reason == "conflict":
                time.sleep(_CONFLICT_PAUSE_S)
            # "user exists": a concurrent sign-in of the same user claimed first; read it
        raise HandleClaimError(f"no handle claimed for {wanted!r} in {CLAIM_ATTEMPTS} writes")

    def _put_both(self, user_id: str, handle: str, key: str) -> str | None:
        """Both items, or neither; None when written, else why not."""
        absent = "attribute_not_exists(pk)"
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                "pk": _s(USER_PREFIX + user_id),
                                "handle": _s(handle),
                                "key": _s(key),
                            },
                            "ConditionExpression": absent,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                "pk": _s(HANDLE_PREFIX + key),
                                "userId": _s(user_id),
                                "handle": _s(handle),
                            },
                            "ConditionExpression": absent,
                        }
                    },
                ]
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            user, held = (r.get("Code", "None") for r in error.response["CancellationReasons"])
            if user == "ConditionalCheckFailed":
                return "user exists"
            if held == "ConditionalCheckFailed":
                return "key taken"
            if {user, held} & _TRANSIENT_CANCELLATIONS:
                return "conflict"  # nothing written: try again
            raise
        return None

    def _item(self, pk: str) -> "dict[str, AttributeValueTypeDef] | None":
        return self._client.get_item(
            TableName=self._table, Key={"pk": _s(pk)}, ConsistentRead=True
        ).get("Item")

    def _get(self, pk: str, attribute: str) -> str | None:
        item = self._item(pk)
        value = item.get(attribute) if item else None
        return value["S"] if value is not None and "S" in value else None


def _s(value: str) -> "AttributeValueTypeDef":
    return {"S": value}
