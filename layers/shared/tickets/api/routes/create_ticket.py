"""POST /v1/tickets: create a ticket (201), or return the one with the same externalId (200)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from tickets.api.request import IdempotencyKey, caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import enveloped, success
from tickets.api.services import ticket_service
from tickets.models.domain import Ticket
from tickets.models.requests import CreateTicketRequest
from tickets.observability import metrics

app = build_resolver()


@app.post(
    "/v1/tickets",
    summary="Create a ticket",
    responses={
        201: enveloped(Ticket, "Created"),
        200: enveloped(Ticket, "A ticket with this externalId exists already: that ticket, unchanged"),
    },
)
def create_ticket(
    request: Annotated[CreateTicketRequest, Body(embed=False)], _idempotency_key: IdempotencyKey = None
) -> Response[str]:
    ticket, created = ticket_service().create_ticket(caller(app), request)
    metrics.add_metric(
        name="TicketsCreated" if created else "TicketCreateReplays", unit=MetricUnit.Count, value=1
    )
    return success(ticket, HTTPStatus.CREATED if created else HTTPStatus.OK, version=ticket.version)
