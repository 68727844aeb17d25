"""The rules of a ticket's life: its numbers, the status machine, who is awaited, who waits for an
agent, and an agent's load. Pure: no I/O (the lists and stats a ticket is in are logic/listing.py's)."""

from __future__ import annotations

from datetime import UTC, datetime

from tickets.errors import Conflict, FieldIssue
from tickets.models.domain import AgentRef, Message, Ticket, TicketChanges, TicketSummary
from tickets.models.enums import Awaiting, Party, TicketStatus

NUMBER_SEPARATOR = "-"
MAX_SEQUENCE_DIGITS = 12
# Open and being handled, or waiting to be: the two statuses assignment moves a ticket between.
_OPEN_STATUSES = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)


def format_ticket_number(prefix: str, sequence: int) -> str:
    return f"{prefix}{NUMBER_SEPARATOR}{sequence}"


def parse_ticket_number(reference: str) -> tuple[str, int] | None:
    """'INV-1042' -> ('INV', 1042); None when the reference is not a ticket number."""
    prefix, separator, digits = reference.rpartition(NUMBER_SEPARATOR)
    if not separator or not prefix or not digits.isdigit() or len(digits) > MAX_SEQUENCE_DIGITS:
        return None
    return prefix.upper(), int(digits)


def ticket_sequence(reference: str) -> int | None:
    """The number within the tenant a reference names: 1042 for 'INV-1042' and for '1042' (the JSON:API
    id of Paymenter's clients); None when it names no number."""
    if reference.isascii() and reference.isdigit() and len(reference) <= MAX_SEQUENCE_DIGITS:
        return int(reference)
    parsed = parse_ticket_number(reference)
    return parsed[1] if parsed is not None else None


def quota_period(moment: datetime) -> str:
    """Quotas are per calendar month, in UTC: '2026-11'."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def initial_status(assigned_agent: AgentRef | None) -> TicketStatus:
    return TicketStatus.IN_PROGRESS if assigned_agent else TicketStatus.OPEN


def waits_for_agent(ticket: TicketSummary) -> bool:
    """In the queue: OPEN and nobody assigned. A ticket on hold, awaiting its customer or closed
    needs no agent until it is OPEN again."""
    return ticket.assigned_agent is None and ticket.status == TicketStatus.OPEN


def awaiting_after(before: Ticket, status: TicketStatus) -> Awaiting:
    """Who a ticket awaits once it is in `status` (the README's status table):
    WAITING_ON_CUSTOMER the customer; ON_HOLD and CLOSED nobody; OPEN and IN_PROGRESS keep who was
    awaited when moving between the two, and await an agent when coming from any other status."""
    if status == TicketStatus.WAITING_ON_CUSTOMER:
        return Awaiting.CUSTOMER
    if status in (TicketStatus.ON_HOLD, TicketStatus.CLOSED):
        return Awaiting.NONE
    if before.status in _OPEN_STATUSES:
        return before.awaiting_response_from
    return Awaiting.AGENT


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


def require_agent_for(status: TicketStatus, agent: AgentRef | None) -> None:
    """IN_PROGRESS means an agent works on it: a ticket without one cannot be."""
    if status == TicketStatus.IN_PROGRESS and agent is None:
        raise Conflict(
            "A ticket without an assigned agent cannot be IN_PROGRESS",
            [FieldIssue("status", "assign an agent first, or use OPEN")],
        )


def apply_update(ticket: Ticket, changes: TicketChanges, now: datetime) -> Ticket:
    """The ticket after a PATCH. A PATCH that changes nothing returns `ticket` itself: nothing is
    written, and its version stays."""
    updated = changes.given()
    agent = changes.assigned_agent if "assigned_agent" in updated else ticket.assigned_agent
    new_status = changes.status or ticket.status
    # Assigning picks an OPEN ticket up and unassigning puts an IN_PROGRESS one back in the queue; an
    # open ticket with an agent is IN_PROGRESS, so OPEN sent for one (a reopen, say) keeps its agent.
    reassigned = "assigned_agent" in updated and "status" not in updated
    if (reassigned and ticket.status in _OPEN_STATUSES) or changes.status == TicketStatus.OPEN:
        new_status = initial_status(agent)
    require_agent_for(new_status, agent)
    updated["status"] = new_status
    if new_status != ticket.status:
        updated["awaiting_response_from"] = awaiting_after(ticket, new_status)
        if new_status == TicketStatus.CLOSED:
            updated["closed_at"] = now
        elif ticket.status == TicketStatus.CLOSED:
            updated["closed_at"] = None
    if all(getattr(ticket, name) == value for name, value in updated.items()):
        return ticket
    updated |= {"updated_at": now, "version": ticket.version + 1}
    return ticket.model_copy(update=updated)


def agent_load_delta(before: Ticket | None, after: Ticket | None) -> dict[str, int]:
    """How each agent's open-ticket load changes: an assigned ticket that is not closed counts one."""

    def load(ticket: Ticket | None) -> dict[str, int]:
        if ticket is None or ticket.assigned_agent is None or ticket.status == TicketStatus.CLOSED:
            return {}
        return {ticket.assigned_agent.id: 1}

    old, new = load(before), load(after)
    delta = {agent: new.get(agent, 0) - old.get(agent, 0) for agent in old.keys() | new.keys()}
    return {agent: change for agent, change in delta.items() if change}
