"""The resolver every function uses: JSON-only bodies, the response envelope, and the one mapping
from errors to HTTP responses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, TypeAdapter, ValidationError

from tickets import clients
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
from tickets.observability import logger
from tickets.settings import get_settings
from tickets.store.repository import TicketRepository

MAX_BODY_BYTES = 128 * 1024
_TENANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_JSON = "application/json"


def _json_response(status: int, payload: BaseModel, headers: dict[str, str] | None = None) -> Response[str]:
    body = payload.model_dump_json(by_alias=True)
    return Response(status_code=status, content_type=_JSON, body=body, headers=headers)


def enveloped(model: Any, description: str) -> OpenAPIResponse:
    """An OpenAPI response whose body is the success envelope around `model`."""
    return {"description": description, "content": {"application/json": {"model": SuccessEnvelope[model]}}}


def success(data: Any, status: HTTPStatus = HTTPStatus.OK, version: int | None = None) -> Response[str]:
    """The success envelope; `version` (a ticket's) becomes the ETag a client sends back in If-Match."""
    headers = {"ETag": f'"{version}"'} if version is not None else None
    return _json_response(status, SuccessEnvelope[Any](data=data, timestamp=utc_now()), headers)


_IF_MATCH = re.compile(r'^(?:W/)?"?(\d{1,18})"?$')


def expected_version(app: APIGatewayRestResolver) -> int | None:
    """The ticket version an If-Match header asks for (`"3"`, `W/"3"` or `3`); None without one."""
    headers = {name.lower(): value for name, value in (app.current_event.headers or {}).items()}
    value = headers.get("if-match")
    if value is None:
        return None
    match = _IF_MATCH.match(value.strip())
    if match is None:
        raise ValidationFailed(
            "If-Match must be the ETag of the ticket", [FieldIssue("If-Match", 'use the ETag, e.g. "3"')]
        )
    return int(match.group(1))


def envelope(payload: BaseModel, status: HTTPStatus = HTTPStatus.OK) -> Response[str]:
    return _json_response(status, payload)


def error_response(code: ErrorCode, message: str, details: list[FieldIssue] | None = None) -> Response[str]:
    body = ErrorBody(
        code=code,
        message=message,
        details=[ErrorDetail(field=issue.field, message=issue.message) for issue in details or []],
    )
    headers = {"Retry-After": "1"} if code == ErrorCode.SERVICE_UNAVAILABLE else None
    return _json_response(HTTP_STATUS[code], ErrorEnvelope(error=body, timestamp=utc_now()), headers)


def _field_name(location: tuple[Any, ...]) -> str:
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
        return FieldIssue("body", "is not valid JSON")
    if kind == "extra_forbidden":
        return FieldIssue(_field_name(location), "is not a known field")
    if kind == "missing":
        return FieldIssue(_field_name(location), "is required")
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    return FieldIssue(_field_name(location), message)


def validation_issues(errors: list[dict[str, Any]]) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    for error in errors:
        issue = _issue(error)
        if issue not in issues:
            issues.append(issue)
    return issues


class TicketsResolver(APIGatewayRestResolver):
    """Rejects what the validation middleware would otherwise read leniently (forms, huge bodies)."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        rejection = _reject_body(event)
        if rejection is not None:
            builder: ResponseBuilder[Any] = ResponseBuilder(rejection)
            return builder.build(self._to_proxy_event(dict(event)))
        return super().resolve(event, context)


def _reject_body(event: Mapping[str, Any]) -> Response[str] | None:
    body = event.get("body")
    if not body:
        return None
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        return error_response(ErrorCode.PAYLOAD_TOO_LARGE, f"The body is larger than {MAX_BODY_BYTES} bytes")
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    content_type = (headers.get("content-type") or _JSON).split(";")[0].strip().lower()
    if content_type != _JSON:
        return error_response(
            ErrorCode.VALIDATION_ERROR,
            "The body must be JSON",
            [FieldIssue("Content-Type", f"must be {_JSON}, not {content_type}")],
        )
    if not body.lstrip().startswith("{"):
        # Powertools would unwrap a one-element array into its element; a body is one object.
        return error_response(
            ErrorCode.VALIDATION_ERROR,
            "The body must be a JSON object",
            [FieldIssue("body", "must be a JSON object")],
        )
    return None


def build_resolver() -> TicketsResolver:
    app = TicketsResolver(enable_validation=True)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[str]:
        issues = validation_issues(list(error.errors()))
        return error_response(ErrorCode.VALIDATION_ERROR, "The request is invalid", issues)

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response[str]:
        if HTTP_STATUS[error.code] >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.warning("Request failed", extra={"code": error.code})
        response = error_response(error.code, error.message, error.details)
        if isinstance(error, PreconditionFailed):
            response.headers["ETag"] = f'"{error.current_version}"'
        return response

    @app.not_found
    def _no_route(_: NotFoundError) -> Response[str]:
        return error_response(ErrorCode.ROUTE_NOT_FOUND, "No such route")

    @app.exception_handler(Exception)
    def _unexpected(_: Exception) -> Response[str]:
        logger.exception("Unexpected error")
        return error_response(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side")

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


def path_value(raw: str, adapter: TypeAdapter[str], field: str) -> str:
    """A path parameter, percent-decoded (routes see the raw segment: an "@" arrives as %40) and
    checked against its type: a 400 naming it when it does not fit."""
    try:
        return adapter.validate_python(unquote(raw))
    except ValidationError as error:
        issues = [
            FieldIssue(field, str(issue["msg"]).removeprefix("Value error, ")) for issue in error.errors()
        ]
        raise ValidationFailed("The request is invalid", issues) from None


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
    return TicketService(repository, CursorCodec(settings.cursor_signing_key))


@lru_cache(maxsize=1)
def customer_service() -> CustomerService:
    settings = get_settings()
    repository = TicketRepository(clients.dynamodb(), settings.table_name)
    return CustomerService(repository, CursorCodec(settings.cursor_signing_key))


@lru_cache(maxsize=1)
def agent_service() -> AgentService:
    settings = get_settings()
    return AgentService(TicketRepository(clients.dynamodb(), settings.table_name))
