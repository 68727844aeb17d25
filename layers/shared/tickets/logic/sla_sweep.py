"""The SLA clock sweep, run every minute (SlaClockFunction): it reads the clock entries due by now,
which are only those of tickets with a warning or a breach due (its cost does not grow with the
tickets that are not), and records each on its ticket as the system. The stream then tells of it
(logic/events.sla_events) and mails the breach (logic/automation.py).

Exactly once: the record is a conditional write of the ticket's version, so of two sweeps that
overlap one writes and the other finds nothing left to record; a redelivered stream record derives
the same event ids."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit

from tickets import clients, keys, retry
from tickets.ids import format_timestamp, utc_now
from tickets.logic import listing, sla_clock
from tickets.models.domain import SYSTEM
from tickets.observability import logger, metrics
from tickets.settings import get_settings
from tickets.store.repository import StaleWrite, TicketRepository
from tickets.store.sla import SlaClockStore

# Entries read per Query; a sweep reads on until none is due.
SWEEP_PAGE = 100
# How long past its start an invocation keeps recording what comes due: inside the function's 60 s
# timeout, before the schedule's next invocation takes over.
LOOK_AHEAD = timedelta(seconds=50)


@dataclass(frozen=True)
class SweepResult:
    due: int  # entries found due
    recorded: int  # tickets this sweep wrote a warning or a breach to
    contended: int  # tickets others kept changing: their entries stay for the next sweep
    # The soonest moment due after the sweep's time and within its look-ahead (None: nothing).
    next_due: datetime | None = None
    passes: int = 1

    def __add__(self, later: SweepResult) -> SweepResult:
        return SweepResult(
            self.due + later.due,
            self.recorded + later.recorded,
            self.contended + later.contended,
            later.next_due,
            self.passes + later.passes,
        )


class SlaSweep:
    def __init__(
        self,
        entries: SlaClockStore,
        repository: TicketRepository,
        *,
        write_retry_seconds: float,
        clock: Callable[[], datetime] = utc_now,
        wait: Callable[[float], None] = time.sleep,
    ) -> None:
        self._entries = entries
        self._repository = repository
        self._write_retry_seconds = write_retry_seconds
        self._clock = clock
        self._wait = wait

    def run(self, look_ahead: timedelta) -> SweepResult:
        """A sweep now, then again at each moment that comes due within `look_ahead`: the schedule
        starts one a minute, so what comes due in between is recorded within seconds, not a minute.
        It waits only while something is due within the look-ahead (its cost follows the due tickets)."""
        until = self._clock() + look_ahead
        result = self.sweep(until)
        while result.next_due is not None and result.next_due <= until:
            self._wait(max(0.0, (result.next_due - self._clock()).total_seconds()))
            if self._clock() < result.next_due:  # a clock that did not move on: nothing more is due
                break
            result += self.sweep(until)
        return result

    def sweep(self, look_ahead_until: datetime | None = None) -> SweepResult:
        """One pass: every entry due by now recorded; with `look_ahead_until`, the soonest moment
        after now and by then too (read in the same Queries)."""
        now = self._clock()
        upto = format_timestamp(max(now, look_ahead_until or now))
        due_by = format_timestamp(now)
        due = recorded = contended = 0
        next_due: str | None = None
        for partition in keys.sla_clock_partitions():
            start: dict[str, str] | None = None
            while True:
                found, start = self._entries.due_entries(partition, upto, start, SWEEP_PAGE)
                for moment, tenant_id, ticket_id in found:
                    if moment > due_by:  # in order: the rest of the partition is due later
                        next_due = min(next_due or moment, moment)
                        start = None
                        break
                    due += 1
                    outcome = self._record(tenant_id, ticket_id, now)
                    recorded += outcome is True
                    contended += outcome is None
                if start is None:
                    break
        soonest = datetime.fromisoformat(next_due) if next_due is not None else None
        return SweepResult(due, recorded, contended, soonest)

    def _record(self, tenant_id: str, ticket_id: str, now: datetime) -> bool | None:
        """True when this sweep recorded what was due, False when there was nothing left to record,
        None when other writers kept changing the ticket."""
        for _ in retry.until(self._write_retry_seconds, retry.WRITE_BACKOFF):
            ticket = self._repository.get_ticket(tenant_id, ticket_id)
            fired = sla_clock.fire(ticket, now) if ticket is not None else None
            if ticket is None or fired is None:
                return False
            with contextlib.suppress(StaleWrite):
                listing.save_change(self._repository, ticket, fired.model_copy(update={"changed_by": SYSTEM}))
                return True
        logger.warning("SLA clock contended", extra={"tenantId": tenant_id, "ticketId": ticket_id})
        return None


def run_sweep() -> dict[str, int]:
    """One sweep over the deployment's table, with its figures as metrics: what the function returns."""
    settings = get_settings()
    client, table = clients.dynamodb(), settings.table_name
    sweep = SlaSweep(
        SlaClockStore(client, table),
        TicketRepository(client, table),
        write_retry_seconds=settings.write_retry_seconds,
    )
    result = sweep.run(LOOK_AHEAD)
    metrics.add_metric(name="SlaClockDue", unit=MetricUnit.Count, value=result.due)
    metrics.add_metric(name="SlaClockRecorded", unit=MetricUnit.Count, value=result.recorded)
    figures = {name: value for name, value in asdict(result).items() if name != "next_due"}
    logger.info("SLA clock swept", extra=figures)
    return figures
