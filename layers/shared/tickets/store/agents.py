"""Agents in the table: their profile, and the load the ticket writes move (store/repository.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tickets import keys
from tickets.ids import format_timestamp
from tickets.keys import Entity
from tickets.models.domain import Actor, Agent
from tickets.store import items
from tickets.store.table import Table


class AgentStore(Table):
    def put_agent(self, agent: Agent) -> tuple[Agent, bool]:
        """Create the agent, or replace its profile (name, email, level, availability, capacity),
        keeping its load, last assignment and createdAt. True when it was created."""
        stored = items.agent_attributes(agent)
        profile = {
            name: stored.get(name)
            for name in ("name", "email", "level", "available", "maxOpenTickets", "updatedAt", "changedBy")
        }
        kept = {"openTickets": 0, "createdAt": stored["createdAt"]}
        fixed = {"entity": Entity.AGENT, "tenantId": agent.tenant_id, "id": agent.id}
        agent_now = self._update_agent(agent.tenant_id, agent.id, profile | fixed, kept, condition=None)
        assert agent_now is not None
        return agent_now, agent_now.created_at == agent.created_at

    def change_agent(
        self, tenant_id: str, agent_id: str, changes: dict[str, Any], *, by: Actor, at: datetime
    ) -> Agent | None:
        """Set some profile fields (camelCase names) of an existing agent, `by` whom and `at` when;
        None if there is none."""
        values = changes | {"updatedAt": format_timestamp(at)} | items.actor_attribute("changedBy", by)
        return self._update_agent(tenant_id, agent_id, values, {}, condition="attribute_exists(PK)")

    def _update_agent(
        self,
        tenant_id: str,
        agent_id: str,
        values: dict[str, Any],
        kept: dict[str, Any],
        condition: str | None,
    ) -> Agent | None:
        attributes = self._update(keys.agent_key(tenant_id, agent_id), values, kept, condition)
        return items.agent_from_item(attributes) if attributes is not None else None

    def list_agents(self, tenant_id: str) -> list[Agent]:
        """Every agent of the tenant (a support team: tens, not thousands), in id order."""
        return [items.agent_from_item(item) for item in self._query_prefix(*keys.agents_partition(tenant_id))]

    def get_agent(self, tenant_id: str, agent_id: str) -> Agent | None:
        item = self._get(keys.agent_key(tenant_id, agent_id))
        return items.agent_from_item(item) if item else None
