"""An agent's load (open assigned tickets) moves in the same transaction as the ticket."""

from __future__ import annotations

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tickets.store.agents import AgentStore

TICKET = {"customerExternalId": "user_42", "subject": "Refund not received"}


def load(agents: AgentStore, agent_id: str) -> int:
    agent = agents.get_agent("acme", agent_id)
    assert agent is not None
    return agent.open_tickets


def test_assigning_closing_reopening_and_reassigning_move_the_load(
    api: Api, seed: Seeder, agents: AgentStore
) -> None:
    seed.agent(agent_id="agent_n2", name="Agent N2")
    ticket_id = api.create(TICKET).data["id"]

    api.update(ticket_id, {"assignedAgentId": "agent_n1"})
    assert (load(agents, "agent_n1"), load(agents, "agent_n2")) == (1, 0)
    assert agents.get_agent("acme", "agent_n1").last_assigned_at is not None  # type: ignore[union-attr]

    api.update(ticket_id, {"status": "CLOSED"})
    assert load(agents, "agent_n1") == 0

    api.reply(ticket_id, {"message": "It is still missing!", "from": {"role": "CUSTOMER"}})  # reopens
    assert load(agents, "agent_n1") == 1

    api.update(ticket_id, {"assignedAgentId": "agent_n2"})
    assert (load(agents, "agent_n1"), load(agents, "agent_n2")) == (0, 1)

    api.update(ticket_id, {"assignedAgentId": None})
    assert (load(agents, "agent_n1"), load(agents, "agent_n2")) == (0, 0)


def test_replies_and_other_changes_leave_the_load_alone(api: Api, agents: AgentStore) -> None:
    ticket_id = api.create(TICKET).data["id"]
    api.update(ticket_id, {"assignedAgentId": "agent_n1"})
    api.reply(ticket_id, {"message": "Looking into it"})
    api.update(ticket_id, {"priority": "URGENT", "status": "ON_HOLD"})
    assert load(agents, "agent_n1") == 1
