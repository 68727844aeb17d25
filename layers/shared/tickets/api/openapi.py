"""The API's OpenAPI document, merged from every function's resolver (the same models that validate).

python -m tickets.api.openapi > openapi.json      (make openapi; a test checks it is current)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel

from tickets.api.compat import jtl, paymenter, sellgate, supportdesk
from tickets.api.resolver import TicketsResolver
from tickets.api.routes import (
    agents,
    create_ticket,
    customers,
    delete_ticket,
    get_ticket,
    list_tickets,
    me,
    realtime,
    reply_ticket,
    sla_policies,
    ticket_events,
    update_ticket,
    webhooks,
)
from tickets.models.responses import ErrorEnvelope

TITLE = "Tickets API"
VERSION = "1.0.0"
_RESOLVERS: tuple[TicketsResolver, ...] = tuple(
    module.app
    for module in (
        create_ticket,
        list_tickets,
        get_ticket,
        ticket_events,
        reply_ticket,
        update_ticket,
        delete_ticket,
        customers,
        agents,
        webhooks,
        realtime,
        me,
        sla_policies,
        supportdesk,
        sellgate,
        jtl,
        paymenter,
    )
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
    for resolver in _RESOLVERS:
        _document_query_models(resolver, merged)
    _document_errors(merged, _RESOLVERS)
    _drop_null_defaults_of_fields_that_refuse_null(merged["components"]["schemas"])
    merged["components"]["securitySchemes"] = _SECURITY
    merged["security"] = [{"ApiKey": []}, {"Bearer": []}]
    merged["paths"] = dict(sorted(merged["paths"].items()))
    merged["components"]["schemas"] = dict(sorted(merged["components"]["schemas"].items()))
    return merged


def _document_query_models(resolver: TicketsResolver, merged: dict[str, Any]) -> None:
    """A query string validated as one model is documented from that model's JSON schema, field by
    field: Powertools writes only each field's basic type, which says less than the model enforces
    (bounds, patterns, enums, how many values a filter takes)."""
    # Powertools keeps a resolver's routes here (what its own OpenAPI generation reads).
    for route in (*resolver._static_routes, *resolver._dynamic_routes):
        for parameter in route.dependant.query_params:
            model = parameter.field_info.annotation
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                continue
            schema = model.model_json_schema(by_alias=True, ref_template=_REF_TEMPLATE)
            merged["components"]["schemas"].update(schema.pop("$defs", {}))
            documented = {
                name: _query_parameter(name, field, name in schema.get("required", ()))
                for name, field in schema["properties"].items()
            }
            operation = merged["paths"][route.openapi_path][route.method.lower()]
            operation["parameters"] = [
                documented.get(existing["name"], existing) if existing["in"] == "query" else existing
                for existing in operation.get("parameters", [])
            ]


_REF_TEMPLATE = "#/components/schemas/{model}"


def _query_parameter(name: str, field: dict[str, Any], required: bool) -> dict[str, Any]:
    """One query parameter from its field's schema: optional fields drop their `null` alternative (an
    absent parameter is how a client leaves one out); lists are sent comma-separated."""
    schema = {key: value for key, value in field.items() if key not in ("title", "anyOf")}
    alternatives = [option for option in field.get("anyOf", []) if option != {"type": "null"}]
    if len(alternatives) == 1:
        schema |= alternatives[0]
    elif alternatives:
        schema["anyOf"] = alternatives
    if schema.get("default") is None:
        schema.pop("default", None)
    parameter: dict[str, Any] = {"name": name, "in": "query", "required": required, "schema": schema}
    if schema.get("type") == "array":
        parameter |= {"style": "form", "explode": False}
    return parameter


def _drop_null_defaults_of_fields_that_refuse_null(schemas: dict[str, Any]) -> None:
    """A PATCH field left out is None in Python, which pydantic writes as `"default": null`; where the
    field refuses null (NeverNull), that default would tell a client to send what is refused."""
    for schema in schemas.values():
        for field in schema.get("properties", {}).values():
            admits_null = {"type": "null"} in field.get("anyOf", []) or field.get("type") == "null"
            if "default" in field and field["default"] is None and not admits_null:
                del field["default"]


_ERRORS = {
    "400": "VALIDATION_ERROR: invalid, missing or unknown fields (all listed in details), bad cursor",
    "401": "UNAUTHORIZED: no API key, or an unknown or revoked one",
    "403": "FORBIDDEN (the key's role may not do this), PLAN_LIMIT_REACHED or SELLER_NOT_SERVED",
    "404": "TICKET_NOT_FOUND, CUSTOMER_NOT_FOUND, AGENT_NOT_FOUND, WEBHOOK_NOT_FOUND, DELIVERY_NOT_FOUND "
    "or ROUTE_NOT_FOUND",
    "409": "CONFLICT: the change contradicts the ticket's (or webhook endpoint's) state, or a limit is "
    "reached; IDEMPOTENCY_KEY_REUSED: the key was "
    "used for another request; IDEMPOTENCY_KEY_IN_USE: a request with the key is in flight (Retry-After)",
    "412": "PRECONDITION_FAILED: If-Match names an older version of the ticket (ETag has the current one)",
    "413": "PAYLOAD_TOO_LARGE",
    "415": "UNSUPPORTED_MEDIA_TYPE: a body that is not sent as application/json",
    "429": "RATE_LIMITED (Retry-After)",
    "500": "INTERNAL_ERROR",
    "503": "SERVICE_UNAVAILABLE (Retry-After)",
}


# Answered by API Gateway itself (its authorizer's Deny, its throttling), whatever the route's format.
_GATEWAY_ERRORS = frozenset({"401", "429"})


def _error_body(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """The response content of an error body `model`, its schema added to the components."""
    schema = model.model_json_schema(by_alias=True, ref_template=_REF_TEMPLATE)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"content": {"application/json": {"schema": {"$ref": _REF_TEMPLATE.format(model=model.__name__)}}}}


def _document_errors(merged: dict[str, Any], resolvers: tuple[TicketsResolver, ...]) -> None:
    """Errors are the route's error body (the envelope with a code, or a dialect's own), not
    Powertools' default 422 body; API Gateway's own errors are the envelope on every route."""
    schemas = merged["components"]["schemas"]
    native = _error_body(ErrorEnvelope, schemas)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for resolver in resolvers:
        body = _error_body(resolver.errors.model, schemas)
        for route in (*resolver._static_routes, *resolver._dynamic_routes):
            operation = merged["paths"][route.openapi_path][route.method.lower()]
            operation["responses"].pop("422", None)
            # A dialect's own statuses too (Laravel's 422 for invalid input).
            for status, description in (_ERRORS | resolver.errors.descriptions).items():
                if status in _GATEWAY_ERRORS:
                    answer = {"description": description, **native}
                else:
                    answer = {"description": resolver.errors.descriptions.get(status, description), **body}
                operation["responses"].setdefault(status, answer)


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
