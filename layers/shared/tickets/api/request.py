"""What a request carries besides its body: who calls (the authorizer's context), the If-Match and
Idempotency-Key headers as route parameters, and the checks of a body before routing (size, media
type, one JSON object)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Header
from pydantic import AfterValidator, BaseModel, BeforeValidator, WithJsonSchema

from tickets.api.responses import JSON, NOT_JSON, NOT_JSON_MESSAGE
from tickets.errors import DomainError, ErrorCode, FieldIssue, Unauthorized, ValidationFailed
from tickets.logic.access import Caller
from tickets.models.enums import Role

MAX_BODY_BYTES = 128 * 1024
_TENANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def caller(app: APIGatewayRestResolver) -> Caller:
    """Who is calling, as the authorizer put it in the request context (and nowhere else)."""
    context = app.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    tenant, role = context.get("tenantId"), context.get("role")
    if not isinstance(tenant, str) or not _TENANT_ID.match(tenant) or not isinstance(role, str):
        raise Unauthorized()
    try:
        return Caller(
            tenant_id=tenant,
            role=Role(role),
            key_id=str(context.get("keyId") or ""),
            agent_id=context.get("agentId") or None,
        )
    except ValueError:
        raise Unauthorized() from None


# One entity tag as we send it ("3"), weak (W/"3") or bare (3); If-Match may list several.
_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,18})"?$')
MAX_IF_MATCH_TAGS = 20
_ETAG_PATTERN = '(W/)?"?[0-9]{1,18}"?'
_IF_MATCH_PATTERN = rf"^\s*(\*|{_ETAG_PATTERN}(\s*,\s*{_ETAG_PATTERN}){{0,{MAX_IF_MATCH_TAGS - 1}}})\s*$"


def _versions(value: object) -> frozenset[int] | None:
    """The ticket versions an If-Match header accepts (RFC 9110: one or more ETags, comma-separated);
    None without one, or for `*` (any current version: the ticket must exist, as it must anyway)."""
    if value is None or (isinstance(value, str) and value.strip() == "*"):
        return None
    tags = [tag.strip() for tag in str(value).split(",")]
    matches = [_ETAG.match(tag) for tag in tags]
    if len(tags) > MAX_IF_MATCH_TAGS or not all(matches):
        raise ValueError(f'use the ETag, e.g. "3" (or *, or up to {MAX_IF_MATCH_TAGS} ETags)')
    return frozenset(int(match.group(1)) for match in matches if match)


IfMatch = Annotated[
    frozenset[int] | None,
    BeforeValidator(_versions),
    WithJsonSchema({"type": "string", "maxLength": 512, "pattern": _IF_MATCH_PATTERN}),
    Header(
        alias="If-Match",
        description="The ETag of the ticket as read: the write is only made to that version (else 412); "
        "* accepts any version, and several ETags any one of them.",
    ),
]
"""A route parameter: the versions If-Match accepts, None for any."""


# Visible ASCII, as Stripe's keys (a UUID is the usual choice).
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _idempotency_key(value: str | None) -> str | None:
    if value is not None and not _IDEMPOTENCY_KEY.match(value):
        raise ValueError("must be 1 to 255 visible ASCII characters, e.g. a UUID")
    return value


IdempotencyKey = Annotated[
    str | None,
    AfterValidator(_idempotency_key),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"}),
    Header(
        alias="Idempotency-Key",
        description="Makes a retry safe: the same key with the same request, within 24 hours, returns "
        "the first response (with Idempotent-Replayed: true) and has no second effect. Scoped to the tenant.",
    ),
]
"""Every write route declares it (validated and documented here); api/middleware.py acts on it."""


def reject_unknown_query(app: APIGatewayRestResolver, model: type[BaseModel]) -> None:
    """Query parameters the model does not know are an error, not silently ignored (typos)."""
    known = {field.alias or name for name, field in model.model_fields.items()}
    unknown = sorted(set(app.current_event.query_string_parameters or {}) - known)
    if unknown:
        raise ValidationFailed(
            "Unknown query parameters", [FieldIssue(name, "is not a known parameter") for name in unknown]
        )


# The body, before routing ------------------------------------------------------------------------


def rejected_body(event: Mapping[str, Any]) -> DomainError | None:
    """Why the body is refused before routing, if it is (answered in the resolver's ErrorFormat)."""
    body = event.get("body")
    if not body:
        return None
    return _reject_size(body) or _reject_media_type(event) or _reject_json(body)


def _reject_size(body: str) -> DomainError | None:
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError:
        return ValidationFailed(
            "The body is not valid UTF-8", [FieldIssue("body", "is not valid UTF-8 text")]
        )
    if size > MAX_BODY_BYTES:
        return DomainError(ErrorCode.PAYLOAD_TOO_LARGE, f"The body is larger than {MAX_BODY_BYTES} bytes")
    return None


def _reject_media_type(event: Mapping[str, Any]) -> DomainError | None:
    """A body is JSON: sent as application/json (any case, any parameters), or with no Content-Type at
    all (read as JSON: some HTTP clients send none). Any other type is a 415."""
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    content_type = (headers.get("content-type") or JSON).split(";")[0].strip().lower()
    if content_type != JSON:
        return DomainError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "The body must be JSON",
            [FieldIssue("Content-Type", f"must be {JSON}, not {content_type}")],
        )
    return None


def _reject_json(body: str) -> DomainError | None:
    if body.lstrip().startswith("{"):
        return None  # an object, or malformed JSON that the validation reports
    # Powertools would unwrap a one-element array into its element; a body is one object.
    try:
        parse_json(body)
    except json.JSONDecodeError:
        return ValidationFailed(NOT_JSON_MESSAGE, [NOT_JSON])
    return ValidationFailed("The body must be a JSON object", [FieldIssue("body", "must be a JSON object")])


def parse_json(body: str) -> Any:
    """The body's one parse (Powertools' validation reads it; so does the idempotency middleware).
    What json.loads fails on besides syntax, nesting past the recursion limit and integers over 4,300
    digits, is invalid JSON too: a 400, not a 500."""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as error:
        raise json.JSONDecodeError(f"cannot be parsed ({type(error).__name__})", body, 0) from None


def lowercase_content_type(event: Mapping[str, Any]) -> dict[str, Any]:
    """Media types are case-insensitive; Powertools only reads a lowercase `application/json`."""

    def is_content_type(name: str) -> bool:
        return name.lower() == "content-type"

    headers = event.get("headers") or {}
    multi = event.get("multiValueHeaders") or {}
    return dict(event) | {
        "headers": {
            name: value.lower() if is_content_type(name) else value for name, value in headers.items()
        },
        "multiValueHeaders": {
            name: [value.lower() for value in values] if is_content_type(name) else values
            for name, values in multi.items()
        },
    }
