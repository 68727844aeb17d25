"""The resolver every function uses: JSON-only bodies, the response envelope, and the one mapping
from errors to HTTP responses."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from http import HTTPStatus
from typing import Any, ClassVar
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from tickets import clients
from tickets.api import idempotency
from tickets.errors import (
    HTTP_STATUS,
    DomainError,
    ErrorCode,
    FieldIssue,
    PreconditionFailed,
    Unauthorized,
    ValidationFailed,
)
from tickets.ids import utc_now
from tickets.logic.access import Caller
from tickets.logic.agents import AgentService
from tickets.logic.cursor import CursorCodec
from tickets.logic.customers import CustomerService
from tickets.logic.service import TicketService
from tickets.models.enums import Role
from tickets.models.responses import ErrorBody, ErrorDetail, ErrorEnvelope, SuccessEnvelope
from tickets.observability import logger, metrics
from tickets.settings import get_settings
from tickets.store.repository import TicketRepository

MAX_BODY_BYTES = 128 * 1024
_TENANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_JSON = "application/json"


def _json_response(status: int, payload: BaseModel, headers: dict[str, str] | None = None) -> Response[str]:
    body = payload.model_dump_json(by_alias=True)
    return Response(status_code=status, content_type=_JSON, body=body, headers=headers)


def document(
    payload: BaseModel,
    status: int = HTTPStatus.OK,
    version: int | None = None,
    *,
    omit: set[str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    """A dialect's own JSON document, without the envelope; `version` (a ticket's) becomes the ETag,
    `omit` names top-level fields a document leaves out rather than sends as null."""
    all_headers = (headers or {}) | ({"ETag": f'"{version}"'} if version is not None else {})
    body = payload.model_dump_json(by_alias=True, exclude=omit or None)
    return Response(status_code=status, content_type=_JSON, body=body, headers=all_headers or None)


def documented(model: Any, description: str) -> OpenAPIResponse:
    """An OpenAPI response whose body is `model` itself (a dialect's document)."""
    return {"description": description, "content": {"application/json": {"model": model}}}


def enveloped(model: Any, description: str) -> OpenAPIResponse:
    """An OpenAPI response whose body is the success envelope around `model`."""
    return {"description": description, "content": {"application/json": {"model": SuccessEnvelope[model]}}}


def success(data: Any, status: HTTPStatus = HTTPStatus.OK, version: int | None = None) -> Response[str]:
    """The success envelope; `version` (a ticket's) becomes the ETag a client sends back in If-Match."""
    headers = {"ETag": f'"{version}"'} if version is not None else None
    return _json_response(status, SuccessEnvelope[Any](data=data, timestamp=utc_now()), headers)


def _header(app: APIGatewayRestResolver, name: str) -> str | None:
    """A request header by its case-insensitive name."""
    headers = {key.lower(): value for key, value in (app.current_event.headers or {}).items()}
    return headers.get(name.lower())


# One entity tag as we send it ("3"), weak (W/"3") or bare (3); If-Match may list several.
_ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,18})"?$')
MAX_IF_MATCH_TAGS = 20


def expected_versions(app: APIGatewayRestResolver) -> frozenset[int] | None:
    """The ticket versions an If-Match header accepts (RFC 9110: one or more ETags, comma-separated);
    None without one, or for `*` (any current version: the ticket must exist, as it must anyway)."""
    value = _header(app, "If-Match")
    if value is None or value.strip() == "*":
        return None
    tags = [tag.strip() for tag in value.split(",")]
    matches = [_ETAG.match(tag) for tag in tags]
    if len(tags) > MAX_IF_MATCH_TAGS or not all(matches):
        raise ValidationFailed(
            "If-Match must be the ETag of the ticket",
            [FieldIssue("If-Match", f'use the ETag, e.g. "3" (or *, or up to {MAX_IF_MATCH_TAGS} ETags)')],
        )
    return frozenset(int(match.group(1)) for match in matches if match)


def no_content_documented(description: str) -> OpenAPIResponse:
    """The OpenAPI response of no_content(): no body, labelled text."""
    return {
        "description": description,
        "content": {"text/plain": {"schema": {"type": "string", "maxLength": 0}}},
    }


def no_content() -> Response[str]:
    """204: done, nothing to say (a DELETE). Its Content-Type says text: given none, API Gateway would
    add application/json and announce JSON that is not there."""
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type="text/plain", body="")


def envelope(payload: BaseModel, status: HTTPStatus = HTTPStatus.OK) -> Response[str]:
    return _json_response(status, payload)


def error_headers(code: ErrorCode) -> dict[str, str] | None:
    """The headers an error answer carries whatever its format: when to retry."""
    retry_later = code in (ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.IDEMPOTENCY_KEY_IN_USE)
    return {"Retry-After": "1"} if retry_later else None


def error_response(code: ErrorCode, message: str, details: list[FieldIssue] | None = None) -> Response[str]:
    body = ErrorBody(
        code=code,
        message=message,
        details=[ErrorDetail(field=issue.field, message=issue.message) for issue in details or []],
    )
    envelope = ErrorEnvelope(error=body, timestamp=utc_now())
    return _json_response(HTTP_STATUS[code], envelope, error_headers(code))


def field_name(location: tuple[Any, ...]) -> str:
    """('body', 'order', 'amount') -> 'order.amount'; ('query', 'query', 'limit') -> 'limit' (query
    parameters are validated as one model, whose argument name Powertools puts first)."""
    parts = [str(part) for part in location[1:] if not str(part).startswith("function-after")]
    if location and location[0] == "query" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or str(location[0] if location else "body")


def _issue(error: dict[str, Any]) -> FieldIssue:
    kind = error.get("type", "")
    location = tuple(error.get("loc", ()))
    if kind == "json_invalid":
        return NOT_JSON
    if kind == "extra_forbidden":
        return FieldIssue(field_name(location), "is not a known field")
    if kind == "missing":
        return FieldIssue(field_name(location), "is required")
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    return FieldIssue(field_name(location), message)


def validation_issues(errors: list[dict[str, Any]]) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    for error in errors:
        issue = _issue(error)
        if issue not in issues:
            issues.append(issue)
    return issues


class ErrorFormat:
    """How a resolver writes its errors: the native envelope. A dialect whose document has another
    error format subclasses it; the status of each code still comes from HTTP_STATUS."""

    # For the OpenAPI document: the error body, and what each status means where the native words do not fit.
    model: type[BaseModel] = ErrorEnvelope
    descriptions: ClassVar[dict[str, str]] = {}

    def invalid_request(self, errors: list[dict[str, Any]]) -> Response[str]:
        """The request failed validation; `errors` are pydantic's, as Powertools collected them."""
        issues = validation_issues(errors)
        message = NOT_JSON_MESSAGE if NOT_JSON in issues else "The request is invalid"
        return self.error(ErrorCode.VALIDATION_ERROR, message, issues)

    def error(self, code: ErrorCode, message: str, details: list[FieldIssue] | None = None) -> Response[str]:
        return error_response(code, message, details)


class TicketsResolver(APIGatewayRestResolver):
    """Rejects what the validation middleware would otherwise read leniently (forms, huge bodies,
    arrays) or fail on (text that is not UTF-8), and validates path parameters decoded. Its errors
    are written in its ErrorFormat."""

    def __init__(self, errors: ErrorFormat, **options: Any) -> None:
        super().__init__(**options)
        self.errors = errors

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        rejection = _reject_body(event)
        if rejection is not None:
            response = self.errors.error(rejection.code, rejection.message, rejection.details)
            builder: ResponseBuilder[Any] = ResponseBuilder(response)
            return builder.build(self._to_proxy_event(dict(event)))
        return super().resolve(_lowercase_content_type(event), context)

    def append_context(self, **additional_context: Any) -> None:
        """Route arguments are the raw path segments (an "@" arrives as %40): they are percent-decoded
        here, before validation, so a path parameter is checked (and documented) as the value it names."""
        if "_route_args" in additional_context:
            additional_context["_route_args"] = {
                name: _decoded(name, raw) for name, raw in additional_context["_route_args"].items()
            }
        super().append_context(**additional_context)  # type: ignore[no-untyped-call]


def _decoded(name: str, raw: str) -> str:
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise ValidationFailed("The request is invalid", [FieldIssue(name, "is not valid UTF-8")]) from None


def _lowercase_content_type(event: Mapping[str, Any]) -> dict[str, Any]:
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


NOT_JSON = FieldIssue("body", "is not valid JSON")
NOT_JSON_MESSAGE = "The body is not valid JSON"


def _reject_body(event: Mapping[str, Any]) -> DomainError | None:
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
    content_type = (headers.get("content-type") or _JSON).split(";")[0].strip().lower()
    if content_type != _JSON:
        return DomainError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "The body must be JSON",
            [FieldIssue("Content-Type", f"must be {_JSON}, not {content_type}")],
        )
    return None


def _reject_json(body: str) -> DomainError | None:
    if body.lstrip().startswith("{"):
        return None  # an object, or malformed JSON that the validation reports
    # Powertools would unwrap a one-element array into its element; a body is one object.
    try:
        _parse_json(body)
    except json.JSONDecodeError:
        return ValidationFailed(NOT_JSON_MESSAGE, [NOT_JSON])
    return ValidationFailed("The body must be a JSON object", [FieldIssue("body", "must be a JSON object")])


def _parse_json(body: str) -> Any:
    """The body's one parse (Powertools' validation reads it; so does the idempotency middleware).
    What json.loads fails on besides syntax, nesting past the recursion limit and integers over 4,300
    digits, is invalid JSON too: a 400, not a 500."""
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise
    except (RecursionError, ValueError) as error:
        raise json.JSONDecodeError(f"cannot be parsed ({type(error).__name__})", body, 0) from None


IDEMPOTENCY_KEY = "Idempotency-Key"
# Visible ASCII, as Stripe's keys (a UUID is the usual choice).
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _NotKept(Exception):
    """An error answer returned rather than raised; raising it frees the key (only successes are kept)."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__(response.status_code)
        self.response = response


def _idempotent_writes(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Runs after request validation, so a malformed request never takes a key."""
    key = _header(app, IDEMPOTENCY_KEY)
    event = app.current_event
    if key is None or event.http_method not in _WRITE_METHODS:
        return next_middleware(app)
    if not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            "Idempotency-Key is invalid",
            [FieldIssue(IDEMPOTENCY_KEY, "must be 1 to 255 visible ASCII characters, e.g. a UUID")],
        )
    # A replay must be the same request: same route and target, same precondition, same JSON body.
    request = {
        "method": event.http_method,
        "path": event.path,
        "ifMatch": _header(app, "If-Match"),
        "body": event.json_body if event.body else None,
    }

    def write() -> idempotency.StoredResponse:
        response = next_middleware(app)
        if response.status_code >= HTTPStatus.BAD_REQUEST:  # e.g. no such route: nothing was done
            raise _NotKept(response)
        return {"status": response.status_code, "body": response.body, "headers": dict(response.headers)}

    try:
        stored = idempotency.run_once(caller(app).tenant_id, key, request, app.lambda_context, write)
    except _NotKept as refused:
        return refused.response
    headers = dict(stored["headers"])
    if stored.get("replayed"):
        headers["Idempotent-Replayed"] = "true"
        metrics.add_metric(name="IdempotentReplays", unit=MetricUnit.Count, value=1)
    return Response(status_code=stored["status"], body=stored["body"], headers=headers)


def build_resolver(errors: ErrorFormat | None = None) -> TicketsResolver:
    """The resolver of a function's routes; `errors`: how its errors are written (default: native)."""
    app = TicketsResolver(errors or ErrorFormat(), enable_validation=True, json_body_deserializer=_parse_json)
    app.use(middlewares=[_idempotent_writes])

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[str]:
        return app.errors.invalid_request(list(error.errors()))

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response[str]:
        if HTTP_STATUS[error.code] >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.warning("Request failed", extra={"code": error.code})
        response = app.errors.error(error.code, error.message, error.details)
        if isinstance(error, PreconditionFailed):
            response.headers["ETag"] = f'"{error.current_version}"'
        return response

    @app.not_found
    def _no_route(_: NotFoundError) -> Response[str]:
        return app.errors.error(ErrorCode.ROUTE_NOT_FOUND, "No such route")

    @app.exception_handler(Exception)
    def _unexpected(_: Exception) -> Response[str]:
        logger.exception("Unexpected error")
        return app.errors.error(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side")

    return app


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


def reject_unknown_query(app: APIGatewayRestResolver, model: type[BaseModel]) -> None:
    """Query parameters the model does not know are an error, not silently ignored (typos)."""
    known = {field.alias or name for name, field in model.model_fields.items()}
    unknown = sorted(set(app.current_event.query_string_parameters or {}) - known)
    if unknown:
        raise ValidationFailed(
            "Unknown query parameters", [FieldIssue(name, "is not a known parameter") for name in unknown]
        )


@lru_cache(maxsize=1)
def ticket_service() -> TicketService:
    """Built once per container, on first use, so tests can point the clients at their mocks first."""
    settings = get_settings()
    repository = TicketRepository(clients.dynamodb(), settings.table_name)
    return TicketService(repository, CursorCodec(settings.cursor_signing_key), settings.write_retry_seconds)


@lru_cache(maxsize=1)
def customer_service() -> CustomerService:
    settings = get_settings()
    repository = TicketRepository(clients.dynamodb(), settings.table_name)
    return CustomerService(repository, CursorCodec(settings.cursor_signing_key))


@lru_cache(maxsize=1)
def agent_service() -> AgentService:
    settings = get_settings()
    return AgentService(TicketRepository(clients.dynamodb(), settings.table_name))
