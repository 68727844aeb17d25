"""Sections 1 and 2: the AWS calls of every API operation, and the read and write units they cost.

Each operation runs once through its real handler (tests/support/handlers.py) against moto, with a
Recorder on the package's clients: the calls are counted by botocore's before-call event, the units
computed from the items read and written (bench/capacity.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bench import seeding, world
from bench.aws import mocked_aws, quiet
from bench.capacity import Units
from bench.recorder import Recorder
from bench.report import Budget, Image, Section
from tests.support.handlers import LambdaContext, handler_module
from tickets.api.authorizer import forget_cached_keys

BULK_TICKETS = 300


@dataclass
class Measured:
    operation: str
    request: str
    status: int
    calls: list[str]
    units: Units
    budget: int | None  # round trips allowed (None: no budget)
    budget_name: str = ""

    @property
    def round_trips(self) -> int:
        return len(self.calls)

    def calls_text(self) -> str:
        counts: dict[str, int] = {}
        for name in self.calls:
            counts[name] = counts.get(name, 0) + 1
        return ", ".join(f"{name} x{count}" if count > 1 else name for name, count in counts.items())


def authorize(secret: str) -> dict[str, Any]:
    event = copy.deepcopy(world.authorizer_event())
    event["headers"]["X-API-Key"] = secret
    event["multiValueHeaders"] = {name: [value] for name, value in event["headers"].items()}
    result: dict[str, Any] = handler_module("authorizer").lambda_handler(event, LambdaContext("authorizer"))
    return result


def _measure(
    operation: str, request: str, action: Callable[[], Any], budget: int | None, name: str = ""
) -> Measured:
    with Recorder(units=True) as recorder, quiet():
        response = action()
    status = getattr(response, "status", 200)
    if status >= 400:
        raise AssertionError(f"{operation} {request}: {status} {getattr(response, 'json', response)}")
    return Measured(
        operation,
        request,
        status,
        [call.name for call in recorder.calls],
        recorder.total_units(),
        budget,
        name,
    )


def list_queries() -> list[tuple[str, dict[str, str]]]:
    """Every filter kind of GET /v1/tickets (models/requests.py ListTicketsQuery, logic/listing.py),
    one value each, then the forms that read more than one list or filter entries (listing.SINGLE_KINDS
    counts the first)."""
    return [
        ("no filter (-createdAt)", {}),
        ("status", {"status": "OPEN"}),
        ("priority", {"priority": "HIGH"}),
        ("customerExternalId", {"customerExternalId": seeding.HOT_CUSTOMER}),
        ("assignedAgentId", {"assignedAgentId": seeding.HOT_AGENT}),
        ("unassigned", {"unassigned": "true"}),
        ("awaiting", {"awaiting": "AGENT"}),
        ("tag", {"tag": seeding.HOT_TAG}),
        ("updatedSince (GSI1)", {"updatedSince": "2026-02-15T00:00:00Z", "sort": "-updatedAt"}),
        ("sort -updatedAt (GSI1)", {"sort": "-updatedAt"}),
        ("sort createdAt", {"sort": "createdAt"}),
        ("status, two values", {"status": "OPEN,IN_PROGRESS"}),
        ("status + priority", {"status": "OPEN", "priority": "HIGH"}),
        ("sort -priority (a list per priority, in turn)", {"sort": "-priority"}),
        ("sort status (a list per status, in turn)", {"sort": "status"}),
        ("department (checked on the tickets)", {"department": seeding.HOT_DEPARTMENT}),
        ("hasAgentReply (checked on the tickets)", {"hasAgentReply": "false"}),
        ("status, sort -updatedAt (checked on the tickets)", {"status": "OPEN", "sort": "-updatedAt"}),
        (
            "customerExternalId, sort -updatedAt (checked)",
            {"customerExternalId": seeding.HOT_CUSTOMER, "sort": "-updatedAt"},
        ),
    ]


def measure_operations() -> list[Measured]:
    results: list[Measured] = []
    with mocked_aws() as table:
        scene = world.seed(table, tickets=BULK_TICKETS)
        api = scene.api
        create_body = world.body("create_ticket.json")
        created = _measure(
            "create",
            "POST /v1/tickets (events/create_ticket.json)",
            lambda: api.create(create_body),
            3,
            "create ≤ 3",
        )
        results.append(created)
        with_external = create_body | {"externalId": "order-12345-payment"}
        results.append(
            _measure("create", "… with externalId", lambda: api.create(with_external), 3, "create ≤ 3")
        )
        results.append(
            _measure(
                "create",
                "… same externalId again (200, existing ticket)",
                lambda: api.create(with_external),
                3,
                "create ≤ 3",
            )
        )
        with quiet():  # set-up, not measured
            ticket = api.create(create_body).data
        ticket_id, number = ticket["id"], ticket["ticketNumber"]
        results.append(_measure("get", "GET /v1/tickets/{id}", lambda: api.get(ticket_id), 1, "get 1"))
        results.append(_measure("get", "GET /v1/tickets/{number}", lambda: api.get(number), 1, "get 1"))
        for label, query in list_queries():
            text = "GET /v1/tickets" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
            results.append(_measure("list", f"{label}: {text}", partial(api.list, **query), 3, "list ≤ 3"))
        replies = [
            ("agent reply (events/reply_ticket_agent.json)", world.body("reply_ticket_agent.json")),
            ("customer reply (events/reply_ticket_customer.json)", world.body("reply_ticket_customer.json")),
            ("internal note", {"message": "Carrier confirms the parcel is lost.", "internal": True}),
        ]
        for label, reply in replies:
            results.append(
                _measure(
                    "reply",
                    f"POST /v1/tickets/{{id}}/messages: {label}",
                    partial(api.reply, ticket_id, reply),
                    1,
                    "reply 1",
                )
            )
        updates = [
            ("priority", {"priority": "URGENT"}),
            ("assign an agent (events/update_ticket_assign.json)", world.body("update_ticket_assign.json")),
            ("close (events/update_ticket_close.json)", world.body("update_ticket_close.json")),
        ]
        for label, update in updates:
            results.append(
                _measure(
                    "update",
                    f"PATCH /v1/tickets/{{id}}: {label}",
                    partial(api.update, ticket_id, update),
                    1,
                    "update 1",
                )
            )
        forget_cached_keys()
        results.append(
            _measure("authorizer", "a key not in the function's cache", lambda: authorize(scene.secret), None)
        )
        results.append(
            _measure(
                "authorizer",
                "the same key again (cached, 60 s)",
                lambda: authorize(scene.secret),
                0,
                "authorizer 0 (cached)",
            )
        )
    return results


def report(results: list[Measured]) -> Section:
    section = Section("1. Round trips per API operation")
    section.add(
        "Each operation once, through its real handler, against moto (table from template.yaml, tenant "
        f"with {BULK_TICKETS} tickets so every list has entries). Calls counted with botocore's "
        "`before-call` event on the package's own clients (`tickets.clients`), DynamoDB and SES.",
        "",
    )
    rows = []
    for measured in results:
        verdict = (
            ""
            if measured.budget is None
            else ("✅" if measured.round_trips <= measured.budget else f"❌ (budget {measured.budget})")
        )
        rows.append(
            [measured.operation, measured.request, measured.round_trips, measured.calls_text(), verdict]
        )
    section.table(["operation", "request", "round trips", "calls", "budget"], rows)
    by_budget: dict[str, list[Measured]] = {}
    for measured in results:
        if measured.budget is not None:
            by_budget.setdefault(measured.budget_name, []).append(measured)
    for name, group in by_budget.items():
        worst = max(group, key=lambda m: m.round_trips)
        misses = [m for m in group if m.round_trips > m.budget]  # type: ignore[operator]
        note = ""
        if misses:
            note = "missed by: " + "; ".join(f"{short_label(m.request)} {m.round_trips}" for m in misses)
        section.budgets.append(
            Budget(
                f"round trips: {name}",
                name.split(" ", 1)[1],
                f"{worst.round_trips} at most",
                not misses,
                note,
            )
        )
    return section


def units_report(results: list[Measured], figure: Image) -> Section:
    section = Section("2. Read and write units per operation")
    section.add(
        "Computed from the items each call read or wrote (the recorder reads every written item before "
        "and after the call straight from moto's backend, which is no call); moto's ConsumedCapacity "
        "is a constant, so it is not used. The formula (`bench/capacity.py`):",
        "",
        "- item size = Σ over attributes of UTF-8 length of the name + size of the value (S: UTF-8 bytes; "
        "N: 1 + ⌈significant digits / 2⌉; BOOL/NULL: 1; L/M: 3 + 1 per element + the elements);",
        "- write: ⌈size / 1 KB⌉ per item, of the larger of the old and new item (Put, Update), of the "
        "deleted item (Delete); x2 inside TransactWriteItems;",
        "- GSI1 write (projection ALL, so the entry is the whole item): ⌈size / 1 KB⌉ to put or update "
        "the entry, plus ⌈old size / 1 KB⌉ to delete the old entry when the GSI key changed or went away; "
        "not doubled in a transaction (as in docs/data-model.md);",
        "- read: GetItem and BatchGetItem ⌈size / 4 KB⌉ per key (at least 1, a missing item too); Query "
        "⌈Σ sizes of the items read, before any FilterExpression / 4 KB⌉ (at least 1); half for "
        "eventually consistent reads (every GSI1 read).",
        "",
    )
    rows = []
    for measured in results:
        units = measured.units
        rows.append(
            [
                measured.operation,
                measured.request.split(":")[0] if measured.operation == "list" else measured.request,
                _num(units.reads),
                _num(units.table_writes),
                _num(units.index_writes),
                _num(units.writes),
            ]
        )
    section.table(["operation", "request", "RRU", "WRU table", "WRU GSI1", "WRU total"], rows)
    section.image(figure)
    section.add(
        "List pages here hold what the tenant's lists hold in this small tenant; section 3 gives a full "
        "page of 25 at 1,000 and 50,000 tickets.",
        "",
    )
    return section


def short_label(request: str) -> str:
    """The distinguishing part of a request's label: 'agent reply', 'status, two values'..."""
    label = (
        request.split(": ", 1)[1]
        if ": " in request and request.startswith(("POST", "PATCH"))
        else request.split(": ", 1)[0]
    )
    return label.split(" (", 1)[0]


def _num(value: float) -> str:
    return f"{value:g}"
