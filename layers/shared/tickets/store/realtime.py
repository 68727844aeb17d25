"""Real-time tokens and connections in the table (docs/data-model.md, REALTIME_TOKEN, CONNECTION)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from tickets import keys
from tickets.models.realtime import Connection, Grant
from tickets.store import items
from tickets.store.table import Table, typed_key


class RealtimeStore(Table):
    def add_token(self, token_hash: str, grant: Grant, expires_at: int) -> None:
        self._call(
            self._client.put_item,
            TableName=self._table,
            Item=items.realtime_token_item(token_hash, grant, expires_at),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def take_token(self, token_hash: str) -> Grant | None:
        """The token's grant, deleting the token in the same call: of two connections opened with one
        token, one gets it. None for a token unknown, used or expired (the TTL deletes late)."""
        try:
            response = self._call(
                self._client.delete_item,
                TableName=self._table,
                Key=typed_key(keys.realtime_token_key(token_hash)),
                ConditionExpression="expiresAt > :now",
                ExpressionAttributeValues={":now": {"N": str(int(time.time()))}},
                ReturnValues="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return items.grant_from_item(response["Attributes"])

    def add_connection(self, connection: Connection, expires_at: int) -> None:
        self._call(
            self._client.put_item,
            TableName=self._table,
            Item=items.connection_item(connection, expires_at),
        )

    def remove_connection(self, connection_id: str) -> None:
        self._call(
            self._client.delete_item, TableName=self._table, Key=typed_key(keys.connection_key(connection_id))
        )

    def set_topics(self, connection_id: str, topics: list[str]) -> Connection | None:
        """The connection listening to `topics` from now; None when it is gone."""
        attributes = self._update(keys.connection_key(connection_id), {"topics": topics})
        return items.connection_from_item(attributes) if attributes is not None else None

    def tenant_connections(self, tenant_id: str) -> Iterator[Connection]:
        """Every open connection of the tenant, page by page (GSI1: one Query reads about 1 MB, some
        thousands of connections). Expired ones the TTL has not deleted yet are left out."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.connections_partition(tenant_id)}},
        }
        now = time.time()
        while True:
            response = self._call(self._client.query, **request)
            for item in response["Items"]:
                if int(item["expiresAt"]["N"]) > now:
                    yield items.connection_from_item(item)
            if not response.get("LastEvaluatedKey"):
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
