"""Section 8: webhooks. Tickets are created through the API; the stream function publishes their
events, and tests/support/webhooks.py takes them through the template's path in moto (the bus's rule,
the events queue, the dispatch function, the delivery queue, the delivery function) to receivers on
127.0.0.1. Counted: AWS calls and write units per event and per delivery, posts per event. Timed, in
process: deliveries a second, and a write's time to its delivery, next to a bare POST to the same
receiver (the floor), all in the same run."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench import world
from bench.aws import mocked_aws, quiet
from bench.capacity import Units
from bench.recorder import Recorder
from bench.report import Budget, Section
from tests.support.receiver import receiver
from tests.support.webhooks import WebhookPipeline
from tickets.notify import webhook_transport


@dataclass
class Fanout:
    endpoints: int
    events: int
    deliveries: int
    dispatch_calls: Counter[str]
    dispatch_units: Units
    delivery_calls: Counter[str]
    delivery_units: Units
    delivery_seconds: float


@dataclass
class Latency:
    write_to_delivery: list[float]
    bare_post: list[float]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _fanout(table: str, endpoints: int, tickets: int) -> Fanout:
    """`tickets` new tickets (each: created, then assigned by the stream: three events) to `endpoints`
    endpoints that want every type."""
    scene = world.seed(table, capacity=tickets)
    pipeline = WebhookPipeline(table)
    pipeline.stream.skip()
    with receiver() as hooks:
        for _ in range(endpoints):
            created = scene.api.create_webhook({"url": hooks.url, "eventTypes": ["*"]})
            assert created.status == 201, created.json
        for _ in range(tickets):
            assert scene.api.create(world.body("create_ticket.json")).status == 201
        assert not pipeline.stream.run_until_quiet()
        with Recorder(units=True) as dispatching:
            events = pipeline.dispatch()
        started = time.perf_counter()
        with Recorder(units=True) as delivering:
            deliveries = pipeline.deliver()
        seconds = time.perf_counter() - started
        assert deliveries == len(hooks.received) == endpoints * events, (deliveries, endpoints, events)
    return Fanout(
        endpoints=endpoints,
        events=events,
        deliveries=deliveries,
        dispatch_calls=Counter(call.name for call in dispatching.calls),
        dispatch_units=dispatching.total_units(),
        delivery_calls=Counter(call.name for call in delivering.calls),
        delivery_units=delivering.total_units(),
        delivery_seconds=seconds,
    )


def _latency(table: str, tickets: int) -> Latency:
    scene = world.seed(table, capacity=tickets)
    pipeline = WebhookPipeline(table)
    pipeline.stream.skip()
    with receiver() as hooks:
        created = scene.api.create_webhook({"url": hooks.url, "eventTypes": ["ticket.created"]})
        assert created.status == 201, created.json
        delays = []
        for _ in range(tickets):
            assert scene.api.create(world.body("create_ticket.json")).status == 201
            written = time.monotonic()
            pipeline.run()
            delays.append(hooks.received[-1].arrived - written)
        floor = []
        for _ in range(tickets):
            started = time.monotonic()
            assert webhook_transport.post(hooks.url, "{}", {}, allow_loopback=True).succeeded
            floor.append(time.monotonic() - started)
    return Latency(delays, floor)


def measure(tickets: int) -> tuple[list[Fanout], Latency]:
    fanouts = []
    for endpoints in (1, 10):
        with mocked_aws() as table, quiet():
            fanouts.append(_fanout(table, endpoints, tickets))
    with mocked_aws() as table, quiet():
        latency = _latency(table, tickets)
    return fanouts, latency


def _calls(counted: Counter[str], per: int) -> str:
    return ", ".join(f"{name} {count / per:g}" for name, count in sorted(counted.items()))


def report(measured: tuple[list[Fanout], Latency]) -> Section:
    fanouts, latency = measured
    section = Section("8. Webhooks")
    section.add(
        "Tickets created through the API (each makes three events: created, then the stream's "
        "assignment: status changed and assigned), taken through the template's path in moto "
        "(`tests/support/webhooks.py`) to endpoints wanting every type, on a receiver on 127.0.0.1 that "
        "answers 200. *dispatch*: the dispatch function, per event; *attempt*: the delivery function, per "
        "delivery (a first attempt that succeeds). The delivery function decrypts each secret once per "
        "container (KMS).",
        "",
    )
    rows: list[list[Any]] = []
    for fanout in fanouts:
        rows.append(
            [
                fanout.endpoints,
                fanout.events,
                fanout.deliveries / fanout.events,
                _calls(fanout.dispatch_calls, fanout.events),
                f"{fanout.dispatch_units.writes / fanout.events:g}",
                _calls(fanout.delivery_calls, fanout.deliveries),
                f"{fanout.delivery_units.writes / fanout.deliveries:g}",
                f"{fanout.deliveries / fanout.delivery_seconds:.0f}",
            ]
        )
    section.table(
        [
            "endpoints",
            "events",
            "posts / event",
            "dispatch: calls / event",
            "dispatch WRU / event",
            "attempt: calls / delivery",
            "attempt WRU / delivery",
            "deliveries / s (in process)",
        ],
        rows,
    )
    write = statistics.median(latency.write_to_delivery) * 1e3
    floor = statistics.median(latency.bare_post) * 1e3
    section.add(
        f"A write to its delivery, one ticket at a time ({len(latency.write_to_delivery)} tickets, "
        f"stream, bus, dispatch and delivery run in process one after the other): median {write:.1f} ms, "
        f"p95 {_p95(latency.write_to_delivery) * 1e3:.1f} ms; the floor, a bare POST to the same "
        f"receiver: median {floor:.2f} ms, p95 {_p95(latency.bare_post) * 1e3:.2f} ms. On AWS the "
        "stream's batching window (1 s) and the queues' polling come on top.",
        "",
    )
    one = fanouts[0]
    dynamodb_per_attempt = (
        sum(count for name, count in one.delivery_calls.items() if ":" not in name) / one.deliveries
    )
    section.budgets.append(
        Budget(
            "a first attempt that succeeds: DynamoDB round trips",
            "4 (read delivery, read endpoint, claim, record)",
            f"{dynamodb_per_attempt:g}",
            dynamodb_per_attempt <= 4,
        )
    )
    for fanout in fanouts:
        wanted = 1 + fanout.endpoints
        dynamodb = (
            sum(count for name, count in fanout.dispatch_calls.items() if ":" not in name) / fanout.events
        )
        section.budgets.append(
            Budget(
                f"dispatch of an event to {fanout.endpoints} endpoint(s): DynamoDB round trips",
                f"{wanted} (the endpoints' Query, a PutItem each)",
                f"{dynamodb:g}",
                dynamodb <= wanted,
            )
        )
    return section
