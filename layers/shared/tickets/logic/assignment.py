"""Automatic assignment: which available N1 agent gets a new ticket, and why."""

from __future__ import annotations

from datetime import UTC, datetime

from tickets.models.domain import SYSTEM, Agent, Assignment, AssignmentCandidate, Ticket
from tickets.models.enums import AgentLevel, TicketStatus

RULE = "available N1 agent with the lowest open-ticket load below its maximum; ties: least recently assigned"
_NEVER = datetime.min.replace(tzinfo=UTC)


def eligible(agent: Agent) -> bool:
    return agent.level == AgentLevel.N1 and agent.available and agent.open_tickets < agent.max_open_tickets


def choose(agents: list[Agent], now: datetime) -> Assignment | None:
    """The assignment the rule makes among `agents`, with the candidates it weighed; None if nobody fits."""
    candidates = sorted(
        (agent for agent in agents if eligible(agent)),
        key=lambda agent: (agent.open_tickets, agent.last_assigned_at or _NEVER, agent.id),
    )
    if not candidates:
        return None
    return Assignment(
        rule=RULE,
        agent_id=candidates[0].id,
        candidates=[
            AssignmentCandidate(
                agent_id=agent.id,
                open_tickets=agent.open_tickets,
                max_open_tickets=agent.max_open_tickets,
                last_assigned_at=agent.last_assigned_at,
            )
            for agent in candidates
        ],
        assigned_at=now,
    )


def assign(ticket: Ticket, agent: Agent, assignment: Assignment) -> Ticket:
    """The ticket picked up by the chosen agent."""
    return ticket.model_copy(
        update={
            "assigned_agent": agent.ref(),
            "status": TicketStatus.IN_PROGRESS,
            "assignment": assignment,
            "changed_by": SYSTEM,
            "updated_at": assignment.assigned_at,
            "version": ticket.version + 1,
        }
    )
