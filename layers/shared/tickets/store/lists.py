"""A ticket's lists and the stats, read: the entries of one list in creation order, the tenant's
tickets in order of last update (GSI1), the tickets of a page by key, and the stats shards. They are
written by the ticket repository, in each ticket's own transaction (docs/data-model.md, *Lists*)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tickets import keys
from tickets.keys import ListMembership
from tickets.models.domain import TicketSummary
from tickets.store import items
from tickets.store.table import Table, plain_key, typed_key


@dataclass(frozen=True)
class ListEntry:
    """A ticket found in a list: where to resume after it, what it sorts by, and its summary (None
    until read: a list entry holds keys only; an entry of the update order is the ticket itself)."""

    ticket_id: str
    position: dict[str, str]
    sort_value: str
    version: int  # the entry's: the ticket's version when the entry was written
    summary: TicketSummary | None = None


@dataclass(frozen=True)
class ListRead:
    entries: list[ListEntry]
    # Where reading stopped (DynamoDB's LastEvaluatedKey), or None when the list is exhausted.
    resume_at: dict[str, str] | None
    resume_sort_value: str | None
    items_examined: int


class ListStore(Table):
    def read_list_entries(
        self,
        tenant_id: str,
        membership: ListMembership,
        *,
        ascending: bool,
        start: dict[str, str] | None,
        limit: int,
    ) -> ListRead:
        """Up to `limit` entries of one list in creation order (ticket ids are ULIDs), after `start`."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.list_partition(tenant_id, membership)}},
            "ScanIndexForward": ascending,
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        return self._list_read(self._entries(response["Items"]), response, keys.SK)

    def read_updated(
        self,
        tenant_id: str,
        *,
        ascending: bool,
        since: str | None,
        start: dict[str, str] | None,
        limit: int,
    ) -> ListRead:
        """Up to `limit` of the tenant's tickets in order of last update (GSI1), after `start`, updated
        at `since` or later when given."""
        values: dict[str, Any] = {":pk": {"S": keys.updated_partition(tenant_id)}}
        key_condition = f"{keys.GSI1PK} = :pk"
        if since is not None:
            key_condition += f" AND {keys.GSI1SK} >= :since"
            values[":since"] = {"S": since}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": ascending,
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        entries = []
        for item in response["Items"]:
            summary = items.ticket_from_items(item, None).summary()
            position = {name: item[name]["S"] for name in (keys.PK, keys.SK, keys.GSI1PK, keys.GSI1SK)}
            entries.append(ListEntry(summary.id, position, item[keys.GSI1SK]["S"], summary.version, summary))
        return self._list_read(entries, response, keys.GSI1SK)

    def read_sla_due(
        self, tenant_id: str, *, before: str | None, start: dict[str, str] | None, limit: int
    ) -> ListRead:
        """Up to `limit` of the tenant's tickets with a running SLA metric, soonest due first, after
        `start`; due before `before` when given."""
        values: dict[str, Any] = {":pk": {"S": keys.sla_due_partition(tenant_id)}}
        key_condition = "PK = :pk"
        if before is not None:
            key_condition += " AND SK < :before"
            values[":before"] = {"S": before}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": values,
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        return self._list_read(self._entries(response["Items"]), response, keys.SK)

    @staticmethod
    def _entries(found: list[dict[str, Any]]) -> list[ListEntry]:
        """List entries in their sort key's order; the ticket is the sort key, or, in a list sorted by
        something else (the due list), the entry's ticketId."""
        return [
            ListEntry(
                ticket_id=item["ticketId"]["S"] if "ticketId" in item else item[keys.SK]["S"],
                position={keys.PK: item[keys.PK]["S"], keys.SK: item[keys.SK]["S"]},
                sort_value=item[keys.SK]["S"],
                version=int(item["version"]["N"]),
            )
            for item in found
        ]

    @staticmethod
    def _list_read(entries: list[ListEntry], response: dict[str, Any], sort_key: str) -> ListRead:
        last = response.get("LastEvaluatedKey")
        resume_at = plain_key(last) if last else None
        resume_sort_value = resume_at[sort_key] if resume_at else None
        return ListRead(entries, resume_at, resume_sort_value, response["ScannedCount"])

    def get_summaries(self, tenant_id: str, ticket_ids: Sequence[str]) -> dict[str, TicketSummary]:
        """The tickets' summaries by id, eventually consistent (as list pages are); a deleted one is
        missing."""
        wanted = [keys.ticket_key(tenant_id, ticket_id) for ticket_id in dict.fromkeys(ticket_ids)]
        found = self._batch_get(wanted, consistent=False)
        summaries = (items.ticket_from_items(item, None).summary() for item in found)
        return {summary.id: summary for summary in summaries}

    def read_stats(self, tenant_id: str) -> dict[str, int]:
        """The sum of the tenant's stats shards: one Query of at most STATS_SHARDS small items."""
        partition, prefix = keys.stats_partition(tenant_id)
        response = self._call(
            self._client.query,
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": {"S": partition}, ":prefix": {"S": prefix}},
        )
        totals: dict[str, int] = {}
        for item in response["Items"]:
            for name, value in items.deserialize(item).items():
                if name not in ("PK", "SK", "entity"):
                    totals[name] = totals.get(name, 0) + int(value)
        return totals
