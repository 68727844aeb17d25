"""GET /v1/tickets/{ticketId}: a ticket, by id or number, with its messages oldest first."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tickets.api.request import caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import success
from tickets.api.services import ticket_service
from tickets.models.requests import GetTicketQuery
from tickets.models.responses import SuccessEnvelope, TicketDetail

app = build_resolver()


@app.get(
    "/v1/tickets/<ticketId>",
    summary="Get a ticket with its messages",
    responses={
        200: {
            "description": "The ticket",
            "content": {"application/json": {"model": SuccessEnvelope[TicketDetail]}},
        }
    },
)
def get_ticket(
    ticketId: Annotated[str, Path(min_length=1, max_length=64)],
    query: Annotated[GetTicketQuery, Query()],
) -> Response[str]:
    reject_unknown_query(app, GetTicketQuery)
    ticket = ticket_service().get_ticket(caller(app), ticketId, query.messages_cursor)
    return success(ticket, version=ticket.version)
