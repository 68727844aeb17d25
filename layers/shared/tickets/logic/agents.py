"""The support agents of a tenant: their profile (level, availability, capacity) and current load."""

from __future__ import annotations

from tickets.errors import AgentNotFound
from tickets.ids import utc_now
from tickets.logic import access
from tickets.logic.access import Action, Caller
from tickets.models.domain import Agent
from tickets.models.requests import PatchAgentRequest, PutAgentRequest
from tickets.store.agents import AgentStore


class AgentService:
    def __init__(self, agents: AgentStore) -> None:
        self._agents = agents

    def put(self, caller: Caller, agent_id: str, request: PutAgentRequest) -> tuple[Agent, bool]:
        """The agent as stored, and True when it was created by this call. Replacing an agent's
        profile keeps its load (openTickets), lastAssignedAt and createdAt."""
        access.require(caller, Action.MANAGE_AGENTS)
        now = utc_now()
        agent = Agent(
            tenant_id=caller.tenant_id,
            id=agent_id,
            name=request.name,
            email=request.email,
            level=request.level,
            available=request.available,
            max_open_tickets=request.max_open_tickets,
            created_at=now,
            updated_at=now,
            changed_by=access.actor_of(caller),
        )
        return self._agents.put_agent(agent)

    def patch(self, caller: Caller, agent_id: str, request: PatchAgentRequest) -> Agent:
        """Change only the fields sent (email None: cleared); the agent must exist."""
        access.require(caller, Action.MANAGE_AGENTS)
        changes = request.model_dump(mode="json", by_alias=True, exclude_unset=True)
        agent = self._agents.change_agent(
            caller.tenant_id, agent_id, changes, by=access.actor_of(caller), at=utc_now()
        )
        if agent is None:
            raise AgentNotFound(agent_id, field="agentId")
        return agent

    def list(self, caller: Caller) -> list[Agent]:
        """Every agent of the tenant with its current load, by id (a team is small: no paging)."""
        access.require(caller, Action.READ_AGENTS)
        return sorted(self._agents.list_agents(caller.tenant_id), key=lambda agent: agent.id)
