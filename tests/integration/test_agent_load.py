"""An agent's load (open assigned tickets) moves in the same transaction as the ticket."""

from __future__ import annotations

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tickets.store.repository import TicketRepository

TICKET = {"customerExternalId": "user_42", "subject": "Refund not received"}


def load(repository: TicketRepository, agent_id: str) -> int:
    agent = repository.get_agent("acme", agent_id)
    assert agent is not None
    return agent.open_tickets


def test_assigning_closing_reopening_and_reassigning_move_the_load(
    api: Api, seed: Seeder, repository: TicketRepository
) -> None:
    seed.agent(agent_id="agent_n2", name="Agent N2")
    ticket_id = api.create(TICKET).data["id"]

    api.update(ticket_id, {"assignedAgentId": "agent_n1"})
    assert (load(repository, "agent_n1"), load(repository, "agent_n2")) == (1, 0)
    assert repository.get_agent("acme", "agent_n1").last_assigned_at is not None  # type: ignore[union-attr]

    api.update(ticket_id, {"status": "CLOSED"})
    assert load(repository, "agent_n1") == 0

    api.reply(ticket_id, {"message": "It is still missing!", "from": {"role": "CUSTOMER"}})  # reopens
    assert load(repository, "agent_n1") == 1

    api.update(ticket_id, {"assignedAgentId": "agent_n2"})
    assert (load(repository, "agent_n1"), load(repository, "agent_n2")) == (0, 1)

    api.update(ticket_id, {"assignedAgentId": None})
    assert (load(repository, "agent_n1"), load(repository, "agent_n2")) == (0, 0)


def test_replies_and_other_changes_leave_the_load_alone(api: Api, repository: TicketRepository) -> None:
    ticket_id = api.create(TICKET).data["id"]
    api.update(ticket_id, {"assignedAgentId": "agent_n1"})
    api.reply(ticket_id, {"message": "Looking into it"})
    api.update(ticket_id, {"priority": "URGENT", "status": "ON_HOLD"})
    assert load(repository, "agent_n1") == 1
