"""The resolver every function uses: JSON-only bodies checked before routing, path parameters
validated decoded, the Idempotency-Key middleware, and the one mapping from errors to HTTP answers,
written in the resolver's ErrorFormat."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.api.middleware import idempotent_writes
from tickets.api.request import lowercase_content_type, parse_json, rejected_body
from tickets.api.responses import ErrorFormat
from tickets.errors import (
    HTTP_STATUS,
    DomainError,
    ErrorCode,
    FieldIssue,
    PreconditionFailed,
    ServiceUnavailable,
    ValidationFailed,
)
from tickets.observability import logger
from tickets.store.errors import StoreUnavailable


class TicketsResolver(APIGatewayRestResolver):
    """Rejects what the validation middleware would otherwise read leniently (forms, huge bodies,
    arrays) or fail on (text that is not UTF-8), and validates path parameters decoded. Its errors
    are written in its ErrorFormat."""

    def __init__(self, errors: ErrorFormat, **options: Any) -> None:
        super().__init__(**options)
        self.errors = errors

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        rejection = rejected_body(event)
        if rejection is not None:
            response = self.errors.error(rejection.code, rejection.message, rejection.details)
            builder: ResponseBuilder[Any] = ResponseBuilder(response)
            return builder.build(self._to_proxy_event(dict(event)))
        return super().resolve(lowercase_content_type(event), context)

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


def build_resolver(errors: ErrorFormat | None = None) -> TicketsResolver:
    """The resolver of a function's routes; `errors`: how its errors are written (default: native)."""
    app = TicketsResolver(errors or ErrorFormat(), enable_validation=True, json_body_deserializer=parse_json)
    app.use(middlewares=[idempotent_writes])

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response[str]:
        return app.errors.invalid_request(list(error.errors()))

    @app.exception_handler([DomainError, StoreUnavailable])
    def _domain_error(error: DomainError | StoreUnavailable) -> Response[str]:
        if isinstance(error, StoreUnavailable):  # DynamoDB busy or unreachable past every retry
            error = ServiceUnavailable()
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
