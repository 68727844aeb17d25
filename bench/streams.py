"""Section 7: the stream function on batches of 100. Tickets are created (and replied to, and closed)
through the API; the table's stream then reaches the real handler through tests/support/streams.py's
pump, which applies the template's filter and Lambda's batch size, until nothing new passes the filter
(assignment writes cause the agent emails, for instance). Every call of the stream function is
recorded, with its read and write units."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench import capacity, world
from bench.aws import mocked_aws, quiet
from bench.capacity import Units
from bench.recorder import Call, Recorder
from bench.report import Section
from tests.support.streams import Outbox, StreamPump
from tickets import clients


@dataclass
class StreamBatch:
    label: str
    records: int
    invocations: int
    call_names: list[str]
    units: Units
    emails: int
    wall: float
    own: float
    failures: int
    history_units: Units = field(default_factory=Units)  # of `units`: the tickets' history written
    events_published: int = 0  # entries put on the event bus

    @property
    def calls(self) -> Counter[str]:
        return Counter(self.call_names)

    @property
    def round_trips(self) -> int:
        return len(self.call_names)


def pump_all(pump: StreamPump, outbox: Outbox, label: str, max_rounds: int = 10) -> StreamBatch:
    """Deliver everything the stream holds, and what that causes, recording the function's calls."""
    sent_before = len(outbox)
    records = invocations = failures = 0
    wall = 0.0
    with Recorder(units=True) as recorder:
        for _ in range(max_rounds):
            pending = pump.pending()
            if not pending:
                break
            records += len(pending)
            for start in range(0, len(pending), pump.batch_size):
                batch = pending[start : start + pump.batch_size]
                started = time.perf_counter()
                failures += len(pump.invoke(batch))
                wall += time.perf_counter() - started
                invocations += 1
        else:
            raise AssertionError(f"{label}: the stream was still busy after {max_rounds} rounds")
    return StreamBatch(
        label=label,
        records=records,
        invocations=invocations,
        call_names=[call.name for call in recorder.calls],
        units=recorder.total_units(),
        emails=len(outbox) - sent_before,
        wall=wall,
        own=recorder.own_seconds(wall),
        failures=failures,
        history_units=capacity.total(call.units for call in recorder.calls if _writes_history(call)),
        events_published=sum(
            len(call.params.get("Entries", [])) for call in recorder.calls if call.operation == "PutEvents"
        ),
    )


def _writes_history(call: Call) -> bool:
    """A PutItem (or DeleteItem) of an event of a ticket's history (keys.events_partition)."""
    written = call.params.get("Item") or call.params.get("Key") or {}
    return call.operation in ("PutItem", "DeleteItem") and "#EVENTS#" in written.get("PK", {}).get("S", "")


def measure(count: int) -> list[StreamBatch]:
    batches = []
    with mocked_aws() as table, quiet():
        # Room for every ticket: each of the two agents may hold all of them.
        scene = world.seed(table, capacity=count)
        outbox = Outbox(clients.sesv2())
        pump = StreamPump(table)
        pump.skip()  # the seed's own records (agents, keys) are not part of the batches
        api = scene.api
        ids = []
        for index in range(count):
            body: dict[str, Any] = world.body("create_ticket.json") | {
                "customerExternalId": ("user_42", "user_7")[index % 2]
            }
            response = api.create(body)
            assert response.status == 201, response.json
            ids.append(response.data["id"])
        batches.append(pump_all(pump, outbox, f"{count} new tickets: assignment, then the agents' emails"))
        for ticket_id in ids:
            response = api.reply(ticket_id, world.body("reply_ticket_agent.json"))
            assert response.status == 201, response.json
        batches.append(pump_all(pump, outbox, f"{count} agent replies: the customers' emails"))
        for ticket_id in ids:
            response = api.reply(ticket_id, world.body("reply_ticket_customer.json"))
            assert response.status == 201, response.json
        batches.append(pump_all(pump, outbox, f"{count} customer replies: the agents' emails"))
        for ticket_id in ids:
            response = api.update(ticket_id, world.body("update_ticket_close.json"))
            assert response.status == 200, response.json
        batches.append(pump_all(pump, outbox, f"{count} closes: the customers' emails, agents' load"))
    return batches


def report(batches: list[StreamBatch]) -> Section:
    section = Section("7. Stream processing")
    section.add(
        "The stream function (`functions/ticket_stream`) on what 100 API writes of one kind put on the "
        "table's stream, delivered by `tests/support/streams.py` (the template's FilterCriteria, batches "
        "of at most 25) until the stream is quiet. *records*: records that passed the filter, all "
        "rounds; *own ms*: the handler's time minus the time inside AWS calls (moto) and the recorder.",
        "",
    )
    rows = []
    for batch in batches:
        calls = ", ".join(f"{name} x{count}" for name, count in sorted(batch.calls.items()))
        rows.append(
            [
                batch.label,
                batch.records,
                batch.invocations,
                batch.round_trips,
                calls,
                f"{batch.units.reads:g}",
                f"{batch.units.writes:g}",
                batch.emails,
                f"{batch.wall * 1e3:.0f}",
                f"{batch.own * 1e3:.0f}",
                f"{batch.own * 1e3 / max(batch.records, 1):.2f}",
                batch.failures,
            ]
        )
    section.table(
        [
            "batch",
            "records",
            "invocations",
            "AWS calls",
            "by operation",
            "RRU",
            "WRU",
            "emails",
            "handler ms",
            "own ms",
            "own ms / record",
            "failed records",
        ],
        rows,
    )
    return section
