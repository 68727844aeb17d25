"""How a path names a ticket: its id (a ULID), its number (INV-1042) or its number within the tenant
(1042, the JSON:API id of Paymenter's clients)."""

from __future__ import annotations

from tickets.errors import TicketNotFound
from tickets.ids import is_ulid
from tickets.logic import workflow
from tickets.models.domain import TicketSummary
from tickets.store.repository import TicketRepository


def resolve_ticket_id(repository: TicketRepository, tenant_id: str, reference: str) -> str:
    """The ticket id a reference names; 404 for anything else (a number no ticket has)."""
    if is_ulid(reference.upper()):
        return reference.upper()
    sequence = workflow.ticket_sequence(reference)
    if sequence is not None:
        ticket_id = repository.find_ticket_id_by_number(tenant_id, sequence)
        if ticket_id is not None:
            return ticket_id
    raise TicketNotFound(reference)


def names_ticket(ticket: TicketSummary, reference: str) -> bool:
    """A number reference must name this ticket exactly (its prefix too, when it has one); an id
    always does."""
    if is_ulid(reference.upper()) or ticket.ticket_number == reference.upper():
        return True
    bare = reference.isascii() and reference.isdigit()
    return bare and workflow.ticket_sequence(ticket.ticket_number) == int(reference)
