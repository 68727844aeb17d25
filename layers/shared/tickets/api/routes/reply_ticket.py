"""POST /v1/tickets/{ticketId} (Sellgate's reply) and POST /v1/tickets/{ticketId}/messages."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit

from tickets.api.request import IdempotencyKey, IfMatch, caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import success
from tickets.api.services import ticket_service
from tickets.models.requests import ReplyRequest
from tickets.models.responses import ReplyResult, SuccessEnvelope
from tickets.observability import metrics

app = build_resolver()
_CREATED: dict[int, OpenAPIResponse] = {
    201: {
        "description": "Message added",
        "content": {"application/json": {"model": SuccessEnvelope[ReplyResult]}},
    }
}


@app.post("/v1/tickets/<ticketId>", summary="Reply to a ticket", responses=_CREATED)
@app.post("/v1/tickets/<ticketId>/messages", summary="Add a message to a ticket", responses=_CREATED)
def reply_ticket(
    ticketId: Annotated[str, Path(min_length=1, max_length=64)],
    request: Annotated[ReplyRequest, Body(embed=False)],
    expected: IfMatch = None,
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    result = ticket_service().reply(caller(app), ticketId, request, expected)
    metrics.add_metric(name="MessagesAdded", unit=MetricUnit.Count, value=1)
    return success(result, HTTPStatus.CREATED, version=result.ticket.version)
