"""A ticket's history: its events, oldest first, in a partition of their own (keys.events_partition),
written by the stream function once per event and deleted once the ticket is."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from tickets import keys
from tickets.models.domain import TicketEvent
from tickets.store import items
from tickets.store.table import Table, plain_key, typed_key


class HistoryStore(Table):
    def record(self, events: Sequence[TicketEvent]) -> None:
        """Keep each event once: a record delivered again finds its events there and writes nothing."""
        for event in events:
            with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
                self._call(
                    self._client.put_item,
                    TableName=self._table,
                    Item=items.event_item(event),
                    ConditionExpression="attribute_not_exists(PK)",
                )

    def read(
        self, tenant_id: str, ticket_id: str, start: dict[str, str] | None, limit: int
    ) -> tuple[list[TicketEvent], dict[str, str] | None]:
        """Up to `limit` events after `start`, oldest first, and where the next page starts (None: no
        more)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.events_partition(tenant_id, ticket_id)}},
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        last = response.get("LastEvaluatedKey")
        return [items.event_from_item(item) for item in response["Items"]], plain_key(last) if last else None

    def forget(self, tenant_id: str, ticket_id: str) -> None:
        """Delete a deleted ticket's history. One DeleteItem an event: the stream function may delete in
        history partitions only, which a batch write cannot be held to."""
        for key in self._partition_keys(keys.events_partition(tenant_id, ticket_id)):
            self._call(self._client.delete_item, TableName=self._table, Key=typed_key(key))
