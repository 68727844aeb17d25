"""The API's OpenAPI document, merged from every function's resolver (the same models that validate).

python -m tickets.api.openapi > openapi.json      (make openapi; a test checks it is current)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tickets.api.routes import (
    agents,
    create_ticket,
    customers,
    get_ticket,
    list_tickets,
    reply_ticket,
    update_ticket,
)
from tickets.models.responses import ErrorEnvelope

TITLE = "Tickets API"
VERSION = "1.0.0"
_RESOLVERS: tuple[APIGatewayRestResolver, ...] = tuple(
    module.app
    for module in (create_ticket, list_tickets, get_ticket, reply_ticket, update_ticket, customers, agents)
)
_SECURITY = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "Bearer": {"type": "http", "scheme": "bearer", "description": "The same key as a bearer token"},
}


def document() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for resolver in _RESOLVERS:
        part = json.loads(resolver.get_openapi_json_schema(title=TITLE, version=VERSION))
        if not merged:
            merged = part
            continue
        for path, operations in part.get("paths", {}).items():
            merged["paths"].setdefault(path, {}).update(operations)
        schemas = part.get("components", {}).get("schemas", {})
        merged.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
    _document_errors(merged)
    _document_write_headers(merged)
    merged["components"]["securitySchemes"] = _SECURITY
    merged["security"] = [{"ApiKey": []}, {"Bearer": []}]
    merged["paths"] = dict(sorted(merged["paths"].items()))
    merged["components"]["schemas"] = dict(sorted(merged["components"]["schemas"].items()))
    return merged


_ERRORS = {
    "400": "VALIDATION_ERROR: invalid, missing or unknown fields (all listed in details), bad cursor",
    "401": "UNAUTHORIZED: no API key, or an unknown or revoked one",
    "403": "FORBIDDEN (the key's role may not do this) or PLAN_LIMIT_REACHED",
    "404": "TICKET_NOT_FOUND, CUSTOMER_NOT_FOUND, AGENT_NOT_FOUND or ROUTE_NOT_FOUND",
    "409": "CONFLICT: the change contradicts the ticket's state; IDEMPOTENCY_KEY_REUSED: the key was "
    "used for another request; IDEMPOTENCY_KEY_IN_USE: a request with the key is in flight (Retry-After)",
    "412": "PRECONDITION_FAILED: If-Match names an older version of the ticket (ETag has the current one)",
    "413": "PAYLOAD_TOO_LARGE",
    "429": "RATE_LIMITED (Retry-After)",
    "500": "INTERNAL_ERROR",
    "503": "SERVICE_UNAVAILABLE (Retry-After)",
}


def _document_errors(merged: dict[str, Any]) -> None:
    """Errors are the envelope with a code, not Powertools' default 422 body."""
    envelope = ErrorEnvelope.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schemas = merged["components"]["schemas"]
    schemas.update(envelope.pop("$defs", {}))
    schemas["ErrorEnvelope"] = envelope
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
    for operations in merged["paths"].values():
        for operation in operations.values():
            operation["responses"].pop("422", None)
            for status, description in _ERRORS.items():
                operation["responses"].setdefault(status, {"description": description, **reference})


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key with the same request, within 24 hours, returns "
    "the first response (with Idempotent-Replayed: true) and has no second effect. Scoped to the tenant.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of the ticket as read: the write is only made to that version (else 412).",
    "schema": {"type": "string", "maxLength": 40, "pattern": '^(W/)?"?[0-9]{1,18}"?$'},
}


def _document_write_headers(merged: dict[str, Any]) -> None:
    for path, operations in merged["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            parameters = operation.setdefault("parameters", [])
            parameters.append(_IDEMPOTENCY_KEY)
            if path.startswith("/v1/tickets/"):
                parameters.append(_IF_MATCH)


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
