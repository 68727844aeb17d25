"""DELETE /v1/tickets/{ticketId}: the ticket and all that is its, gone (admin keys only)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from tickets.api.request import IdempotencyKey, IfMatch, caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import no_content, no_content_documented
from tickets.api.services import ticket_service

app = build_resolver()


@app.delete(
    "/v1/tickets/<ticketId>",
    summary="Delete a ticket with its messages",
    responses={204: no_content_documented("Deleted: a GET or another DELETE of it is 404")},
)
def delete_ticket(
    ticketId: Annotated[str, Path(min_length=1, max_length=64)],
    expected: IfMatch = None,
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    ticket_service().delete(caller(app), ticketId, expected)
    return no_content()
