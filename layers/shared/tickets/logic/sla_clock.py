"""A ticket's SLA clocks (README, SLA policies): which policy applies to it, how each change moves its
metrics, and what the clock sweep records when a warning or a due time comes. Pure: the ticket service
applies `advance` to the change it writes, in the same write, and the sweep (logic/sla_sweep.py)
writes what `fire` records.

Rules: first response runs from creation to the first public agent reply; next response from a
customer's reply (once an agent has answered) to the next public agent reply; resolution from creation
to closing, paused while WAITING_ON_CUSTOMER or ON_HOLD. Closing meets every metric; reopening resumes
resolution with the time it had left. A priority (or policy) change keeps the business time a metric
has used and gives it the new target; a metric with no target before starts at the change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tickets.logic.business_hours import BusinessClock
from tickets.models.domain import Message, Ticket, TicketSummary
from tickets.models.enums import Party, TicketStatus
from tickets.models.sla import DEFAULT_POLICY, SlaMetric, SlaMetricName, SlaPolicy, SlaTargets, TicketSla

PAUSED_STATUSES = frozenset({TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.ON_HOLD})
# What a policy's appliesTo can name, and where a ticket keeps it.
_SCOPE_FIELDS = ("department", "topic", "channel", "customer_external_id")
_TARGET_OF: dict[SlaMetricName, str] = {
    "firstResponse": "first_response_minutes",
    "nextResponse": "next_response_minutes",
    "resolution": "resolution_minutes",
}
_FIELD_OF: dict[SlaMetricName, str] = {
    "firstResponse": "first_response",
    "nextResponse": "next_response",
    "resolution": "resolution",
}


def _scope_values(ticket: TicketSummary) -> dict[str, object]:
    return {
        "department": ticket.department,
        "topic": ticket.topic,
        "channel": ticket.channel,
        "customer_external_id": ticket.customer.external_id,
    }


def match_policy(policies: Sequence[SlaPolicy], ticket: TicketSummary) -> SlaPolicy | None:
    """The policy whose appliesTo the ticket matches in every field it gives; of several, the one that
    gives the most fields, then the first by id. `default` when none matches; None without it."""
    actual = _scope_values(ticket)
    candidates = []
    for policy in policies:
        given = {name: getattr(policy.applies_to, name) for name in _SCOPE_FIELDS}
        given = {name: value for name, value in given.items() if value is not None}
        if (
            policy.id != DEFAULT_POLICY
            and given
            and all(actual[name] == value for name, value in given.items())
        ):
            candidates.append((-len(given), policy.id, policy))
    if candidates:
        return min(candidates, key=lambda candidate: candidate[:2])[2]
    return next((policy for policy in policies if policy.id == DEFAULT_POLICY), None)


def scope_changed(before: TicketSummary, after: TicketSummary) -> bool:
    """Whether the change touched what policies match on (a PATCH of department or topic)."""
    return _scope_values(before) != _scope_values(after)


@dataclass(frozen=True)
class _Clock:
    """One policy's time at one moment: starts, pauses, resumes and retargets metrics."""

    clock: BusinessClock
    warning: timedelta | None
    now: datetime

    def start(self, minutes: int, since: datetime) -> SlaMetric:
        return self._running(SlaMetric(target_minutes=minutes), self.clock.due(since, minutes * 60), since)

    def _running(self, metric: SlaMetric, due_at: datetime, since: datetime) -> SlaMetric:
        """`metric` running to `due_at`; its warning due `warning` before, unless told already or the
        clock started with less time than that left."""
        warn_at = None
        if self.warning is not None and metric.warned_at is None and due_at - self.warning > since:
            warn_at = due_at - self.warning
        return metric.model_copy(
            update={"due_at": due_at, "warn_at": warn_at, "paused_at": None, "remaining_seconds": None}
        )

    def remaining(self, metric: SlaMetric) -> int:
        """Business seconds the metric has left now (0 once due)."""
        if metric.paused_at is not None or metric.met_at is not None:
            return metric.remaining_seconds or 0
        return self.clock.elapsed(self.now, metric.due_at) if metric.due_at else 0

    def pause(self, metric: SlaMetric) -> SlaMetric:
        if not metric.running:
            return metric
        return metric.model_copy(
            update={
                "paused_at": self.now,
                "remaining_seconds": self.remaining(metric),
                "due_at": None,
                "warn_at": None,
            }
        )

    def resume(self, metric: SlaMetric) -> SlaMetric:
        """A paused metric runs again, or a met one (a reopened ticket's resolution), with the time it
        had left (one breached already is not breached again)."""
        if metric.paused_at is None and metric.met_at is None:
            return metric
        left = metric.remaining_seconds or 0
        resumed = metric.model_copy(update={"met_at": None})
        return self._running(resumed, self.clock.due(self.now, left), self.now)

    def meet(self, metric: SlaMetric) -> SlaMetric:
        if metric.met_at is not None:
            return metric
        return metric.model_copy(
            update={
                "met_at": self.now,
                "remaining_seconds": self.remaining(metric),
                "paused_at": None,
                "warn_at": None,
            }
        )

    def retarget(self, metric: SlaMetric, minutes: int, old_clock: BusinessClock) -> SlaMetric:
        """The metric with a new target, keeping the business time it has used (counted in the clock
        it ran in); due already when that is more than the new target allows."""
        if metric.met_at is not None:
            return metric
        left_before = _Clock(old_clock, self.warning, self.now).remaining(metric)
        if metric.running and metric.due_at is not None and metric.due_at < self.now:
            left_before = -old_clock.elapsed(metric.due_at, self.now)  # overdue: the time past it counts
        spent = metric.target_minutes * 60 - left_before
        left = minutes * 60 - spent
        retargeted = metric.model_copy(update={"target_minutes": minutes})
        if metric.paused_at is not None:
            return retargeted.model_copy(update={"remaining_seconds": max(0, left)})
        # Over the new target already: due that much before now, so a later change counts it again.
        due_at = self.clock.due(self.now, left) if left >= 0 else self.now + timedelta(seconds=left)
        return self._running(retargeted, due_at, self.now)


def _clock_of(policy: SlaPolicy, now: datetime) -> _Clock:
    warning = timedelta(minutes=policy.warning_minutes) if policy.warning_minutes else None
    return _Clock(BusinessClock(policy.business_hours), warning, now)


def _targets(policy: SlaPolicy, ticket: TicketSummary) -> SlaTargets:
    return policy.targets.get(ticket.priority) or SlaTargets()


def advance(
    before: Ticket | None,
    after: Ticket,
    policy: SlaPolicy | None,
    *,
    now: datetime,
    message: Message | None = None,
    old_policy: SlaPolicy | None = None,
) -> Ticket:
    """`after` (the ticket a create, a reply or an update makes of `before`) with its clocks moved.
    `policy` is the one that applies to `after`; None leaves its clocks as they are (a ticket whose
    policy was deleted keeps the due times it has). `old_policy`: the one `before`'s clocks ran in,
    when it is another."""
    if policy is None:
        return after
    clock = _clock_of(policy, now)
    targets = _targets(policy, after)
    if before is None or after.sla is None:
        metrics = _opened(after, clock, targets)
        before_status = TicketStatus.OPEN
    else:
        metrics = dict(after.sla.metrics())
        before_status = before.status
        retargeting = policy.id != after.sla.policy_id or before.priority != after.priority
        if retargeting:
            old_clock = BusinessClock((old_policy or policy).business_hours)
            metrics = _retargeted(metrics, clock, targets, old_clock, before)
    if message is not None and not message.internal:
        metrics = _replied(
            metrics, clock, targets, message, has_agent_reply=bool(before and before.has_agent_reply)
        )
    metrics = _status_moved(metrics, clock, before_status, after.status)
    sla = TicketSla(policy_id=policy.id, **{_FIELD_OF[name]: metric for name, metric in metrics.items()})
    return after if sla == after.sla else after.model_copy(update={"sla": sla})


def _opened(ticket: Ticket, clock: _Clock, targets: SlaTargets) -> dict[SlaMetricName, SlaMetric]:
    """A ticket's first clocks, from its creation: as if the policy had applied since, for a ticket a
    change brings under a policy (its pauses before are not known)."""
    metrics: dict[SlaMetricName, SlaMetric] = {}
    if targets.first_response_minutes and ticket.reply_requested and not ticket.has_agent_reply:
        metrics["firstResponse"] = clock.start(targets.first_response_minutes, ticket.created_at)
    if targets.resolution_minutes:
        metrics["resolution"] = clock.start(targets.resolution_minutes, ticket.created_at)
    return metrics


def _retargeted(
    metrics: dict[SlaMetricName, SlaMetric],
    clock: _Clock,
    targets: SlaTargets,
    old_clock: BusinessClock,
    before: Ticket,
) -> dict[SlaMetricName, SlaMetric]:
    moved: dict[SlaMetricName, SlaMetric] = {}
    for name, target in _TARGET_OF.items():
        minutes = getattr(targets, target)
        metric = metrics.get(name)
        if metric is None:
            starts = (name == "firstResponse" and not before.has_agent_reply) or (
                name == "resolution" and before.status != TicketStatus.CLOSED
            )
            if minutes and starts:
                moved[name] = clock.start(minutes, clock.now)
                if name == "resolution" and before.status in PAUSED_STATUSES:
                    moved[name] = clock.pause(moved[name])
        elif minutes:
            moved[name] = clock.retarget(metric, minutes, old_clock)
        elif metric.breached_at is not None or metric.met_at is not None:
            moved[name] = metric  # what it was is kept; it no longer runs
    return moved


def _replied(
    metrics: dict[SlaMetricName, SlaMetric],
    clock: _Clock,
    targets: SlaTargets,
    message: Message,
    *,
    has_agent_reply: bool,
) -> dict[SlaMetricName, SlaMetric]:
    moved = dict(metrics)
    if message.from_.role == Party.AGENT:
        for name in ("firstResponse", "nextResponse"):
            if name in moved:
                moved[name] = clock.meet(moved[name])
        return moved
    waiting = moved.get("nextResponse")
    if has_agent_reply and targets.next_response_minutes and (waiting is None or waiting.met_at is not None):
        moved["nextResponse"] = clock.start(targets.next_response_minutes, message.created_at)
    return moved


def _status_moved(
    metrics: dict[SlaMetricName, SlaMetric], clock: _Clock, before: TicketStatus, after: TicketStatus
) -> dict[SlaMetricName, SlaMetric]:
    moved = dict(metrics)
    if after == TicketStatus.CLOSED:
        return {name: clock.meet(metric) for name, metric in moved.items()}
    resolution = moved.get("resolution")
    if resolution is None:
        return moved
    if before == TicketStatus.CLOSED:
        resolution = clock.resume(resolution)
    if after in PAUSED_STATUSES:
        resolution = clock.pause(resolution)
    elif resolution.paused_at is not None:
        resolution = clock.resume(resolution)
    moved["resolution"] = resolution
    return moved


def fire(ticket: Ticket, now: datetime) -> Ticket | None:
    """The ticket with the warnings and breaches due by `now` recorded (the sweep writes it, as the
    system); None when nothing is due, such as a second sweep after the first recorded it."""
    if ticket.sla is None:
        return None
    fired: dict[str, SlaMetric] = {}
    for name, metric in ticket.sla.metrics().items():
        if not metric.running or metric.breached_at is not None:
            continue
        # A breach due is told alone: its warning has nothing left to warn of.
        if metric.due_at is not None and metric.due_at <= now:
            fired[_FIELD_OF[name]] = metric.model_copy(update={"breached_at": now})
        elif metric.warn_at is not None and metric.warned_at is None and metric.warn_at <= now:
            fired[_FIELD_OF[name]] = metric.model_copy(update={"warned_at": now})
    if not fired:
        return None
    return ticket.model_copy(
        update={"sla": ticket.sla.model_copy(update=fired), "version": ticket.version + 1}
    )


def newly_recorded(
    before: TicketSummary | None, after: TicketSummary, moment: str
) -> list[tuple[SlaMetricName, SlaMetric]]:
    """The metrics whose `moment` ("warned_at" or "breached_at") the change recorded: the warnings and
    breaches to tell of."""
    old = before.sla.metrics() if before is not None and before.sla is not None else {}
    new = after.sla.metrics() if after.sla is not None else {}
    return [
        (name, metric)
        for name, metric in new.items()
        if getattr(metric, moment) is not None
        and (name not in old or getattr(old[name], moment) != getattr(metric, moment))
    ]
