"""What older versions left in a tenant's lists that this one reads differently, brought up to date by
the admin CLI's upgrade-lists (docs/data-model.md, *Upgrading a table*): tickets written before 2026-12
get the GSI1 keys of the update order, and the entries of retired lists are deleted. Each step is safe
beside the API's writes and to run again."""

from __future__ import annotations

from typing import Any

from tickets import keys
from tickets.store.table import Table

# Entries of a list read per Query: keys only, so a page is small whatever the tickets hold.
_PAGE = 1000


class UpgradeStore(Table):
    def ticket_ids(
        self, tenant_id: str, start: dict[str, Any] | None
    ) -> tuple[list[str], dict[str, Any] | None]:
        """One page of the tenant's ticket ids (its ALL list, which every version kept) and where the
        next page starts (None: the last page)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.list_partition(tenant_id, keys.ALL_TICKETS)}},
            "ProjectionExpression": "SK",
            "Limit": _PAGE,
        }
        if start:
            request["ExclusiveStartKey"] = start
        response = self._call(self._client.query, **request)
        return [item[keys.SK]["S"] for item in response["Items"]], response.get("LastEvaluatedKey")

    def index_update_order(self, tenant_id: str, ticket_ids: list[str]) -> int:
        """Give the tickets written before 2026-12 their GSI1 keys (the update order, from their own
        updatedAt); how many were given them. The write is conditional on the keys being absent: a
        ticket the API writes meanwhile gets them itself, for its new updatedAt, and is left alone."""
        found = self._batch_get([keys.ticket_key(tenant_id, ticket_id) for ticket_id in ticket_ids])
        indexed = 0
        for item in found:
            if keys.GSI1PK in item:
                continue
            index = keys.ticket_index_key(tenant_id, item["id"]["S"], item["updatedAt"]["S"])
            try:
                self._call(
                    self._client.update_item,
                    TableName=self._table,
                    Key={keys.PK: item[keys.PK], keys.SK: item[keys.SK]},
                    UpdateExpression="SET #gsi1pk = :gsi1pk, #gsi1sk = :gsi1sk",
                    ConditionExpression="attribute_not_exists(#gsi1pk)",
                    ExpressionAttributeNames={"#gsi1pk": keys.GSI1PK, "#gsi1sk": keys.GSI1SK},
                    ExpressionAttributeValues={
                        ":gsi1pk": {"S": index[keys.GSI1PK]},
                        ":gsi1sk": {"S": index[keys.GSI1SK]},
                    },
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                continue  # written since, with its keys
            indexed += 1
        return indexed

    def delete_retired_lists(self, tenant_id: str) -> int:
        """Delete every entry of the tenant's retired lists; how many there were."""
        found = [
            key
            for partition in keys.retired_list_partitions(tenant_id)
            for key in self._partition_keys(partition)
        ]
        self._batch_delete(found)
        return len(found)
