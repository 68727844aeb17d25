"""GET /v1/tickets/{ticketId}/events: a ticket's history, oldest first, a page at a time."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tickets.api.request import caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import envelope
from tickets.api.services import history_service
from tickets.ids import utc_now
from tickets.models.requests import ListEventsQuery
from tickets.models.responses import EventListEnvelope

app = build_resolver()


@app.get(
    "/v1/tickets/<ticketId>/events",
    summary="A ticket's history: who changed what, from what to what, and when",
    responses={
        200: {
            "description": "A page of events",
            "content": {"application/json": {"model": EventListEnvelope}},
        }
    },
)
def list_ticket_events(
    ticketId: Annotated[str, Path(min_length=1, max_length=64)],
    query: Annotated[ListEventsQuery, Query()],
) -> Response[str]:
    reject_unknown_query(app, ListEventsQuery)
    page = history_service().events(caller(app), ticketId, query)
    return envelope(EventListEnvelope(data=page.data, meta=page.meta, timestamp=utc_now()))
