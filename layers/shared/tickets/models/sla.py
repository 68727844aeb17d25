"""SLA policies: targets per priority, the business hours their clocks run in, and the tickets they
apply to (README, SLA policies)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from importlib.resources import files
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from tickets.models.base import CamelModel, RequestModel
from tickets.models.enums import Channel, Priority, Topic
from tickets.models.types import WHOLE_NUMBER, Identifier, ShortText, Timestamp, unique_values

# The id in the path; `default` is the policy of the tickets no other policy matches.
DEFAULT_POLICY = "default"
SlaPolicyId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# A year at the most: a target is a promise to a customer, not an archive.
TargetMinutes = Annotated[int, Field(strict=True, ge=1, le=525_600), WHOLE_NUMBER]
WeekDay = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEK: tuple[WeekDay, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "HH:MM" on a 24-hour clock; a window may end at "24:00" (midnight), not open there.
OpeningTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
ClosingTime = Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
MAX_WINDOWS_PER_DAY = 6
MAX_HOLIDAYS = 400
# The longest run of days without an opening that a valid policy can have: it opens at least one day a
# week, and at most MAX_HOLIDAYS of those days are holidays.
MAX_DAYS_WITHOUT_OPENING = 7 * (MAX_HOLIDAYS + 1)
MAX_POLICIES = 50


def _known_zone(name: str) -> str:
    if name not in TIME_ZONES:
        raise ValueError("is not an IANA time zone (e.g. Europe/Berlin, America/New_York)")
    return name


def minutes_of(clock: str) -> int:
    """'09:30' -> 570; '24:00' -> 1440."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def clock_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


# The IANA zones, from the pinned tzdata package (zoneinfo reads its files where the system has none):
# the same list on every machine, and in the document, so a name the document allows is one the clock
# can use.
# "Factory" is tzdata's placeholder for an unset zone, no place's time.
TIME_ZONES = tuple(
    sorted(set(files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()) - {"Factory"})
)
TimeZoneName = Annotated[
    str, WithJsonSchema({"type": "string", "enum": list(TIME_ZONES)}), AfterValidator(_known_zone)
]
# [opens, closes]: JSON's pair, a tuple here (the document gives each place its own pattern).
Window = tuple[OpeningTime, ClosingTime]


class SlaTargets(RequestModel):
    """Minutes of the policy's time (business or calendar) each metric may take; a metric left out
    has no target."""

    first_response_minutes: TargetMinutes | None = None
    next_response_minutes: TargetMinutes | None = None
    resolution_minutes: TargetMinutes | None = None


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: str) -> str:
    try:
        if not _ISO_DATE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a date, e.g. 2026-12-25") from None
    return value


# A local date of the policy's time zone, as written ("2026-12-25"); only such text, never a number.
HolidayDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"}), AfterValidator(_iso_date)]
Holidays = Annotated[
    list[HolidayDate],
    AfterValidator(unique_values),
    Field(max_length=MAX_HOLIDAYS, json_schema_extra={"uniqueItems": True}),
]


class BusinessHours(RequestModel):
    """When the clocks run: the week's opening windows in `timezone` (its daylight saving included),
    except on `holidays` (local dates). A day left out is closed. A window that ends at or before its
    start runs past midnight into the next day (["22:00", "06:00"]: a night shift; ["09:00", "09:00"]:
    24 hours); windows that overlap count once."""

    timezone: TimeZoneName
    weekly: Annotated[
        dict[WeekDay, Annotated[list[Window], Field(min_length=1, max_length=MAX_WINDOWS_PER_DAY)]],
        Field(min_length=1),
    ]
    holidays: Holidays = Field(default_factory=list)


class SlaScope(RequestModel):
    """Which tickets a policy applies to: every field given must match (none given: no ticket, only
    `default` applies to the rest)."""

    department: ShortText | None = None
    topic: Topic | None = None
    channel: Channel | None = None
    customer_external_id: Identifier | None = None


# Calendar minutes before a due time that sla.warning is told (none: no warning).
WarningMinutes = Annotated[
    TargetMinutes | None,
    Field(description="Calendar minutes before a due time that sla.warning is told; none: no warning"),
]


class PutSlaPolicyRequest(RequestModel):
    name: ShortText
    targets: dict[Priority, SlaTargets]
    business_hours: BusinessHours | None = None
    applies_to: SlaScope = Field(default_factory=SlaScope)
    warning_minutes: WarningMinutes = None


class ListSlaPoliciesQuery(RequestModel):
    """No parameters: a tenant has at most MAX_POLICIES policies, so the list is never paged."""


class SlaPolicy(CamelModel):
    tenant_id: str = Field(exclude=True)
    id: SlaPolicyId
    name: ShortText
    targets: dict[Priority, SlaTargets]
    business_hours: BusinessHours | None = None
    applies_to: SlaScope = Field(default_factory=SlaScope)
    warning_minutes: WarningMinutes = None
    created_at: Timestamp
    updated_at: Timestamp


# A ticket's metrics, by the name the API writes them in `sla`.
SlaMetricName = Literal["firstResponse", "nextResponse", "resolution"]
SLA_METRICS: tuple[SlaMetricName, ...] = ("firstResponse", "nextResponse", "resolution")


class SlaMetric(CamelModel):
    """One target's clock on a ticket (README, SLA policies). Running: `dueAt` set, not met. Paused:
    `pausedAt` and `remainingSeconds` (business seconds left), no `dueAt`. Met: `metAt`. `breachedAt`
    stays once the due time passed unmet."""

    target_minutes: int
    due_at: Timestamp | None = None
    paused_at: Timestamp | None = None
    remaining_seconds: int | None = None
    warn_at: Timestamp | None = Field(default=None, description="When sla.warning is due")
    warned_at: Timestamp | None = None
    met_at: Timestamp | None = None
    breached_at: Timestamp | None = None

    @property
    def running(self) -> bool:
        return self.due_at is not None and self.met_at is None and self.paused_at is None

    @property
    def next_moment(self) -> datetime | None:
        """When the clock has something to tell: its warning, then its breach."""
        if not self.running:
            return None
        moments = [self.due_at] if self.breached_at is None else []
        if self.warn_at is not None and self.warned_at is None and self.breached_at is None:
            moments.append(self.warn_at)
        return min((moment for moment in moments if moment is not None), default=None)


class TicketSla(CamelModel):
    """The clocks of the policy that applies to a ticket; a metric without a target is absent."""

    policy_id: str
    first_response: SlaMetric | None = None
    next_response: SlaMetric | None = None
    resolution: SlaMetric | None = None

    def metrics(self) -> dict[SlaMetricName, SlaMetric]:
        """The metrics the ticket has, by name."""
        found = zip(SLA_METRICS, (self.first_response, self.next_response, self.resolution), strict=True)
        return {name: metric for name, metric in found if metric is not None}

    @property
    def due_at(self) -> datetime | None:
        """The soonest due time of the running metrics, overdue ones included: what sort=slaDueAt
        goes by."""
        return min(
            (metric.due_at for metric in self.metrics().values() if metric.running and metric.due_at),
            default=None,
        )

    @property
    def breached(self) -> bool:
        """Whether a metric is past its due time and not met yet (slaBreached=true)."""
        return any(metric.breached_at and metric.met_at is None for metric in self.metrics().values())

    @property
    def next_moment(self) -> datetime | None:
        """When the clock sweep has something to tell of this ticket (a warning or a breach)."""
        return min(
            (moment for metric in self.metrics().values() if (moment := metric.next_moment)), default=None
        )
