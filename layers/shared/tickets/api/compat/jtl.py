"""JTL SCX, the channel side of "Create Ticket" (its document: shared/seeds/jtl-scx-channel-ticket.txt),
drop-in: a channel keeps its requests and swaps `https://scx-sbx.api.jtl-software.com` for `$API/compat/jtl`.

    POST /v1/channel/ticket    Authorization: Bearer <key>    the document's body

Onto the native create: the seller is the tenant's (one of its channelSellerIds), ticketId the ticket's
externalId, the buyer a customer of the tenant (created on first sight under a key made of the seller
and the buyer's name), the message the ticket's first message, createdAt its sourceCreatedAt. The answer
is bare, as a channel API's: 201 `{"id", "ticketNumber"}` (200 for a ticketId sent before). Every error,
those found before routing included, is the document's `{"errorList": [...]}`, one entry per problem."""

from __future__ import annotations

import re
from enum import StrEnum
from http import HTTPStatus
from typing import Annotated, Any, ClassVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field, StrictBool, StringConstraints

from tickets.api.request import IdempotencyKey, caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import NOT_JSON, ErrorFormat, document, error_headers, field_name
from tickets.api.services import customer_service, ticket_service
from tickets.errors import HTTP_STATUS, CustomerNotFound, ErrorCode, FieldIssue
from tickets.models.base import CamelModel, RequestModel
from tickets.models.domain import Attachment, Reference
from tickets.models.enums import Topic
from tickets.models.requests import CreateTicketRequest
from tickets.models.types import MAX_ATTACHMENTS, ChannelSellerId, DateTime, Identifier, Markdown, Subject
from tickets.observability import metrics

BASE = "/compat/jtl/v1"
TAG = "JTL SCX"
TEXT_MAX = 1024  # the document's subject and message: 1 - 1024 characters
BUYER_NAME_MAX = 64  # so the buyer's customer key fits an externalId (256) even with every character escaped
BUYER_KEY_PREFIX = "jtl"


class JtlRole(StrEnum):
    """Who a channel ticket is from: the buyer (the document's example, and the only party that
    opens a ticket on the channel side)."""

    BUYER = "BUYER"


BuyerName = Annotated[Identifier, StringConstraints(max_length=BUYER_NAME_MAX)]


class JtlFrom(RequestModel):
    role: JtlRole
    name: BuyerName


class JtlCreateTicket(RequestModel):
    """The document's body: these fields and no others, each with the document's rules."""

    seller_id: ChannelSellerId
    ticket_id: Identifier
    topic: Topic
    created_at: DateTime
    from_: JtlFrom = Field(alias="from")
    subject: Subject
    message: Annotated[Markdown, StringConstraints(max_length=TEXT_MAX)]
    reference: Reference | None = None
    reply_requested: StrictBool = True
    attachment: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class JtlTicketCreated(CamelModel):
    id: str
    ticket_number: str


class JtlError(CamelModel):
    code: str
    message: str
    severity: str = "error"
    hint: str


class JtlErrorList(CamelModel):
    error_list: list[JtlError]


# Each field's rule, as the hint of an entry about it says it (the document's own for sellerId).
_RULES = {
    "sellerId": "it must be a non-empty string.",
    "ticketId": "it must be your ticket's id, 1 to 256 characters on one line.",
    "topic": f"it must be one of {', '.join(Topic)}.",
    "createdAt": "it must be a date and time with a time zone, e.g. 2023-11-07T05:31:56Z.",
    "from": "it must be an object {role, name}.",
    "from.role": f"it must be {', '.join(JtlRole)}.",
    "from.name": f"it must be the buyer's name, 1 to {BUYER_NAME_MAX} characters on one line.",
    "subject": f"it must be 1 to {TEXT_MAX} characters on one line.",
    "message": f"it must be 1 to {TEXT_MAX} characters.",
    "reference": "it must be an object {type, id}.",
    "reference.type": "it must be 1 to 64 characters on one line, e.g. ORDERID.",
    "reference.id": "it must be 1 to 256 characters on one line.",
    "replyRequested": "it must be true or false.",
    "attachment": f"it must be a list of at most {MAX_ATTACHMENTS} objects {{filename, contentType}}.",
    "attachment.filename": "it must be 1 to 256 characters on one line.",
    "attachment.contentType": "it must be a media type, e.g. image/png.",
    "attachment.size": "it must be a whole number of bytes, at most 5 GiB.",
    "attachment.url": "it must be an http or https URL.",
}
_BODY_HINT = "Check the body — it must be one JSON object, sent as application/json."
# pydantic's error types by the document's kind of problem; any other type is VAL101, type or format.
_KINDCODES = {
    "missing": "VAL100",
    "string_too_short": "VAL102",
    "string_too_long": "VAL102",
    "too_short": "VAL102",
    "too_long": "VAL102",
    "enum": "VAL103",
    "literal_error": "VAL103",
    "extra_forbidden": "VAL104",
}
_MESSAGES = {
    "VAL100": "Required field {field} not found",  # the document's words
    "VAL101": "Field {field} has the wrong type or format: {detail}",
    "VAL102": "Field {field} has the wrong length: {detail}",
    "VAL103": "Field {field} has a value that is not allowed: {detail}",
    "VAL104": "Unknown field {field}",
}
# The codes of the errors that are not about one field: the status, as ever, from HTTP_STATUS.
CODES: dict[ErrorCode, str] = {
    ErrorCode.VALIDATION_ERROR: "VAL101",
    ErrorCode.UNAUTHORIZED: "AUTH401",
    ErrorCode.FORBIDDEN: "AUTH403",
    ErrorCode.SELLER_NOT_SERVED: "SEL403",
    ErrorCode.PLAN_LIMIT_REACHED: "LIM403",
    ErrorCode.TICKET_NOT_FOUND: "REQ404",
    ErrorCode.CUSTOMER_NOT_FOUND: "REQ404",
    ErrorCode.AGENT_NOT_FOUND: "REQ404",
    ErrorCode.ROUTE_NOT_FOUND: "REQ404",
    ErrorCode.METHOD_NOT_ALLOWED: "REQ405",
    ErrorCode.CONFLICT: "REQ409",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: "REQ409",
    ErrorCode.IDEMPOTENCY_KEY_IN_USE: "REQ409",
    ErrorCode.PRECONDITION_FAILED: "REQ412",
    ErrorCode.PAYLOAD_TOO_LARGE: "REQ413",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "REQ415",
    ErrorCode.RATE_LIMITED: "REQ429",
    ErrorCode.INTERNAL_ERROR: "SRV500",
    ErrorCode.SERVICE_UNAVAILABLE: "SRV503",
}


def _jtl_field(location: tuple[Any, ...]) -> str:
    """('body', 'attachment', 0, 'filename') -> 'attachment[0].filename'."""
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", field_name(location))


def _hint(field: str) -> str:
    rule = _RULES.get(re.sub(r"\[\d+\]", "", field))
    if rule is None:
        return f"Check the field `{field}` — it is not a field of a channel ticket; leave it out."
    return f"Check the field `{field}` — {rule}"


def _entry(code: str, message: str, field: str | None) -> JtlError:
    return JtlError(code=code, message=message, hint=_hint(field) if field else _BODY_HINT)


def _validation_entry(error: dict[str, Any]) -> JtlError:
    kind = str(error.get("type", ""))
    field = _jtl_field(tuple(error.get("loc", ())))
    detail = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    if kind == "json_invalid":
        return _entry("VAL105", "The body is not valid JSON", None)
    if field == NOT_JSON.field:  # the body as a whole: none at all, or not an object
        return _entry("VAL105", "The body is missing" if kind == "missing" else f"The body {detail}", None)
    code = _KINDCODES.get(kind, "VAL101")
    return _entry(code, _MESSAGES[code].format(field=field, detail=detail), field)


def _invalid_entry(issue: FieldIssue) -> JtlError:
    """An entry for one field a native ValidationFailed names (a header, or the body as a whole)."""
    if issue.field == NOT_JSON.field:
        return _entry("VAL105", f"The body {issue.message}", None)
    return _entry("VAL101", f"Field {issue.field} {issue.message}", issue.field)


class JtlErrors(ErrorFormat):
    """The document's error format: `{"errorList": [{code, message, severity, hint}]}`."""

    model = JtlErrorList
    descriptions: ClassVar[dict[str, str]] = {
        "400": "VAL100 a required field is missing, VAL101 wrong type or format, VAL102 wrong length or "
        "too many items, VAL103 a value not in the list, VAL104 an unknown field, VAL105 not a JSON object",
        "403": "AUTH403 the key's role may not create tickets, SEL403 the tenant does not answer for the "
        "sellerId, LIM403 the plan's monthly ticket quota is reached",
        "404": "REQ404 no such route",
        "409": "REQ409 the Idempotency-Key was used for another request, or is in flight (Retry-After)",
        "412": "REQ412 (not on this route)",
        "413": "REQ413 a body over 128 KiB",
        "415": "REQ415 a body not sent as application/json",
        "500": "SRV500",
        "503": "SRV503 (Retry-After)",
    }

    def invalid_request(self, errors: list[dict[str, Any]]) -> Response[str]:
        entries: list[JtlError] = []
        for error in errors:
            entry = _validation_entry(error)
            if entry not in entries:
                entries.append(entry)
        return _error_list(HTTPStatus.BAD_REQUEST, entries)

    def error(self, code: ErrorCode, message: str, details: list[FieldIssue] | None = None) -> Response[str]:
        """Invalid input: an entry per field named; any other error is one problem, one entry."""
        entries = (
            [_invalid_entry(issue) for issue in details or []] if code == ErrorCode.VALIDATION_ERROR else []
        )
        entries = entries or [JtlError(code=CODES[code], message=message, hint=_error_hint(code))]
        response = _error_list(HTTP_STATUS[code], entries)
        response.headers.update(error_headers(code) or {})
        return response


def _error_hint(code: ErrorCode) -> str:
    if code == ErrorCode.UNAUTHORIZED:
        return "Send your API key as the bearer token: Authorization: Bearer <key>."
    if code == ErrorCode.SELLER_NOT_SERVED:
        return "Check the field `sellerId` — it must be a seller id this account answers for."
    if code in (ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.IDEMPOTENCY_KEY_IN_USE):
        return "Retry shortly (Retry-After says when)."
    if HTTP_STATUS[code] >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return "Retry later; if it persists, tell us the time of the request."
    return "See the Tickets API README, section Coming from JTL SCX."


def _error_list(status: int, entries: list[JtlError]) -> Response[str]:
    return document(JtlErrorList(error_list=entries), status)


app = build_resolver(JtlErrors())


def buyer_key(seller_id: str, buyer_name: str) -> str:
    """The customerExternalId of a channel's buyer, of whom the document gives only the name: stable for
    the same seller and name. "%" and "/" are escaped (a customer id has no "/"), so no two names meet."""
    escaped = buyer_name.replace("%", "%25").replace("/", "%2F")
    return f"{BUYER_KEY_PREFIX}:{seller_id}:{escaped}"


def native_request(ticket: JtlCreateTicket) -> CreateTicketRequest:
    sent = ticket.model_dump(mode="json", by_alias=True)
    return CreateTicketRequest.model_validate(
        {
            "customerExternalId": buyer_key(ticket.seller_id, ticket.from_.name),
            "channelSellerId": ticket.seller_id,
            "externalId": ticket.ticket_id,
            "topic": sent["topic"],
            "sourceCreatedAt": sent["createdAt"],
            "subject": ticket.subject,
            "message": ticket.message,
            "reference": sent["reference"],
            "replyRequested": ticket.reply_requested,
            "attachments": sent["attachment"],
        }
    )


@app.post(
    f"{BASE}/channel/ticket",
    summary="Create a ticket (JTL SCX channel)",
    tags=[TAG],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": JtlTicketCreated}}},
        200: {
            "description": "A ticket with this ticketId exists: that ticket",
            "content": {"application/json": {"model": JtlTicketCreated}},
        },
    },
)
def create_ticket(
    request: Annotated[JtlCreateTicket, Body(embed=False)], _idempotency_key: IdempotencyKey = None
) -> Response[str]:
    who, native = caller(app), native_request(request)
    try:
        ticket, created = ticket_service().create_ticket(who, native)
    except CustomerNotFound:  # a buyer seen for the first time becomes a customer, then the ticket
        customer_service().ensure(who, native.customer_external_id, request.from_.name)
        ticket, created = ticket_service().create_ticket(who, native)
    if created:
        metrics.add_metric(name="TicketsCreated", unit=MetricUnit.Count, value=1)
    status = HTTPStatus.CREATED if created else HTTPStatus.OK
    return document(JtlTicketCreated(id=ticket.id, ticket_number=ticket.ticket_number), status)
