"""SLA policies in the table: one item each under the tenant, the policy as one JSON document (its
targets, business hours and scope are read and written whole)."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from tickets import keys
from tickets.keys import Entity
from tickets.models.sla import SlaPolicy
from tickets.store.items import serialize
from tickets.store.table import Table, TransactionRejected, plain_key, typed_key

_DOCUMENT = ("targets", "businessHours", "appliesTo", "warningMinutes")


# Tenants whose policies a container keeps, at the revision it read them (store/sla.py, policies_at).
_CACHED_TENANTS = 256


class SlaPolicyStore(Table):
    """Each policy write also counts up the tenant's `slaPolicyRevision`, in its transaction: a new
    ticket's create reads the tenant anyway, and with it knows whether the policies this container
    read are still the tenant's (policies_at)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_at: OrderedDict[str, tuple[int, list[SlaPolicy]]] = OrderedDict()

    def put_policy(self, policy: SlaPolicy) -> tuple[SlaPolicy, bool]:
        """Create or replace the policy, keeping its createdAt. True when it was created."""
        data = policy.model_dump(mode="json", by_alias=True)
        values = {
            "entity": Entity.SLA_POLICY,
            "tenantId": policy.tenant_id,
            "id": policy.id,
            "name": policy.name,
            "updatedAt": data["updatedAt"],
            "document": json.dumps({name: data.get(name) for name in _DOCUMENT}, separators=(",", ":")),
        }
        key = keys.sla_policy_key(policy.tenant_id, policy.id)
        names = {f"#{name}": name for name in (*values, "createdAt")}
        sets = [f"#{name} = :{name}" for name in values] + [
            "#createdAt = if_not_exists(#createdAt, :createdAt)"
        ]
        write = {
            "Update": {
                "TableName": self._table,
                "Key": typed_key(key),
                "UpdateExpression": "SET " + ", ".join(sets),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": serialize(
                    {f":{name}": value for name, value in values.items()} | {":createdAt": data["createdAt"]}
                ),
            }
        }
        self._transact([write, self._next_revision(policy.tenant_id)])
        stored = self._get(key)
        assert stored is not None
        policy_now = _policy(stored)
        return policy_now, policy_now.created_at == policy.created_at

    def get_policy(self, tenant_id: str, policy_id: str) -> SlaPolicy | None:
        item = self._get(keys.sla_policy_key(tenant_id, policy_id))
        return _policy(item) if item else None

    def list_policies(self, tenant_id: str) -> list[SlaPolicy]:
        """Every policy of the tenant (tens at most), in id order, as written last."""
        found = self._query_prefix(*keys.sla_policies_partition(tenant_id), consistent=True)
        return [_policy(item) for item in found]

    def policies_at(self, tenant_id: str, revision: int) -> list[SlaPolicy]:
        """The tenant's policies at `revision` (its tenant item's slaPolicyRevision): none at 0, as this
        container read them at that revision, else read now (one Query) and kept."""
        if revision == 0:
            return []
        kept = self._read_at.get(tenant_id)
        if kept is not None and kept[0] == revision:
            self._read_at.move_to_end(tenant_id)
            return kept[1]
        policies = self.list_policies(tenant_id)
        self._read_at[tenant_id] = (revision, policies)
        self._read_at.move_to_end(tenant_id)
        while len(self._read_at) > _CACHED_TENANTS:
            self._read_at.popitem(last=False)
        return policies

    def delete_policy(self, tenant_id: str, policy_id: str) -> bool:
        """Delete the policy; False when there was none."""
        delete = self._delete(keys.sla_policy_key(tenant_id, policy_id))
        delete["Delete"]["ConditionExpression"] = "attribute_exists(PK)"
        try:
            self._transact([delete, self._next_revision(tenant_id)])
        except TransactionRejected as rejected:
            if rejected.reasons and rejected.reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

    def _next_revision(self, tenant_id: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": typed_key(keys.tenant_key(tenant_id)),
                "UpdateExpression": "ADD slaPolicyRevision :one",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }


def _policy(item: dict[str, Any]) -> SlaPolicy:
    values = {name: value["S"] for name, value in item.items() if "S" in value}
    document = json.loads(values.pop("document"))
    fields = {name: values[name] for name in ("tenantId", "id", "name", "createdAt", "updatedAt")}
    return SlaPolicy.model_validate(fields | document)


class SlaClockStore(Table):
    """The clock sweep's entries (keys.sla_clock_key), written by the ticket repository in each
    ticket's own transaction: here they are only read."""

    def due_entries(
        self, partition: str, upto: str, start: dict[str, str] | None, limit: int
    ) -> tuple[list[tuple[str, str, str]], dict[str, str] | None]:
        """(moment, tenant id, ticket id) of the partition's entries due at `upto` or before, in the
        order they are due, and where to read on (None: no more due)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND SK <= :upto",
            # After every `<moment>#...` key of that moment: "~" sorts after the ids' characters.
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":upto": {"S": f"{upto}#~"}},
            "Limit": limit,
            # Half the reads: an entry written a moment ago is read by the next minute's sweep.
            "ConsistentRead": False,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        found = [
            (item[keys.SK]["S"].split("#", 1)[0], item["tenantId"]["S"], item["ticketId"]["S"])
            for item in response["Items"]
        ]
        last = response.get("LastEvaluatedKey")
        return found, plain_key(last) if last else None
