"""The error envelope, as a check on any 4xx body the stack answers (functions and API Gateway alike)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tickets.errors import ErrorCode
from tickets.models.responses import GATEWAY_REQUEST_TIME_PATTERN

# Answered by API Gateway itself (template.yaml GatewayResponses) as well as by the functions.
GATEWAY_CODES = {"UNAUTHORIZED", "FORBIDDEN", "ROUTE_NOT_FOUND", "PAYLOAD_TOO_LARGE", "RATE_LIMITED"}
# What MiniStack leaves in API Gateway's own error bodies, where AWS puts its request time.
UNFILLED_REQUEST_TIME = "$context.requestTime"
_REQUEST_TIME = re.compile(GATEWAY_REQUEST_TIME_PATTERN)


def _iso_8601(value: object) -> bool:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _gateway_time(value: object) -> bool:
    return isinstance(value, str) and (bool(_REQUEST_TIME.match(value)) or value == UNFILLED_REQUEST_TIME)


def envelope_problems(status: int, body: Any) -> list[str]:
    """What is wrong with a 4xx body as the error envelope (nothing: an empty list)."""
    if not isinstance(body, dict):
        return [f"the body is not a JSON object: {body!r}"]
    problems = []
    if set(body) != {"success", "error", "timestamp"}:
        problems.append(f"keys {sorted(body)}")
    if body.get("success") is not False:
        problems.append("success is not false")
    error = body.get("error")
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return [*problems, f"error is {error!r}"]
    if error["code"] not in set(ErrorCode):
        problems.append(f"unknown code {error['code']!r}")
    if not isinstance(error["message"], str) or not error["message"]:
        problems.append("no message")
    details = error["details"]
    if not isinstance(details, list) or any(
        not isinstance(detail, dict) or set(detail) != {"field", "message"} for detail in details
    ):
        problems.append(f"details {details!r}")
    timestamp = body.get("timestamp")
    if not _iso_8601(timestamp) and not (error["code"] in GATEWAY_CODES and _gateway_time(timestamp)):
        problems.append(f"timestamp {timestamp!r} is not ISO-8601")
    if not 400 <= status < 500:
        problems.append(f"status {status}")
    return problems


# JTL SCX's route answers in its document's errorList, Paymenter's in Laravel's format; API Gateway's
# own errors (401, 429) and the 405s of MethodNotAllowedFunction stay the envelope there too.
ERROR_LIST_PATH_PREFIX = "/compat/jtl/"
LARAVEL_PATH_PREFIX = "/compat/paymenter/"
ENVELOPE_STATUSES_ON_OWN_FORMAT_ROUTES = frozenset({401, 405, 429})


def laravel_problems(status: int, body: Any) -> list[str]:
    """What is wrong with a 4xx body as Laravel's error (nothing: an empty list): {message}, and for
    invalid input (422) {message, errors: {field: [text, ...]}}."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), str) or not body["message"]:
        return [f"no message: {body!r}"]
    if status != 422:
        return [] if set(body) == {"message"} else [f"not {{message}}: {body!r}"]
    errors = body.get("errors")
    if set(body) != {"message", "errors"} or not isinstance(errors, dict) or not errors:
        return [f"a 422 without errors: {body!r}"]
    return [
        f"errors.{field}"
        for field, texts in errors.items()
        if not isinstance(texts, list)
        or not texts
        or not all(isinstance(text, str) and text for text in texts)
    ]


def error_list_problems(status: int, body: Any) -> list[str]:
    """What is wrong with a 4xx body as JTL SCX's errorList (nothing: an empty list)."""
    if not isinstance(body, dict) or set(body) != {"errorList"}:
        return [f"not an errorList: {body!r}"]
    entries = body["errorList"]
    if not isinstance(entries, list) or not entries:
        return ["errorList is not a list of entries"]
    problems = [
        f"entry {entry!r}"
        for entry in entries
        if not isinstance(entry, dict)
        or set(entry) != {"code", "message", "severity", "hint"}
        or entry["severity"] != "error"
        or not all(isinstance(entry[name], str) and entry[name] for name in ("code", "message", "hint"))
    ]
    if not 400 <= status < 500:
        problems.append(f"status {status}")
    return problems
