"""Schemathesis hooks and checks for `st run` against the stack (tests/e2e/test_fuzz.py runs it, with
SCHEMATHESIS_HOOKS naming this module and FUZZ_TARGETS the real ids of the fuzzed tenant).

- Half of the time a path id is a real one (a ticket of the run, by id and number, a seeded customer
  and agent), a create names a real customer (a channel ticket the tenant's seller), and an
  Idempotency-Key is a fresh one, so that writes reach the store rather than a 404, 403 or 409.
- A cursor is only ever the nextCursor of an earlier page (signed, bound to its query): a generated
  one can never be valid, so schema-valid requests are sent without it.
- A page number is kept within the first MAX_NUMBERED_TICKETS tickets at the case's page size (a rule
  across two parameters, which JSON Schema cannot state): schema-valid requests ask for pages there.
- Every 4xx is the error envelope, with a known code (`error_envelope`); on JTL SCX's route its
  document's errorList, on Paymenter's Laravel's errors, but for API Gateway's own errors and the 405s.
- Where MiniStack differs from AWS: it leaves `$context.requestTime` unfilled in API Gateway's own
  error bodies, so those are held to the document with the time AWS would have put there."""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import schemathesis
from schemathesis import Response, checks

from tests.e2e.envelope import (
    ENVELOPE_STATUSES_ON_OWN_FORMAT_ROUTES,
    ERROR_LIST_PATH_PREFIX,
    LARAVEL_PATH_PREFIX,
    UNFILLED_REQUEST_TIME,
    envelope_problems,
    error_list_problems,
    laravel_problems,
)
from tickets.logic.listing import MAX_NUMBERED_TICKETS

TARGETS: dict[str, Any] = json.loads(os.environ.get("FUZZ_TARGETS", "{}"))
_CHANCE = random.Random(int(os.environ.get("FUZZ_SEED", "20261201")))
_CURSORS = ("cursor", "messagesCursor")
# The page size a dialect's page number counts in when the query gives none (Sellgate's, Paymenter's).
DEFAULT_PAGE_SIZES = {"/compat/paymenter/": 15}
DEFAULT_PAGE_SIZE = 25
_OWN_FORMATS = {ERROR_LIST_PATH_PREFIX: error_list_problems, LARAVEL_PATH_PREFIX: laravel_problems}


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    for name, values in TARGETS.get("path", {}).items():
        if name in (case.path_parameters or {}) and _CHANCE.random() < 0.5:
            case.path_parameters[name] = _CHANCE.choice(values)
    if "Idempotency-Key" in (case.headers or {}) and _CHANCE.random() < 0.5:
        # A generated key comes back in later examples (409 IDEMPOTENCY_KEY_REUSED): often, a fresh one.
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    body = case.body
    for name in ("customerExternalId", "user_id"):  # user_id: Paymenter's customer
        if isinstance(body, dict) and name in body and _CHANCE.random() < 0.5:
            body[name] = _CHANCE.choice(TARGETS.get("customers", ["user_42"]))
    if isinstance(body, dict) and "ticket_id" in body and _CHANCE.random() < 0.5:  # Paymenter's message
        body["ticket_id"] = _CHANCE.choice(TARGETS.get("path", {}).get("ticketId", ["1"]))
    if isinstance(body, dict) and "sellerId" in body and _CHANCE.random() < 0.5:
        body["sellerId"] = _CHANCE.choice(TARGETS.get("sellers", ["4712"]))
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and case.query:
        for name in _CURSORS:
            case.query.pop(name, None)
        page = _whole_number(case.query.get("page"))
        size = _page_size(case)
        if page is not None and size:
            case.query["page"] = min(page, MAX_NUMBERED_TICKETS // size)


def _whole_number(value: object) -> int | None:
    """A query value as the number it is (generated as an int, or as its text in some phases)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def _page_size(case: Any) -> int | None:
    given = case.query.get("limit", case.query.get("per_page"))
    if given is not None:
        return _whole_number(given)
    path = str(case.path)
    return next(
        (size for prefix, size in DEFAULT_PAGE_SIZES.items() if path.startswith(prefix)), DEFAULT_PAGE_SIZE
    )


@schemathesis.check
def error_envelope(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is the error envelope: success false, a known code, a message, details, a timestamp."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        body = response.content.decode(errors="replace")
    path = str(case.path)
    own_format = next(
        (check for prefix, check in _OWN_FORMATS.items() if path.startswith(prefix)), envelope_problems
    )
    if response.status_code in ENVELOPE_STATUSES_ON_OWN_FORMAT_ROUTES:
        own_format = envelope_problems
    problems = own_format(response.status_code, body)
    if problems:
        raise AssertionError(f"Not the route's error body: {problems}\n{body}")
    return None


@schemathesis.check
def response_schema_conformance_as_on_aws(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' response_schema_conformance, for API Gateway's own errors with the request time
    that AWS fills in and MiniStack leaves as `$context.requestTime`."""
    if UNFILLED_REQUEST_TIME.encode() in response.content:
        aws_time = datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000").encode()
        response = Response(
            status_code=response.status_code,
            headers=response.headers,
            content=response.content.replace(UNFILLED_REQUEST_TIME.encode(), aws_time),
            request=response.request,
            elapsed=response.elapsed,
            verify=response.verify,
        )
    return checks.response_schema_conformance(ctx, response, case)
