"""SLA policies in the table: one item each under the tenant, the policy as one JSON document (its
targets, business hours and scope are read and written whole)."""

from __future__ import annotations

import json
from typing import Any

from tickets import keys
from tickets.keys import Entity
from tickets.models.sla import SlaPolicy
from tickets.store.table import Table

_DOCUMENT = ("targets", "businessHours", "appliesTo")


class SlaPolicyStore(Table):
    def put_policy(self, policy: SlaPolicy) -> tuple[SlaPolicy, bool]:
        """Create or replace the policy, keeping its createdAt. True when it was created."""
        data = policy.model_dump(mode="json", by_alias=True)
        values = {
            "entity": Entity.SLA_POLICY,
            "tenantId": policy.tenant_id,
            "id": policy.id,
            "name": policy.name,
            "updatedAt": data["updatedAt"],
            "document": json.dumps({name: data[name] for name in _DOCUMENT}, separators=(",", ":")),
        }
        key = keys.sla_policy_key(policy.tenant_id, policy.id)
        stored = self._update(key, values, {"createdAt": data["createdAt"]}, condition=None)
        assert stored is not None
        policy_now = _policy(stored)
        return policy_now, policy_now.created_at == policy.created_at

    def get_policy(self, tenant_id: str, policy_id: str) -> SlaPolicy | None:
        item = self._get(keys.sla_policy_key(tenant_id, policy_id))
        return _policy(item) if item else None

    def list_policies(self, tenant_id: str) -> list[SlaPolicy]:
        """Every policy of the tenant (tens at most), in id order."""
        return [_policy(item) for item in self._query_prefix(*keys.sla_policies_partition(tenant_id))]

    def delete_policy(self, tenant_id: str, policy_id: str) -> bool:
        """Delete the policy; False when there was none."""
        return self._delete_existing(keys.sla_policy_key(tenant_id, policy_id))


def _policy(item: dict[str, Any]) -> SlaPolicy:
    values = {name: value["S"] for name, value in item.items() if "S" in value}
    document = json.loads(values.pop("document"))
    fields = {name: values[name] for name in ("tenantId", "id", "name", "createdAt", "updatedAt")}
    return SlaPolicy.model_validate(fields | document)
