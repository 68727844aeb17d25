"""Section 2 (continued): what a typical ticket's life costs, per 1,000,000 tickets.

The life runs for real, once: through the API handlers (each request authorized first by the authorizer
function, its key cached) and, after each request, the stream function on what the request put on the
stream (assignment, emails). Every call is recorded with its units; the bill is the counts times AWS's
on-demand prices in us-east-1."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench import streams, world
from bench.aws import mocked_aws, quiet
from bench.capacity import Units
from bench.recorder import Recorder
from bench.report import Budget, Section
from tests.support.handlers import LambdaContext, handler_module
from tests.support.streams import Outbox, StreamPump
from tickets import clients


@dataclass(frozen=True)
class Price:
    item: str
    usd: float
    per: float  # units the price is for
    unit: str
    source: str


PRICES = {
    "wru": Price(
        "DynamoDB on-demand, write request units",
        0.625,
        1e6,
        "per million WRU",
        "us-east-1, in effect since 2024-11-01 (on-demand halved); aws.amazon.com/dynamodb/pricing/on-demand",
    ),
    "rru": Price(
        "DynamoDB on-demand, read request units",
        0.125,
        1e6,
        "per million RRU",
        "us-east-1, in effect since 2024-11-01; aws.amazon.com/dynamodb/pricing/on-demand",
    ),
    "api": Price(
        "API Gateway REST API, requests",
        3.50,
        1e6,
        "per million (first 333 million a month)",
        "us-east-1, as published in 2025; aws.amazon.com/api-gateway/pricing",
    ),
    "lambda": Price(
        "Lambda, requests",
        0.20,
        1e6,
        "per million",
        "us-east-1, as published in 2025; aws.amazon.com/lambda/pricing",
    ),
    "gbs": Price(
        "Lambda, duration (arm64)",
        0.0000133334,
        1,
        "per GB-second (first 7.5 billion a month)",
        "us-east-1, as published in 2025; aws.amazon.com/lambda/pricing",
    ),
    "events": Price(
        "EventBridge, custom events published",
        1.00,
        1e6,
        "per million events (each 64 KB of an entry counts as one)",
        "us-east-1, as published in 2025; aws.amazon.com/eventbridge/pricing",
    ),
    "ses": Price(
        "SES, outbound email",
        0.10,
        1000,
        "per 1,000 emails",
        "as published in 2025; aws.amazon.com/ses/pricing",
    ),
}
PRICE_NOTE = (
    "Prices are AWS's published us-east-1 list prices as of the dates given, read from stored copies of "
    "the pricing pages and summaries of them (this machine has no internet to check the live pages); "
    "no free tier, no Savings Plans."
)

# Lambda duration model: our code's time as measured here, scaled to the function's CPU share, plus a
# typical in-region latency per call. 1,769 MB is one vCPU, so 512 MB is 0.29 of one and 256 MB 0.14.
CPU_SCALE = {512: 1769 / 512, 256: 1769 / 256}
LATENCY_MS = {"TransactWriteItems": 12.0, "sesv2:SendEmail": 40.0}
DEFAULT_LATENCY_MS = 5.0
TICKETS = 1_000_000
# Where a ticket's whole life (API and stream) should get to (issue 13), before its history (issue 14),
# which is counted on its own: one event item a change, written by the stream function.
TARGET_LIFE_WRU = 120


@dataclass
class Step:
    label: str
    requests: int = 0
    api_calls: list[str] = field(default_factory=list)
    api_units: Units = field(default_factory=Units)
    stream_calls: list[str] = field(default_factory=list)
    stream_units: Units = field(default_factory=Units)
    history_units: Units = field(default_factory=Units)  # of stream_units: the ticket's history
    stream_invocations: int = 0
    events: int = 0  # published on the event bus by the stream function
    emails: int = 0
    gb_seconds: float = 0.0


def _billed_gb_seconds(own_seconds: float, calls: list[str], memory_mb: int) -> float:
    latency = sum(LATENCY_MS.get(name, DEFAULT_LATENCY_MS) for name in calls) / 1000
    return (own_seconds * CPU_SCALE[memory_mb] + latency) * memory_mb / 1024


def life() -> list[Step]:
    """Create, 4 replies (agent, customer, agent, customer), 1 update, close, 10 reads."""
    steps: list[Step] = []
    with mocked_aws() as table, quiet():
        # No other tickets: a closed ticket frees its agent, who would take waiting tickets (the
        # backlog), and their assignments are not this ticket's cost.
        scene = world.seed(table)
        outbox = Outbox(clients.sesv2())
        pump = StreamPump(table)
        pump.skip()
        authorizer = handler_module("authorizer").lambda_handler
        authorizer_event = copy.deepcopy(world.authorizer_event())
        authorizer_event["headers"]["X-API-Key"] = scene.secret
        authorizer(
            copy.deepcopy(authorizer_event), LambdaContext("authorizer")
        )  # the key is cached from here
        api = scene.api
        ticket_id = ""

        def request(step: Step, action: Callable[[], Any]) -> Any:
            started = time.perf_counter()
            authorizer(copy.deepcopy(authorizer_event), LambdaContext("authorizer"))
            step.gb_seconds += _billed_gb_seconds(time.perf_counter() - started, [], 256)
            with Recorder(units=True) as recorder:
                started = time.perf_counter()
                response = action()
                wall = time.perf_counter() - started
            if response.status >= 400:
                raise AssertionError(f"{step.label}: {response.status} {response.json}")
            step.requests += 1
            step.api_calls += [call.name for call in recorder.calls]
            step.api_units = step.api_units + recorder.total_units()
            step.gb_seconds += _billed_gb_seconds(
                recorder.own_seconds(wall), [c.name for c in recorder.calls], 512
            )
            batch = streams.pump_all(pump, outbox, step.label)
            step.stream_calls += batch.call_names
            step.stream_units = step.stream_units + batch.units
            step.history_units = step.history_units + batch.history_units
            step.stream_invocations += batch.invocations
            step.emails += batch.emails
            step.events += batch.events_published
            step.gb_seconds += _billed_gb_seconds(batch.own, batch.call_names, 512)
            return response

        create = Step("create (then: assignment, email to the agent)")
        ticket_id = request(create, lambda: api.create(world.body("create_ticket.json"))).data["id"]
        steps.append(create)
        for label, body in (
            ("agent reply", world.body("reply_ticket_agent.json")),
            ("customer reply", world.body("reply_ticket_customer.json")),
            ("agent reply", world.body("reply_ticket_agent.json")),
            ("customer reply", world.body("reply_ticket_customer.json")),
        ):
            step = Step(f"{label} (then: email)")
            request(step, partial(api.reply, ticket_id, body))
            steps.append(step)
        update = Step("update: priority URGENT")
        request(update, lambda: api.update(ticket_id, {"priority": "URGENT"}))
        steps.append(update)
        close = Step("close (then: email to the customer)")
        request(close, lambda: api.update(ticket_id, world.body("update_ticket_close.json")))
        steps.append(close)
        reads = Step("10 reads: GET /v1/tickets/{id}")
        for _ in range(10):
            request(reads, lambda: api.get(ticket_id))
        steps.append(reads)
    return steps


def _calls(names: list[str]) -> str:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{name} x{count}" if count > 1 else name for name, count in counts.items()) or "-"


def life_units(steps: list[Step]) -> tuple[Units, Units]:
    """The units of the whole life: the API's requests, and the stream function's."""
    api = sum((step.api_units for step in steps), Units())
    stream = sum((step.stream_units for step in steps), Units())
    return api, stream


def report(steps: list[Step]) -> Section:
    section = Section("2b. Cost of a ticket's life, per 1,000,000 tickets")
    section.add(
        "One life run for real: create, 4 replies (agent, customer, agent, customer), 1 update, close, "
        "10 reads. Each request is first authorized by the authorizer function (API Gateway's own "
        "authorizer cache is off, `ReauthorizeEvery: 0`, so every request invokes it; the key lookup "
        "is cached in the function, 0 reads), then handled; the stream function then processes what "
        "the request put on the table's stream (assignment after create, emails).",
        "",
    )
    rows = []
    for step in steps:
        rows.append(
            [
                step.label,
                step.requests,
                _calls(step.api_calls),
                f"{step.api_units.reads:g} / {step.api_units.writes:g}",
                _calls(step.stream_calls),
                f"{step.stream_units.reads:g} / {step.stream_units.writes:g}",
                step.stream_invocations,
                step.emails,
            ]
        )
    requests = sum(step.requests for step in steps)
    api_units, stream_units = life_units(steps)
    invocations = sum(step.stream_invocations for step in steps)
    emails = sum(step.emails for step in steps)
    events = sum(step.events for step in steps)
    rows.append(
        [
            "**one life**",
            requests,
            f"{sum(len(step.api_calls) for step in steps)} calls",
            f"{api_units.reads:g} / {api_units.writes:g}",
            f"{sum(len(step.stream_calls) for step in steps)} calls",
            f"{stream_units.reads:g} / {stream_units.writes:g}",
            invocations,
            emails,
        ]
    )
    section.table(
        [
            "step",
            "API requests",
            "API calls",
            "API RRU / WRU",
            "stream calls",
            "stream RRU / WRU",
            "stream invocations",
            "emails",
        ],
        rows,
    )
    units = api_units + stream_units
    history = sum((step.history_units for step in steps), Units())
    before_history = units.writes - history.writes
    section.budgets.append(
        Budget(
            f"a ticket's life ≤ {TARGET_LIFE_WRU} WRU (before its history)",
            f"{TARGET_LIFE_WRU} WRU",
            f"{before_history:g} WRU",
            before_history <= TARGET_LIFE_WRU,
            f"API {api_units.writes:g}, stream {stream_units.writes - history.writes:g}; the history adds "
            f"{history.writes:g} (section 2b)",
        )
    )
    section.add(
        f"The ticket's history (its events, GET /v1/tickets/{{id}}/events) is {history.writes:g} of the "
        f"stream's {stream_units.writes:g} WRU: one item of under 1 KB per event, put by the stream "
        "function (no transaction), so the requests themselves make no round trip and write no unit "
        "more for it.",
        "",
    )
    gb_seconds = sum(step.gb_seconds for step in steps)
    lambda_requests = 2 * requests + invocations  # handler + authorizer per request, stream batches
    lines = [
        (
            "wru",
            units.writes,
            f"{units.writes:g} WRU (API {api_units.writes:g}, stream {stream_units.writes:g})",
        ),
        ("rru", units.reads, f"{units.reads:g} RRU (API {api_units.reads:g}, stream {stream_units.reads:g})"),
        ("api", requests, f"{requests} requests"),
        (
            "lambda",
            lambda_requests,
            f"{lambda_requests} invocations ({requests} handlers, {requests} authorizer, "
            f"{invocations} stream)",
        ),
        ("gbs", gb_seconds, f"{gb_seconds:.3f} GB-s (model below)"),
        (
            "events",
            events,
            f"{events} events (no webhook endpoint in this life; section 8 counts what one adds)",
        ),
        ("ses", emails, f"{emails} emails"),
    ]
    cost_rows = []
    total = 0.0
    for key, quantity, text in lines:
        price = PRICES[key]
        cost = quantity * TICKETS * price.usd / price.per
        total += cost
        cost_rows.append([price.item, text, f"${price.usd:g} {price.unit}", f"${cost:,.2f}", price.source])
    cost_rows.append(["**total**", "", "", f"**${total:,.2f}**", ""])
    section.table(["item", "per ticket's life", "price", "per 1,000,000 tickets", "price as of"], cost_rows)
    section.add(
        PRICE_NOTE,
        "",
        "Lambda duration is a model, not a measurement: our code's time as measured here (handler time "
        "minus the time inside AWS calls), scaled to the function's CPU share (512 MB ≈ 0.29 vCPU, 256 MB "
        f"≈ 0.14 vCPU; one core here taken as one vCPU), plus {DEFAULT_LATENCY_MS:g} ms per DynamoDB call, "
        f"{LATENCY_MS['TransactWriteItems']:g} ms per TransactWriteItems and "
        f"{LATENCY_MS['sesv2:SendEmail']:g} ms per SES SendEmail; cold starts not included. Streams: "
        "Lambda's reads of the table's stream are "
        "free. Not included: storage, CloudWatch logs and metrics, data transfer.",
        "",
    )
    return section
