"""What a function answers: the success envelope, a dialect's own documents, 204s, and errors in the
resolver's ErrorFormat (native by default), with their OpenAPI descriptions."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel

from tickets.errors import HTTP_STATUS, ErrorCode, FieldIssue
from tickets.ids import utc_now
from tickets.models.responses import ErrorBody, ErrorDetail, ErrorEnvelope, SuccessEnvelope

JSON = "application/json"
NOT_JSON = FieldIssue("body", "is not valid JSON")
NOT_JSON_MESSAGE = "The body is not valid JSON"


def _json_response(status: int, payload: BaseModel, headers: dict[str, str] | None = None) -> Response[str]:
    body = payload.model_dump_json(by_alias=True)
    return Response(status_code=status, content_type=JSON, body=body, headers=headers)


def _etag(version: int | None) -> dict[str, str]:
    """A ticket's version as the ETag a client sends back in If-Match."""
    return {"ETag": f'"{version}"'} if version is not None else {}


def success(data: Any, status: HTTPStatus = HTTPStatus.OK, version: int | None = None) -> Response[str]:
    """The success envelope; `version` (a ticket's) becomes the ETag."""
    return _json_response(
        status, SuccessEnvelope[Any](data=data, timestamp=utc_now()), _etag(version) or None
    )


def envelope(payload: BaseModel, status: HTTPStatus = HTTPStatus.OK) -> Response[str]:
    """A model that is an envelope already (a list page with its meta)."""
    return _json_response(status, payload)


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
    all_headers = (headers or {}) | _etag(version)
    body = payload.model_dump_json(by_alias=True, exclude=omit or None)
    return Response(status_code=status, content_type=JSON, body=body, headers=all_headers or None)


def no_content() -> Response[str]:
    """204: done, nothing to say (a DELETE). Its Content-Type says text: given none, API Gateway would
    add application/json and announce JSON that is not there."""
    return Response(status_code=HTTPStatus.NO_CONTENT, content_type="text/plain", body="")


# OpenAPI answers ---------------------------------------------------------------------------------


def enveloped(model: Any, description: str) -> OpenAPIResponse:
    """An OpenAPI response whose body is the success envelope around `model`."""
    return {"description": description, "content": {JSON: {"model": SuccessEnvelope[model]}}}


def documented(model: Any, description: str) -> OpenAPIResponse:
    """An OpenAPI response whose body is `model` itself (a dialect's document)."""
    return {"description": description, "content": {JSON: {"model": model}}}


def no_content_documented(description: str) -> OpenAPIResponse:
    """The OpenAPI response of no_content(): no body, labelled text."""
    return {
        "description": description,
        "content": {"text/plain": {"schema": {"type": "string", "maxLength": 0}}},
    }


# Errors ------------------------------------------------------------------------------------------


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
    return _json_response(
        HTTP_STATUS[code], ErrorEnvelope(error=body, timestamp=utc_now()), error_headers(code)
    )


def field_name(location: tuple[Any, ...]) -> str:
    """('body', 'order', 'amount') -> 'order.amount'; ('query', 'query', 'limit') -> 'limit' (query
    parameters are validated as one model, whose argument name Powertools puts first);
    ('header', 'if-match') -> 'If-Match' (Powertools reads header names lowercased); a map's bad
    key is named as its field: ('body', 'targets', 'SOON', '[key]') -> 'targets.SOON'."""
    parts = [
        str(part) for part in location[1:] if not str(part).startswith("function-after") and part != "[key]"
    ]
    if location and location[0] == "query" and len(parts) > 1:
        parts = parts[1:]
    if location and location[0] == "header":
        parts = ["-".join(word.capitalize() for word in part.split("-")) for part in parts]
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
