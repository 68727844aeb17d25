"""GET /v1/tickets: a page of ticket summaries with filters, a cursor, and the tenant's stats."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from tickets.api.request import caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import envelope
from tickets.api.services import ticket_service
from tickets.ids import utc_now
from tickets.models.requests import ListTicketsQuery
from tickets.models.responses import ListEnvelope

app = build_resolver()


@app.get(
    "/v1/tickets",
    summary="List tickets",
    responses={200: {"description": "A page", "content": {"application/json": {"model": ListEnvelope}}}},
)
def list_tickets(query: Annotated[ListTicketsQuery, Query()]) -> Response[str]:
    reject_unknown_query(app, ListTicketsQuery)
    page = ticket_service().list_tickets(caller(app), query)
    return envelope(ListEnvelope(data=page.data, meta=page.meta, stats=page.stats, timestamp=utc_now()))
