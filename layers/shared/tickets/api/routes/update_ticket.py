"""PATCH /v1/tickets/{ticketId}: change only the fields sent (status, priority, assignment...)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from tickets.api.request import IdempotencyKey, IfMatch, caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import success
from tickets.api.services import ticket_service
from tickets.models.domain import Ticket
from tickets.models.requests import UpdateTicketRequest
from tickets.models.responses import SuccessEnvelope

app = build_resolver()


@app.patch(
    "/v1/tickets/<ticketId>",
    summary="Update a ticket",
    responses={
        200: {
            "description": "The updated ticket",
            "content": {"application/json": {"model": SuccessEnvelope[Ticket]}},
        }
    },
)
def update_ticket(
    ticketId: Annotated[str, Path(min_length=1, max_length=64)],
    request: Annotated[UpdateTicketRequest, Body(embed=False)],
    expected: IfMatch = None,
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    ticket = ticket_service().update(caller(app), ticketId, request, expected)
    return success(ticket, version=ticket.version)
