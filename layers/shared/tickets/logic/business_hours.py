"""SLA clocks in business time: how much of a policy's time lies between two instants, and when a
target runs out (README, SLA policies). Pure: no I/O, so a ticket's deadlines are computed the same way
wherever they are needed.

The opening windows are wall-clock times in the policy's time zone. Each window of a local date is
made an instant with `datetime.combine(day, time, tzinfo=zone)` ("24:00" being midnight of the next
date) and compared in UTC, so daylight saving falls out by itself: on the day the clocks go forward
00:00-24:00 holds 23 hours, going back 25 hours, and 09:00-17:00 is always 8 hours.

A window that ends at or before its start runs into the next date (22:00-06:00 ends at 06:00 the next
morning, 09:00-09:00 holds a day). A window belongs to the date it opens on: a holiday drops the
windows that open on it, their part after midnight included, and leaves alone the part of the
previous evening's window that reaches into it.

A window edge in a DST gap (a local time that does not exist) takes zoneinfo's default reading,
fold=0: the offset in force before the transition, converted to UTC. Such an edge can land after a
later edge of the same or the next day, or give a window that ends before it starts; the windows are
therefore joined as sets of instants (an empty window counts nothing, overlapping ones count once, as
do windows the policy itself lets overlap). An edge in a repeated hour (the clocks going back) is its
first occurrence, also fold=0."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tickets.models.sla import MAX_DAYS_WITHOUT_OPENING, WEEK, BusinessHours, clock_time, minutes_of

_MINUTES_PER_DAY = 24 * 60
_SECOND = timedelta(seconds=1)
# A UTC offset is strictly within a day (datetime refuses any other), so no window of a later local
# date opens before that date's midnight read as UTC minus a day.
_MAX_UTC_OFFSET = timedelta(days=1)

Span = tuple[datetime, datetime]


def _aware(moment: datetime, name: str) -> datetime:
    """`moment` in UTC; a naive one is refused: its zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def _window_minutes(start: str, end: str) -> tuple[int, int]:
    """['09:00', '17:00'] -> (540, 1020); ['22:00', '06:00'] -> (1320, 1800): past midnight."""
    opens, closes = minutes_of(start), minutes_of(end)
    return opens, closes if closes > opens else closes + _MINUTES_PER_DAY


class BusinessClock:
    """Business time of one policy: `hours` None means calendar time (every second counts)."""

    def __init__(self, hours: BusinessHours | None) -> None:
        self._zone = ZoneInfo(hours.timezone) if hours is not None else None
        # str(): the model keeps a holiday as its ISO text; a date object would read the same.
        holidays = hours.holidays if hours is not None else []
        self._holidays = frozenset(date.fromisoformat(str(day)) for day in holidays)
        # Minute pairs per weekday (Monday first, as date.weekday()), from the opening date's midnight:
        # parsed once, not per day. An end at or before the start is the next date's.
        weekly = hours.weekly if hours is not None else {}
        self._weekly: tuple[tuple[tuple[int, int], ...], ...] = tuple(
            tuple(sorted(_window_minutes(start, end) for start, end in weekly.get(day, []))) for day in WEEK
        )

    def elapsed(self, start: datetime, end: datetime) -> int:
        """Business seconds between two aware instants (0 when end <= start)."""
        start, end = _aware(start, "start"), _aware(end, "end")
        if end <= start:
            return 0
        if self._zone is None:
            return (end - start) // _SECOND
        total = timedelta()
        for opens, closes in self._spans(start, until=end):
            total += min(closes, end) - max(opens, start)
        # Floored once, on the sum: flooring each span would lose up to a second per span.
        return total // _SECOND

    def due(self, start: datetime, seconds: int) -> datetime:
        """The instant (aware, UTC) when `seconds` of business time have passed since `start`.
        seconds == 0 -> the first business instant at or after start (start itself when open or
        calendar time)."""
        start = _aware(start, "start")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        remaining = timedelta(seconds=seconds)
        if self._zone is None:
            return start + remaining
        for opens, closes in self._spans(start, until=None):
            counted_from = max(opens, start)
            # A target running out exactly at a closing is due then, not at the next opening.
            if counted_from + remaining <= closes:
                return counted_from + remaining
            remaining -= closes - counted_from
        raise AssertionError("unreachable: the scan for openings ends by raising")  # pragma: no cover

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls inside an opening window (not on a holiday). Always True for calendar
        time."""
        at = _aware(at, "at")
        if self._zone is None:
            return True
        # A window is open at its start and closed at its end: [opens, closes).
        return any(True for _ in self._spans(at, until=at + timedelta(microseconds=1)))

    def _instant(self, day: date, minutes: int) -> datetime:
        """A window edge `minutes` after local `day`'s midnight, in UTC; 1440 ("24:00") and beyond
        are on the next date, read as that date's wall clock."""
        days, minutes = divmod(minutes, _MINUTES_PER_DAY)
        wall = datetime.combine(day + timedelta(days=days), clock_time(minutes), tzinfo=self._zone)
        return wall.astimezone(UTC)

    def _day_spans(self, day: date) -> list[Span]:
        """The opening windows of one local date in UTC, the empty ones (in a DST gap) left out."""
        if day in self._holidays:
            return []
        spans = [
            (self._instant(day, start), self._instant(day, end)) for start, end in self._weekly[day.weekday()]
        ]
        return [(opens, closes) for opens, closes in spans if closes > opens]

    def _spans(self, since: datetime, until: datetime | None) -> Iterator[Span]:
        """The opening spans that end after `since` (and start before `until`, when given), in order
        and disjoint: windows that overlap, on one date or across midnight, are joined; a span may be
        cut where nothing closes (a 24/7 week is one endless span), so the callers treat touching
        spans as continuous. Without `until` the scan is endless, and raises after
        MAX_DAYS_WITHOUT_OPENING days without an opening."""
        assert self._zone is not None
        # From two dates before: a window opens by the next date's midnight ("24:00") and holds at most
        # a day, so no earlier one reaches `since`.
        first_day = since.astimezone(self._zone).date()
        day = first_day - timedelta(days=2)
        pending: list[Span] = []  # a heap by opening: windows are not in order across a DST gap
        current: Span | None = None
        days_without_opening = 0

        def wanted(span: Span) -> bool:
            return span[1] > since and (until is None or span[0] < until)

        while True:
            day_spans = self._day_spans(day)
            for span in day_spans:
                heapq.heappush(pending, span)
            # Every window of a later date opens after this instant.
            horizon = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) - _MAX_UTC_OFFSET
            done = until is not None and horizon >= until
            while pending and (done or pending[0][0] <= horizon):
                opens, closes = heapq.heappop(pending)
                if current is not None and opens <= current[1]:
                    current = (current[0], max(current[1], closes))
                    continue
                if current is not None and wanted(current):
                    yield current
                current = (opens, closes)
            if current is not None and (done or current[1] <= horizon):
                if wanted(current):
                    yield current
                current = None
            elif current is not None and current[0] < horizon:
                # Around the clock a span never ends: its part up to the horizon goes now, as nothing
                # opens before the horizon any more.
                if wanted((current[0], horizon)):
                    yield current[0], horizon
                current = (horizon, current[1])
            if done:
                return
            if until is None and day >= first_day:
                days_without_opening = (
                    0 if any(closes > since for _, closes in day_spans) else days_without_opening + 1
                )
                if days_without_opening >= MAX_DAYS_WITHOUT_OPENING:
                    raise ValueError(
                        f"the business hours have no opening within {MAX_DAYS_WITHOUT_OPENING} days"
                    )
            day += timedelta(days=1)
