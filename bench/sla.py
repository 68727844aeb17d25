"""Section 10: the SLA clocks. What a policy adds to each write of a ticket's life (round trips, read
and write units: the same operations with and without a `default` policy), and what the clock sweep
costs per hour: a sweep with nothing due over a table of tickets that are not due (what every minute
costs), and a sweep that records a breach on each of many due tickets (what each due ticket costs).
Timed in process: a sweep with nothing due, next to one bare Query of an empty clock partition (the
floor), in the same run."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench import world
from bench.aws import mocked_aws, quiet
from bench.capacity import Units
from bench.cost import PRICES
from bench.recorder import Recorder
from bench.report import Budget, Section
from tickets import clients, keys
from tickets.ids import utc_now
from tickets.logic.sla_sweep import SlaSweep
from tickets.store.repository import TicketRepository
from tickets.store.sla import SlaClockStore

POLICY: dict[str, Any] = {
    "name": "Standard support",
    "targets": {
        "HIGH": {"firstResponseMinutes": 60, "nextResponseMinutes": 120, "resolutionMinutes": 1440},
        "URGENT": {"firstResponseMinutes": 30, "nextResponseMinutes": 60, "resolutionMinutes": 480},
    },
    "businessHours": {
        "timezone": "Europe/Berlin",
        "weekly": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-12-24", "2026-12-25", "2026-12-26"],
    },
    "warningMinutes": 15,
}
SWEEP_MEMORY_GB = 0.5  # the template's MemorySize (512 MB)
MINUTES_PER_HOUR = 60


@dataclass
class Step:
    label: str
    calls: Counter[str]
    units: Units


@dataclass
class Sweep:
    label: str
    due: int
    calls: Counter[str]
    units: Units
    seconds: list[float]


def _record(label: str, action: Any) -> Step:
    with Recorder(units=True) as recorder:
        response = action()
    assert response.status in (200, 201), response.json
    dynamodb = Counter(call.name for call in recorder.calls if call.service == "dynamodb")
    return Step(label, dynamodb, recorder.total_units())


def _life(table: str, with_policy: bool) -> list[Step]:
    scene = world.seed(table)
    api = scene.api
    if with_policy:
        assert api.put_sla_policy("default", POLICY).status == 201
    body = world.body("create_ticket.json") | {"priority": "URGENT"}
    created = _record("create", lambda: api.create(body))
    ticket_id = api.list().data[0]["id"]
    answer = {"message": "On it.", "from": {"role": "AGENT"}}
    back = {"message": "Still broken.", "from": {"role": "CUSTOMER"}}
    return [
        created,
        _record("agent reply", lambda: api.reply(ticket_id, answer)),
        _record("customer reply", lambda: api.reply(ticket_id, back)),
        _record("PATCH priority", lambda: api.update(ticket_id, {"priority": "HIGH"})),
        _record("PATCH status CLOSED", lambda: api.update(ticket_id, {"status": "CLOSED"})),
    ]


def _sweeps(table: str, tickets: int, rounds: int) -> tuple[Sweep, Sweep, list[float]]:
    scene = world.seed(table, capacity=tickets)
    assert scene.api.put_sla_policy("default", POLICY).status == 201
    body = world.body("create_ticket.json") | {"priority": "URGENT"}
    for _ in range(tickets):
        assert scene.api.create(body).status == 201
    client = clients.dynamodb()
    entries, repository = SlaClockStore(client, table), TicketRepository(client, table)

    def run(label: str, now: Any, repeat: int) -> Sweep:
        sweep = SlaSweep(entries, repository, write_retry_seconds=1, clock=lambda: now)
        seconds, due = [], 0
        with Recorder(units=True) as recorder:
            for _ in range(repeat):
                started = time.perf_counter()
                due = sweep.sweep().due
                seconds.append(time.perf_counter() - started)
        calls = Counter(call.name for call in recorder.calls if call.service == "dynamodb")
        return Sweep(label, due, calls, recorder.total_units(), seconds)

    idle = run(f"{tickets:,} tickets, none due", utc_now() - timedelta(days=7), rounds)
    floor = []
    empty = keys.sla_clock_partitions()[0]
    for _ in range(rounds):
        started = time.perf_counter()
        client.query(
            TableName=table,
            KeyConditionExpression="PK = :pk AND SK <= :upto",
            ExpressionAttributeValues={":pk": {"S": empty}, ":upto": {"S": "0"}},
        )
        floor.append(time.perf_counter() - started)
    # Two years on, every ticket's first due time has passed: each sweep records one breach a ticket.
    busy = run(f"{tickets:,} tickets, all due", utc_now() + timedelta(days=730), 1)
    return idle, busy, floor


def measure(tickets: int, rounds: int) -> tuple[list[Step], list[Step], Sweep, Sweep, list[float]]:
    with mocked_aws() as table, quiet():
        without = _life(table, with_policy=False)
    with mocked_aws() as table, quiet():
        with_policy = _life(table, with_policy=True)
    with mocked_aws() as table, quiet():
        idle, busy, floor = _sweeps(table, tickets, rounds)
    return without, with_policy, idle, busy, floor


def _calls(calls: Counter[str], per: int = 1) -> str:
    return ", ".join(f"{name} {count / per:g}" for name, count in sorted(calls.items())) or "none"


def _usd(units: Units, invocations: float, seconds: float) -> float:
    return (
        units.writes * PRICES["wru"].usd / PRICES["wru"].per
        + units.reads * PRICES["rru"].usd / PRICES["rru"].per
        + invocations * PRICES["lambda"].usd / PRICES["lambda"].per
        + seconds * SWEEP_MEMORY_GB * PRICES["gbs"].usd / PRICES["gbs"].per
    )


def report(measured: tuple[list[Step], list[Step], Sweep, Sweep, list[float]]) -> Section:
    without, with_policy, idle, busy, floor = measured
    section = Section("10. SLA clocks")
    section.add(
        "A ticket's life through the API handlers, URGENT, without a policy and under a `default` "
        "policy (business hours, three targets, a 15-minute warning): what the clocks add to each write. "
        "A new ticket's policy is matched among the tenant's, read (one Query) only by the first create of "
        "a container after a policy changed (the tenant's `slaPolicyRevision`), as this one is; an existing "
        "ticket's read by its id when the change can move a clock (a public reply, a status or priority "
        "change). The clock entry (`SLA_CLOCK#<nn>`) and the due-list entry (`LIST#SLA_DUE`) move in the "
        "ticket's own transaction, only when their times change.",
        "",
    )
    rows = []
    for plain, clocked in zip(without, with_policy, strict=True):
        rows.append(
            [
                plain.label,
                _calls(plain.calls),
                _calls(clocked.calls),
                f"{clocked.units.reads - plain.units.reads:+g}",
                f"{clocked.units.writes - plain.units.writes:+g}",
            ]
        )
    section.table(
        ["write", "DynamoDB calls, no policy", "DynamoDB calls, with a policy", "RRU added", "WRU added"],
        rows,
    )
    added_writes = sum(c.units.writes - p.units.writes for p, c in zip(without, with_policy, strict=True))
    added_reads = sum(c.units.reads - p.units.reads for p, c in zip(without, with_policy, strict=True))
    per_ticket = _usd(Units(table_writes=added_writes, reads=added_reads), 0, 0)
    section.add(
        f"Over this life the clocks add {added_reads:g} RRU and {added_writes:g} WRU: "
        f"${per_ticket * 1e6:,.2f} per million tickets (prices as in section 2b), besides the breach "
        "events' own history, webhook and push costs (sections 7 to 9).",
        "",
    )
    idle_runs = len(idle.seconds)
    idle_ms = statistics.median(idle.seconds) * 1e3
    floor_ms = statistics.median(floor) * 1e3
    busy_seconds = sum(busy.seconds)
    section.table(
        ["sweep", "due", "DynamoDB calls / sweep", "RRU / sweep", "WRU / sweep", "ms / sweep (median)"],
        [
            [
                idle.label,
                0,
                _calls(idle.calls, idle_runs),
                f"{idle.units.reads / idle_runs:g}",
                f"{idle.units.writes / idle_runs:g}",
                f"{idle_ms:.2f} (floor, one empty Query: {floor_ms:.2f})",
            ],
            [
                busy.label,
                busy.due,
                _calls(busy.calls),
                f"{busy.units.reads:g}",
                f"{busy.units.writes:g}",
                f"{busy_seconds * 1e3:.0f}",
            ],
        ],
    )
    idle_reads = idle.units.reads / idle_runs
    hour = _usd(Units(reads=idle_reads * MINUTES_PER_HOUR), MINUTES_PER_HOUR, 0.1 * MINUTES_PER_HOUR)
    per_due = _usd(busy.units, 0, busy_seconds) / max(1, busy.due)
    section.add(
        f"Per hour with nothing due: {MINUTES_PER_HOUR} invocations, {idle_reads * MINUTES_PER_HOUR:g} RRU, "
        f"and 100 ms billed each at {SWEEP_MEMORY_GB * 1024:.0f} MB (the in-process sweep takes "
        f"{idle_ms:.1f} ms; Lambda bills whole milliseconds, and the invocation's own overhead is "
        f"more): ${hour:.6f} an hour, ${hour * 24 * 30:.4f} a month, whatever the number of tickets "
        f"that are not due. Each due warning or breach then costs ${per_due * 1e6:,.2f} per million "
        "(the ticket's read, its conditional write with its entries moved, and the sweep's time). An "
        "invocation with something due within its next 50 s waits for it and records it then: up to "
        f"50 s billed at {SWEEP_MEMORY_GB * 1024:.0f} MB, "
        f"${50 * SWEEP_MEMORY_GB * PRICES['gbs'].usd / PRICES['gbs'].per:.6f}, in a minute that has one.",
        "",
    )
    section.budgets.append(
        Budget(
            "the SLA sweep with nothing due: DynamoDB calls, whatever the tickets not due",
            f"{len(keys.sla_clock_partitions())} Query (one per clock partition), no ticket read",
            _calls(idle.calls, idle_runs),
            idle.calls == Counter({"Query": len(keys.sla_clock_partitions()) * idle_runs}),
        )
    )
    per_due_calls = {name: count / max(1, busy.due) for name, count in busy.calls.items()}
    section.budgets.append(
        Budget(
            "the SLA sweep, per due ticket: DynamoDB calls",
            "1 GetItem and 1 TransactWriteItems (plus the sweep's Queries, one a page of 100)",
            ", ".join(f"{name} {count:.2f}" for name, count in sorted(per_due_calls.items())),
            per_due_calls.get("GetItem", 0) == 1 and per_due_calls.get("TransactWriteItems", 0) == 1,
        )
    )
    return section
