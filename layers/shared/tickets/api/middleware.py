"""Idempotency-Key: the middleware every resolver runs after request validation, so a malformed
request never takes a key (every write route declares the header, api/request.py:IdempotencyKey,
which validates it). The bookkeeping is api/idempotency.py's."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.metrics import MetricUnit

from tickets.api.request import caller
from tickets.observability import metrics

if TYPE_CHECKING:
    from tickets.api.idempotency import StoredResponse

IDEMPOTENCY_KEY = "Idempotency-Key"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _NotKept(Exception):
    """An error answer returned rather than raised; raising it frees the key (only successes are kept)."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__(response.status_code)
        self.response = response


# Fields of an answer that open something, never kept: a webhook's signing secret; a real-time token,
# and the URL that carries it.
_CREDENTIALS = {"secret": ("secret",), "token": ("token", "url")}


def _without_credentials(body: Any) -> Any:
    """What is kept of an answer: never a credential. The answer that made one shows it; a replay
    (the same Idempotency-Key) has it null: rotate-secret makes a new secret, a new token is asked."""
    if not isinstance(body, str) or not any(f'"{name}"' in body for name in _CREDENTIALS):
        return body
    document = json.loads(body)
    data = document.get("data")
    if isinstance(data, dict):
        for marker, fields in _CREDENTIALS.items():
            if marker in data:
                data |= dict.fromkeys(fields)
    return json.dumps(document, separators=(",", ":"))


def idempotent_writes(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    event = app.current_event
    key = event.headers.get(IDEMPOTENCY_KEY)  # the event's headers are case-insensitive
    if key is None or event.http_method not in _WRITE_METHODS:
        return next_middleware(app)
    # Imported here: only a keyed write needs Powertools Idempotency (and the boto3 it imports).
    from tickets.api import idempotency  # noqa: PLC0415

    # A replay must be the same request: same route and target, same precondition, same JSON body.
    request = {
        "method": event.http_method,
        "path": event.path,
        "ifMatch": event.headers.get("If-Match"),
        "body": event.json_body if event.body else None,
    }

    answered: list[Response[Any]] = []

    def write() -> StoredResponse:
        response = next_middleware(app)
        if response.status_code >= HTTPStatus.BAD_REQUEST:  # e.g. no such route: nothing was done
            raise _NotKept(response)
        answered.append(response)
        body = _without_credentials(response.body)
        return {"status": response.status_code, "body": body, "headers": dict(response.headers)}

    try:
        stored = idempotency.run_once(caller(app).tenant_id, key, request, app.lambda_context, write)
    except _NotKept as refused:
        return refused.response
    if answered and not stored.get("replayed"):
        return answered[0]  # this very request: its own answer, secret and all
    headers = dict(stored["headers"])
    if stored.get("replayed"):
        headers["Idempotent-Replayed"] = "true"
        metrics.add_metric(name="IdempotentReplays", unit=MetricUnit.Count, value=1)
    return Response(status_code=stored["status"], body=stored["body"], headers=headers)
