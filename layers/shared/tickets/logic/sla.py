"""SLA policies (admin keys): create or replace, read, list and delete a tenant's policies."""

from __future__ import annotations

from tickets.errors import Conflict, FieldIssue, SlaPolicyNotFound
from tickets.ids import utc_now
from tickets.logic import access
from tickets.logic.access import Action, Caller
from tickets.models.sla import MAX_POLICIES, PutSlaPolicyRequest, SlaPolicy
from tickets.store.sla import SlaPolicyStore


class SlaPolicyService:
    def __init__(self, policies: SlaPolicyStore) -> None:
        self._policies = policies

    def put(self, caller: Caller, policy_id: str, request: PutSlaPolicyRequest) -> tuple[SlaPolicy, bool]:
        """The policy as stored, and True when this call created it (createdAt is kept on replace)."""
        access.require(caller, Action.MANAGE_SLA_POLICIES)
        existing = {policy.id for policy in self._policies.list_policies(caller.tenant_id)}
        if policy_id not in existing and len(existing) >= MAX_POLICIES:
            raise Conflict(
                f"A tenant has at most {MAX_POLICIES} SLA policies: delete one first",
                [FieldIssue("policyId", f"would be policy {MAX_POLICIES + 1}")],
            )
        now = utc_now()
        policy = SlaPolicy(
            tenant_id=caller.tenant_id,
            id=policy_id,
            name=request.name,
            targets=request.targets,
            business_hours=request.business_hours,
            applies_to=request.applies_to,
            warning_minutes=request.warning_minutes,
            created_at=now,
            updated_at=now,
        )
        return self._policies.put_policy(policy)

    def get(self, caller: Caller, policy_id: str) -> SlaPolicy:
        access.require(caller, Action.MANAGE_SLA_POLICIES)
        policy = self._policies.get_policy(caller.tenant_id, policy_id)
        if policy is None:
            raise SlaPolicyNotFound(policy_id)
        return policy

    def list(self, caller: Caller) -> list[SlaPolicy]:
        """Every policy of the tenant, by id (at most MAX_POLICIES: no paging)."""
        access.require(caller, Action.MANAGE_SLA_POLICIES)
        return self._policies.list_policies(caller.tenant_id)

    def delete(self, caller: Caller, policy_id: str) -> None:
        access.require(caller, Action.MANAGE_SLA_POLICIES)
        if not self._policies.delete_policy(caller.tenant_id, policy_id):
            raise SlaPolicyNotFound(policy_id)
