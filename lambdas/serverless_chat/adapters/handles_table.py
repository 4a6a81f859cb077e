"""The handles table: each signed-in user's handle, one per comparison key
(``domain.names.comparison_key``), so no two users and no guest share a name's look."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class HandlesTable:
    """Items ``handle#<comparison key>`` → ``{userId, handle}``."""

    def __init__(self, client: "DynamoDBClient", table: str) -> None:
        self._client = client
        self._table = table

    def holder(self, key: str) -> str | None:
        item = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": f"handle#{key}"}}, ProjectionExpression="userId"
        ).get("Item")
        return None if item is None else item["userId"]["S"]
