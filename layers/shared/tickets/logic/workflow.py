"""The ticket status machine, and what a ticket's state contributes to lists and stats."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tickets.errors import Conflict, FieldIssue
from tickets.keys import ListDimension, ListMembership
from tickets.models.domain import AgentRef, Message, Ticket
from tickets.models.enums import Awaiting, Party, TicketStatus

if TYPE_CHECKING:
    from tickets.store.repository import TicketRepository

NUMBER_SEPARATOR = "-"
# Open tickets with no agent, oldest first: what automatic assignment works through.
UNASSIGNED_QUEUE = ListMembership(ListDimension.UNASSIGNED, "QUEUE")
MAX_SEQUENCE_DIGITS = 12


def format_ticket_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{NUMBER_SEPARATOR}{sequence}"


def parse_ticket_number(reference: str) -> tuple[str, int] | None:
    """'INV-1042' -> ('INV', 1042); None when the reference is not a ticket number."""
    prefix, separator, digits = reference.rpartition(NUMBER_SEPARATOR)
    if not separator or not prefix or not digits.isdigit() or len(digits) > MAX_SEQUENCE_DIGITS:
        return None
    return prefix.upper(), int(digits)


def quota_period(moment: datetime) -> str:
    """Quotas are per calendar month, in UTC: '2026-11'."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def initial_status(assigned_agent: AgentRef | None) -> TicketStatus:
    return TicketStatus.IN_PROGRESS if assigned_agent else TicketStatus.OPEN


def apply_reply(ticket: Ticket, message: Message, now: datetime) -> Ticket:
    """The ticket after a message: the message count, and the status rules of a reply."""
    changes: dict[str, object] = {
        "message_count": ticket.message_count + 1,
        "updated_at": now,
        "version": ticket.version + 1,
    }
    if message.internal:
        return ticket.model_copy(update=changes)
    if message.from_.role == Party.AGENT:
        changes |= {
            "status": TicketStatus.WAITING_ON_CUSTOMER,
            "awaiting_response_from": Awaiting.CUSTOMER,
            "has_agent_reply": True,
            "first_response_at": ticket.first_response_at or now,
            "closed_at": None,
        }
    else:
        changes |= {
            "status": initial_status(ticket.assigned_agent),
            "awaiting_response_from": Awaiting.AGENT,
            "closed_at": None,
        }
    return ticket.model_copy(update=changes)


def apply_update(ticket: Ticket, changes: dict[str, object], now: datetime) -> Ticket:
    """The ticket after a PATCH. `changes` holds only the fields the caller sent (snake_case),
    with assigned_agent already resolved to an AgentRef or None."""
    updated = dict(changes)
    status_sent = "status" in changes
    # Assigning picks the ticket up; unassigning puts it back in the queue.
    if (
        "assigned_agent" in changes
        and not status_sent
        and ticket.status in (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)
    ):
        updated["status"] = initial_status(changes["assigned_agent"])  # type: ignore[arg-type]
    new_status = updated.get("status", ticket.status)
    agent = updated.get("assigned_agent", ticket.assigned_agent)
    if new_status == TicketStatus.IN_PROGRESS and agent is None:
        raise Conflict(
            "A ticket without an assigned agent cannot be IN_PROGRESS",
            [FieldIssue("status", "assign an agent first, or use OPEN")],
        )
    if new_status == TicketStatus.CLOSED and ticket.status != TicketStatus.CLOSED:
        updated |= {"closed_at": now, "awaiting_response_from": Awaiting.NONE}
    elif new_status != TicketStatus.CLOSED and ticket.status == TicketStatus.CLOSED:
        updated |= {"closed_at": None, "awaiting_response_from": Awaiting.AGENT}
    updated |= {"updated_at": now, "version": ticket.version + 1}
    return ticket.model_copy(update=updated)


def list_memberships(ticket: Ticket) -> set[ListMembership]:
    """Every list the ticket appears in. The unassigned queue holds only tickets still open."""
    memberships = {
        ListMembership(ListDimension.ALL, "ALL"),
        ListMembership(ListDimension.STATUS, ticket.status),
        ListMembership(ListDimension.PRIORITY, ticket.priority),
        ListMembership(ListDimension.CUSTOMER, ticket.customer.external_id),
    }
    if ticket.assigned_agent:
        memberships.add(ListMembership(ListDimension.AGENT, ticket.assigned_agent.id))
    elif ticket.status != TicketStatus.CLOSED:
        memberships.add(UNASSIGNED_QUEUE)
    if ticket.awaiting_response_from != Awaiting.NONE:
        memberships.add(ListMembership(ListDimension.AWAITING, ticket.awaiting_response_from))
    memberships.update(ListMembership(ListDimension.TAG, tag) for tag in ticket.tag_ids)
    return memberships


def stats_contribution(ticket: Ticket | None) -> dict[str, int]:
    """The counters one ticket adds to its tenant's stats; the store applies new minus old."""
    if ticket is None:
        return {}
    open_unassigned = ticket.assigned_agent is None and ticket.status != TicketStatus.CLOSED
    return {
        "total": 1,
        f"status_{ticket.status}": 1,
        "needsResponse": int(ticket.awaiting_response_from == Awaiting.AGENT),
        "unassigned": int(open_unassigned),
    }


def agent_load_delta(before: Ticket | None, after: Ticket | None) -> dict[str, int]:
    """How each agent's open-ticket load changes: an assigned ticket that is not closed counts one."""

    def load(ticket: Ticket | None) -> dict[str, int]:
        if ticket is None or ticket.assigned_agent is None or ticket.status == TicketStatus.CLOSED:
            return {}
        return {ticket.assigned_agent.id: 1}

    old, new = load(before), load(after)
    delta = {agent: new.get(agent, 0) - old.get(agent, 0) for agent in old.keys() | new.keys()}
    return {agent: change for agent, change in delta.items() if change}


def stats_delta(before: Ticket | None, after: Ticket | None) -> dict[str, int]:
    old, new = stats_contribution(before), stats_contribution(after)
    delta = {name: new.get(name, 0) - old.get(name, 0) for name in old.keys() | new.keys()}
    return {name: value for name, value in delta.items() if value}


def save_change(
    repository: TicketRepository,
    before: Ticket,
    after: Ticket,
    *,
    message: Message | None = None,
    within_capacity: bool = False,
) -> None:
    """Write a ticket change with everything that follows from it: lists, stats and agents' loads.
    Raises the repository's StaleWrite (or AgentUnavailable with `within_capacity`)."""
    repository.save_ticket(
        before,
        after,
        memberships_before=list_memberships(before),
        memberships_after=list_memberships(after),
        stats_delta=stats_delta(before, after),
        agent_load_delta=agent_load_delta(before, after),
        message=message,
        within_capacity=within_capacity,
    )
