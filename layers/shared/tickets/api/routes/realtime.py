"""/v1/realtime/tokens (any role): a single-use token that opens a WebSocket to the real-time push."""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response

from tickets.api.request import IdempotencyKey, caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import enveloped, success
from tickets.api.services import token_service
from tickets.models.realtime import RealtimeToken

app = build_resolver()


@app.post(
    "/v1/realtime/tokens",
    summary="A token and the WebSocket URL it opens, once, within 60 s",
    responses={201: enveloped(RealtimeToken, "Created: connect to `url` within 60 s")},
)
def create_realtime_token(_idempotency_key: IdempotencyKey = None) -> Response[str]:
    return success(token_service().issue(caller(app)), HTTPStatus.CREATED)
