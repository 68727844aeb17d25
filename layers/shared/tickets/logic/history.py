"""A ticket's history (GET /v1/tickets/{ticketId}/events): who changed what, from what to what, and
when, oldest first. Whoever may read the ticket may read its history."""

from __future__ import annotations

from tickets.errors import TicketNotFound
from tickets.logic import access, references
from tickets.logic.access import Action, Caller
from tickets.logic.cursor import CursorCodec
from tickets.models.requests import ListEventsQuery
from tickets.models.responses import EventPage, PageMeta
from tickets.store.history import HistoryStore
from tickets.store.repository import TicketRepository


class HistoryService:
    def __init__(self, repository: TicketRepository, history: HistoryStore, cursors: CursorCodec) -> None:
        self._repository = repository
        self._history = history
        self._cursors = cursors

    def events(self, caller: Caller, reference: str, query: ListEventsQuery) -> EventPage:
        access.require(caller, Action.READ_TICKETS)
        tenant_id = caller.tenant_id
        ticket_id = references.resolve_ticket_id(self._repository, tenant_id, reference)
        ticket = self._repository.get_ticket(tenant_id, ticket_id)
        if ticket is None or not references.names_ticket(ticket, reference):
            raise TicketNotFound(reference)
        scope = f"events:{ticket_id}"
        start = self._cursors.decode(tenant_id, scope, query.cursor) if query.cursor else None
        found, resume = self._history.read(tenant_id, ticket_id, start, query.limit)
        cursor = self._cursors.encode(tenant_id, scope, resume) if resume else None
        return EventPage(data=found, meta=PageMeta(limit=query.limit, count=len(found), next_cursor=cursor))
