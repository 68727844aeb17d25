"""SLA clocks in business time: elapsed seconds, due instants and opening checks across nights,
weekends, holidays, split and overnight windows and daylight saving, without any AWS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.logic.business_hours import BusinessClock
from tickets.models.sla import MAX_DAYS_WITHOUT_OPENING, MAX_HOLIDAYS, WEEK, BusinessHours, minutes_of

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
NINE_TO_FIVE = {day: [["09:00", "17:00"]] for day in WEEKDAYS}
ALL_DAY: dict[str, list[list[str]]] = {day: [["00:00", "24:00"]] for day in WEEK}
WITH_LUNCH = {day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in WEEKDAYS}
NIGHT_SHIFT = {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]}
WRAPPED_NIGHT_SHIFT = {"mon": [["22:00", "06:00"]]}


def business_hours(
    weekly: dict[str, list[list[str]]], timezone: str = "Europe/Berlin", holidays: tuple[str, ...] = ()
) -> BusinessHours:
    """The policy's hours as its JSON body gives them."""
    return BusinessHours.model_validate({"timezone": timezone, "weekly": weekly, "holidays": list(holidays)})


def clock(
    weekly: dict[str, list[list[str]]], timezone: str = "Europe/Berlin", holidays: tuple[str, ...] = ()
) -> BusinessClock:
    return BusinessClock(business_hours(weekly, timezone, holidays))


def local(text: str, zone: ZoneInfo = BERLIN) -> datetime:
    """A wall-clock time in `zone` (fold=0 when it is ambiguous)."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --------------------------------------------------------------------------- calendar time


def test_calendar_time_counts_every_second_and_answers_in_utc() -> None:
    # Given a policy without business hours
    calendar = BusinessClock(None)
    start = local("2026-06-06T23:30:00")  # a Saturday night in Berlin, 21:30 UTC
    # When a 90-minute target is due, and the time between two instants is asked
    due = calendar.due(start, 90 * 60)
    # Then every second counts, the weekend and the night included, and the answer is UTC
    assert due == utc("2026-06-06T23:00:00")
    assert due.tzinfo is UTC
    assert calendar.elapsed(start, due) == 90 * 60
    assert calendar.due(start, 0) == start
    assert calendar.is_open(start)


def test_calendar_time_floors_to_whole_seconds_and_never_runs_backwards() -> None:
    # Given a policy without business hours
    calendar = BusinessClock(None)
    start = utc("2026-06-01T12:00:00")
    # When the end is 1.9 seconds later, or earlier than the start
    # Then the second begun is not counted, and a reversed span is no time
    assert calendar.elapsed(start, start + timedelta(seconds=1, microseconds=900_000)) == 1
    assert calendar.elapsed(start, start - timedelta(hours=1)) == 0
    assert calendar.elapsed(start, start) == 0


# --------------------------------------------------------------------------- nights, weekends, holidays


def test_a_target_running_past_the_closing_continues_the_next_morning() -> None:
    # Given Monday to Friday 09:00-17:00 in Berlin, and a ticket at Monday 16:30
    nine_to_five = clock(NINE_TO_FIVE)
    start = local("2026-06-01T16:30:00")
    # When its 60-minute target is due
    due = nine_to_five.due(start, 60 * 60)
    # Then it is Tuesday 09:30: 30 minutes on Monday, 30 on Tuesday, the night not counted
    assert due == local("2026-06-02T09:30:00")
    assert due.tzinfo is UTC
    assert nine_to_five.elapsed(start, due) == 60 * 60


def test_a_target_running_past_friday_continues_on_monday() -> None:
    # Given Monday to Friday 09:00-17:00, and a ticket at Friday 16:00
    nine_to_five = clock(NINE_TO_FIVE)
    start = local("2026-06-05T16:00:00")
    # When its 120-minute target is due
    due = nine_to_five.due(start, 120 * 60)
    # Then it is Monday 10:00, and the weekend counts nothing
    assert due == local("2026-06-08T10:00:00")
    assert nine_to_five.elapsed(local("2026-06-05T17:00:00"), local("2026-06-08T09:00:00")) == 0


def test_a_holiday_has_no_opening() -> None:
    # Given Monday to Friday 09:00-17:00 with Friday 2026-12-25 a holiday, and a ticket on Thursday 16:00
    holiday = clock(NINE_TO_FIVE, holidays=("2026-12-25",))
    start = local("2026-12-24T16:00:00")
    # When its 120-minute target is due
    due = holiday.due(start, 120 * 60)
    # Then the holiday is skipped like the weekend: Monday 10:00
    assert due == local("2026-12-28T10:00:00")
    assert holiday.elapsed(start, due) == 120 * 60
    assert not holiday.is_open(local("2026-12-25T10:00:00"))
    # And without the holiday the same target is due on the Friday
    assert clock(NINE_TO_FIVE).due(start, 120 * 60) == local("2026-12-25T10:00:00")


def test_a_holiday_is_a_local_date_of_the_policys_zone() -> None:
    # Given New York hours with 2026-07-03 (a Friday) a holiday
    new_york = clock(NINE_TO_FIVE, timezone="America/New_York", holidays=("2026-07-03",))
    # When asked at 14:00 UTC that Friday (10:00 in New York) and on the Thursday evening in Berlin
    # Then the holiday is New York's date: closed on the Friday, open on Thursday 16:30 New York time
    assert not new_york.is_open(utc("2026-07-03T14:00:00"))
    assert new_york.is_open(local("2026-07-02T22:30:00"))  # Berlin 22:30 = New York 16:30


def test_the_clock_starts_at_the_next_opening_when_a_ticket_comes_outside_the_hours() -> None:
    # Given Monday to Friday 09:00-17:00
    nine_to_five = clock(NINE_TO_FIVE)
    saturday = local("2026-06-06T11:00:00")
    early = local("2026-06-02T07:00:00")
    # When a ticket comes on a Saturday, or at 07:00 on a Tuesday
    # Then its clock starts on Monday 09:00, or at 09:00 that Tuesday
    assert nine_to_five.due(saturday, 60 * 60) == local("2026-06-08T10:00:00")
    assert nine_to_five.due(early, 60 * 60) == local("2026-06-02T10:00:00")
    assert nine_to_five.elapsed(saturday, local("2026-06-08T09:00:00")) == 0
    assert nine_to_five.elapsed(early, local("2026-06-02T09:15:00")) == 15 * 60


def test_a_zero_target_is_the_first_business_instant_at_or_after_the_start() -> None:
    # Given Monday to Friday 09:00-17:00
    nine_to_five = clock(NINE_TO_FIVE)
    inside = local("2026-06-02T10:15:30.250000")
    # When no business time has to pass
    # Then an open instant is itself, a closed one the next opening (a closing instant is closed)
    assert nine_to_five.due(inside, 0) == inside
    assert nine_to_five.due(local("2026-06-06T11:00:00"), 0) == local("2026-06-08T09:00:00")
    assert nine_to_five.due(local("2026-06-02T17:00:00"), 0) == local("2026-06-03T09:00:00")


def test_a_target_running_out_at_the_closing_is_due_at_the_closing() -> None:
    # Given Monday to Friday 09:00-17:00, and a ticket at Tuesday 16:00
    nine_to_five = clock(NINE_TO_FIVE)
    # When its 60-minute target is due
    # Then it is 17:00 that day, not Wednesday's opening
    assert nine_to_five.due(local("2026-06-02T16:00:00"), 60 * 60) == local("2026-06-02T17:00:00")


def test_days_left_out_have_no_opening() -> None:
    # Given a policy open on Mondays only
    mondays = clock({"mon": [["09:00", "17:00"]]})
    # When a ticket comes on Monday 16:00 with a 2-hour target
    # Then it is due the next Monday 10:00
    assert mondays.due(local("2026-06-01T16:00:00"), 2 * HOUR) == local("2026-06-08T10:00:00")
    assert mondays.elapsed(local("2026-06-01T00:00:00"), local("2026-06-08T00:00:00")) == 8 * HOUR


def test_the_answer_does_not_depend_on_the_zone_the_start_is_given_in() -> None:
    # Given Monday to Friday 09:00-17:00 in Berlin, and one instant written in three zones
    nine_to_five = clock(NINE_TO_FIVE)
    berlin = local("2026-06-01T16:30:00")
    # When the same target is due from each
    dues = {nine_to_five.due(berlin.astimezone(zone), 3600) for zone in (BERLIN, NEW_YORK, UTC)}
    # Then it is one instant, in UTC
    assert dues == {utc("2026-06-02T07:30:00")}


# --------------------------------------------------------------------------- daylight saving


def test_the_day_the_clocks_go_forward_holds_23_hours_around_the_clock() -> None:
    # Given every day 00:00-24:00 in Berlin, and the clocks going 02:00 -> 03:00 on 2026-03-29
    around_the_clock = clock(ALL_DAY)
    # When that local day's business time is measured
    # Then it is 23 hours, the days around it 24
    assert around_the_clock.elapsed(local("2026-03-29T00:00:00"), local("2026-03-30T00:00:00")) == 23 * HOUR
    assert around_the_clock.elapsed(local("2026-03-28T00:00:00"), local("2026-03-29T00:00:00")) == 24 * HOUR
    assert around_the_clock.elapsed(local("2026-03-30T00:00:00"), local("2026-03-31T00:00:00")) == 24 * HOUR
    # And a target across the change is counted in real seconds
    assert around_the_clock.due(local("2026-03-29T01:00:00"), 2 * HOUR) == local("2026-03-29T04:00:00")


def test_nine_to_five_keeps_its_local_hours_across_the_clocks_going_forward() -> None:
    # Given Monday to Friday 09:00-17:00 in Berlin, and a ticket on Friday 2026-03-27 16:00 (UTC+1)
    nine_to_five = clock(NINE_TO_FIVE)
    # When its 120-minute target is due
    due = nine_to_five.due(local("2026-03-27T16:00:00"), 120 * 60)
    # Then it is Monday 10:00 local, now UTC+2: 08:00 UTC, not 09:00 UTC
    assert due == local("2026-03-30T10:00:00")
    assert due == utc("2026-03-30T08:00:00")


def test_the_day_the_clocks_go_back_holds_25_hours_around_the_clock() -> None:
    # Given every day 00:00-24:00 in New York, and the clocks going 02:00 -> 01:00 on 2026-11-01
    around_the_clock = clock(ALL_DAY, timezone="America/New_York")
    start = local("2026-11-01T00:00:00", NEW_YORK)
    # When that local day's business time is measured
    # Then it is 25 hours, the repeated hour counted twice
    assert around_the_clock.elapsed(start, local("2026-11-02T00:00:00", NEW_YORK)) == 25 * HOUR
    # And 24 hours from its midnight is 23:00 the same day (04:00 UTC the next)
    assert around_the_clock.due(start, 24 * HOUR) == local("2026-11-01T23:00:00", NEW_YORK)
    assert around_the_clock.due(start, 24 * HOUR) == utc("2026-11-02T04:00:00")


def test_nine_to_five_on_the_day_the_clocks_go_back_is_still_eight_hours() -> None:
    # Given Sunday 09:00-17:00 in New York, and the clocks going back that Sunday, 2026-11-01
    sundays = clock({"sun": [["09:00", "17:00"]]}, timezone="America/New_York")
    # When that day's business time is measured
    # Then it is 8 hours, from 09:00 EST (14:00 UTC)
    day = sundays.elapsed(local("2026-11-01T00:00:00", NEW_YORK), local("2026-11-02T00:00:00", NEW_YORK))
    assert day == 8 * HOUR
    assert sundays.due(local("2026-11-01T00:00:00", NEW_YORK), 0) == utc("2026-11-01T14:00:00")


def test_a_window_edge_in_the_dst_gap_reads_as_fold_0() -> None:
    # Given Sunday 02:30-04:00 in Berlin, and 02:30 not existing on 2026-03-29 (02:00 -> 03:00)
    gap_edge = clock({"sun": [["02:30", "04:00"]]})
    # When that day's business time is measured
    # Then 02:30 reads with the offset before the change (01:30 UTC) until 04:00 CEST (02:00 UTC)
    assert gap_edge.due(local("2026-03-29T00:00:00"), 0) == utc("2026-03-29T01:30:00")
    assert gap_edge.elapsed(local("2026-03-29T00:00:00"), local("2026-03-30T00:00:00")) == 30 * 60
    # And on an ordinary Sunday the window is its 90 minutes
    assert gap_edge.elapsed(local("2026-04-05T00:00:00"), local("2026-04-06T00:00:00")) == 90 * 60


def test_windows_the_dst_gap_makes_overlap_count_once() -> None:
    # Given Sunday 01:00-02:30 and 03:00-04:00 in Berlin: on 2026-03-29 02:30 (fold 0) is 01:30 UTC,
    # after 03:00 CEST (01:00 UTC)
    overlapping = clock({"sun": [["01:00", "02:30"], ["03:00", "04:00"]]})
    start = local("2026-03-29T00:00:00")
    # When that day's business time is measured, and a target runs across the overlap
    # Then 00:00-02:00 UTC counts once: two hours, not two and a half
    assert overlapping.elapsed(start, local("2026-03-30T00:00:00")) == 2 * HOUR
    assert overlapping.due(start, 2 * HOUR) == utc("2026-03-29T02:00:00")
    assert overlapping.is_open(utc("2026-03-29T01:15:00"))


# --------------------------------------------------------------------------- split and overnight windows


def test_the_lunch_break_between_two_windows_does_not_count() -> None:
    # Given 09:00-12:00 and 13:00-17:00 on weekdays
    with_lunch = clock(WITH_LUNCH)
    # When a 60-minute target starts at 11:30, and a whole day is measured
    # Then 30 minutes before lunch and 30 after: 13:30; and the day holds 7 hours
    assert with_lunch.due(local("2026-06-02T11:30:00"), 60 * 60) == local("2026-06-02T13:30:00")
    assert with_lunch.elapsed(local("2026-06-02T09:00:00"), local("2026-06-02T17:00:00")) == 7 * HOUR
    assert with_lunch.elapsed(local("2026-06-02T11:00:00"), local("2026-06-02T14:00:00")) == 2 * HOUR
    assert not with_lunch.is_open(local("2026-06-02T12:30:00"))
    # And a target running out at noon is due at noon, not at 13:00
    assert with_lunch.due(local("2026-06-02T11:00:00"), 60 * 60) == local("2026-06-02T12:00:00")


def test_an_overnight_shift_across_midnight_is_one_continuous_span() -> None:
    # Given Monday 22:00-24:00 and Tuesday 00:00-06:00
    night = clock(NIGHT_SHIFT)
    # When a 2-hour target starts Monday 23:00, and the whole shift is measured
    # Then midnight does not interrupt it
    assert night.due(local("2026-06-01T23:00:00"), 2 * HOUR) == local("2026-06-02T01:00:00")
    assert night.elapsed(local("2026-06-01T22:00:00"), local("2026-06-02T06:00:00")) == 8 * HOUR
    assert night.is_open(local("2026-06-02T00:00:00"))
    assert night.is_open(local("2026-06-01T23:59:59"))
    # And a target longer than the shift continues with the next Monday night
    assert night.due(local("2026-06-01T22:00:00"), 9 * HOUR) == local("2026-06-08T23:00:00")
    assert night.due(local("2026-06-02T06:00:00"), 0) == local("2026-06-08T22:00:00")


def test_a_window_ending_at_or_before_its_start_runs_into_the_next_day() -> None:
    # Given Monday 22:00-06:00 written as one window, and the same shift written as two
    wrapped, split = clock(WRAPPED_NIGHT_SHIFT), clock(NIGHT_SHIFT)
    monday_night = local("2026-06-01T22:00:00")
    # When the shift is measured, and targets run across it
    # Then the one window is the two: 8 hours up to Tuesday 06:00
    assert wrapped.elapsed(monday_night, local("2026-06-02T06:00:00")) == 8 * HOUR
    for seconds in (0, HOUR, 2 * HOUR, 8 * HOUR, 9 * HOUR):
        assert wrapped.due(monday_night, seconds) == split.due(monday_night, seconds)
    assert wrapped.is_open(local("2026-06-02T05:59:00"))
    assert not wrapped.is_open(local("2026-06-02T06:00:00"))


def test_a_window_from_a_time_to_the_same_time_holds_a_day() -> None:
    # Given Wednesday 09:00-09:00
    whole_day = clock({"wed": [["09:00", "09:00"]]})
    # When the week is measured
    # Then it holds 24 hours, from Wednesday 09:00 to Thursday 09:00
    assert whole_day.elapsed(local("2026-06-01T00:00:00"), local("2026-06-08T00:00:00")) == 24 * HOUR
    assert whole_day.due(local("2026-06-01T00:00:00"), 24 * HOUR) == local("2026-06-04T09:00:00")


def test_a_sunday_night_shift_runs_into_monday() -> None:
    # Given Sunday 20:00-04:00 only
    sunday_night = clock({"sun": [["20:00", "04:00"]]})
    # When a 6-hour target starts Sunday 20:00
    # Then the week's turn does not interrupt it: Monday 02:00
    assert sunday_night.due(local("2026-06-07T20:00:00"), 6 * HOUR) == local("2026-06-08T02:00:00")
    assert sunday_night.is_open(local("2026-06-08T03:59:59"))


def test_overlapping_windows_count_once() -> None:
    # Given Tuesday 09:00-13:00 and 12:00-17:00, and Monday 20:00-10:00 reaching into Tuesday's window
    overlapping = clock({"mon": [["20:00", "10:00"]], "tue": [["09:00", "13:00"], ["12:00", "17:00"]]})
    # When Monday evening to Tuesday evening is measured
    # Then it is 20:00-17:00 without a break, each hour counted once: 21 hours
    start = local("2026-06-01T20:00:00")
    assert overlapping.elapsed(start, local("2026-06-02T20:00:00")) == 21 * HOUR
    assert overlapping.due(start, 21 * HOUR) == local("2026-06-02T17:00:00")
    assert overlapping.due(start, 21 * HOUR + 1) == local("2026-06-08T20:00:01")


def test_a_holiday_drops_the_windows_opening_on_it_and_keeps_the_night_before() -> None:
    # Given Monday and Tuesday 22:00-06:00, with Tuesday 2026-06-02 a holiday
    nights = clock({"mon": [["22:00", "06:00"]], "tue": [["22:00", "06:00"]]}, holidays=("2026-06-02",))
    # When Monday evening to Thursday is measured
    # Then Monday's shift runs into the holiday's morning, and the holiday's own shift is gone
    assert nights.is_open(local("2026-06-02T05:00:00"))
    assert not nights.is_open(local("2026-06-02T23:00:00"))
    assert not nights.is_open(local("2026-06-03T05:00:00"))
    assert nights.elapsed(local("2026-06-01T00:00:00"), local("2026-06-04T00:00:00")) == 8 * HOUR


# --------------------------------------------------------------------------- opening edges


def test_a_window_is_open_at_its_start_and_closed_at_its_end() -> None:
    # Given Monday to Friday 09:00-17:00
    nine_to_five = clock(NINE_TO_FIVE)
    # When asked at and around the edges of Tuesday's window
    # Then [09:00, 17:00) is open
    assert nine_to_five.is_open(local("2026-06-02T09:00:00"))
    assert nine_to_five.is_open(local("2026-06-02T16:59:59.999999"))
    assert not nine_to_five.is_open(local("2026-06-02T17:00:00"))
    assert not nine_to_five.is_open(local("2026-06-02T08:59:59.999999"))
    assert not nine_to_five.is_open(local("2026-06-06T12:00:00"))  # a Saturday
    assert nine_to_five.is_open(utc("2026-06-02T07:00:00"))  # 09:00 in Berlin


# --------------------------------------------------------------------------- refusals and limits


@pytest.mark.parametrize("hours", [None, business_hours(NINE_TO_FIVE)], ids=["calendar", "business"])
def test_naive_datetimes_are_refused(hours: BusinessHours | None) -> None:
    # Given a clock, and an instant without a zone
    business = BusinessClock(hours)
    naive = datetime(2026, 6, 2, 10, 0)
    aware = naive.replace(tzinfo=UTC)
    # When it is given to any of its questions
    # Then it is refused: its zone would be a guess
    with pytest.raises(ValueError, match="timezone-aware"):
        business.elapsed(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        business.elapsed(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        business.due(naive, 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        business.is_open(naive)


def test_a_negative_target_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        clock(NINE_TO_FIVE).due(utc("2026-06-02T10:00:00"), -1)


def mondays(first: date, count: int) -> tuple[str, ...]:
    return tuple((first + timedelta(weeks=week)).isoformat() for week in range(count))


def test_the_most_holidays_a_policy_may_have_are_waited_out() -> None:
    # Given a policy open on Mondays only, and the next MAX_HOLIDAYS Mondays (2,800 days) holidays
    later = clock({"mon": [["09:00", "17:00"]]}, holidays=mondays(date(2026, 6, 1), MAX_HOLIDAYS))
    # When a one-hour target is due
    # Then it is 10:00 on the first Monday after them
    first_open = date(2026, 6, 1) + timedelta(weeks=MAX_HOLIDAYS)
    assert later.due(local("2026-06-01T08:00:00"), 3600) == local(f"{first_open.isoformat()}T10:00:00")


def test_hours_no_valid_policy_can_have_stop_the_scan_instead_of_running_on() -> None:
    # Given hours past the model's limits (more holidays than a policy may have): every Monday of the
    # next MAX_DAYS_WITHOUT_OPENING days a holiday
    weeks = MAX_DAYS_WITHOUT_OPENING // 7 + 1
    hours = BusinessHours.model_construct(
        timezone="Europe/Berlin",
        weekly={"mon": [("09:00", "17:00")]},
        holidays=list(mondays(date(2026, 6, 1), weeks)),
    )
    closed = BusinessClock(hours)
    start = local("2026-06-01T08:00:00")
    # Then the scan gives up with an error, for a target and for the next opening
    with pytest.raises(ValueError, match=f"no opening within {MAX_DAYS_WITHOUT_OPENING} days"):
        closed.due(start, 60)
    with pytest.raises(ValueError, match=f"no opening within {MAX_DAYS_WITHOUT_OPENING} days"):
        closed.due(start, 0)
    # And the other questions still answer: the time is closed, and counts nothing
    assert not closed.is_open(local("2026-06-01T10:00:00"))
    assert closed.elapsed(start, local("2028-06-01T00:00:00")) == 0


def test_a_one_year_target_is_computed_window_by_window() -> None:
    # Given Monday to Friday 09:00-17:00, and a ticket at Monday 09:00
    nine_to_five = clock(NINE_TO_FIVE)
    start = local("2026-06-01T09:00:00")
    # When the largest target, 525,600 minutes, is due
    due = nine_to_five.due(start, 525_600 * 60)
    # Then it is the closing of the Friday of the 219th 40-hour week
    assert due == local("2030-08-09T17:00:00")
    assert nine_to_five.elapsed(start, due) == 525_600 * 60


# --------------------------------------------------------------------------- properties

SCHEDULES = [
    business_hours(NINE_TO_FIVE),
    business_hours(NINE_TO_FIVE, holidays=("2026-12-25", "2026-12-28", "2027-01-01")),
    business_hours(ALL_DAY, timezone="America/New_York"),
    business_hours(WITH_LUNCH, timezone="America/New_York"),
    business_hours(NIGHT_SHIFT),
    business_hours(WRAPPED_NIGHT_SHIFT, timezone="America/New_York", holidays=("2026-11-02",)),
    business_hours({"fri": [["18:00", "18:00"]], "sat": [["12:00", "08:00"]]}),
    business_hours({"sat": [["10:00", "14:00"]], "sun": [["00:00", "24:00"]]}),
]
# The weeks of the DST changes in Berlin and New York, and ordinary ones.
START_DAYS = [date(2026, 3, 6), date(2026, 3, 26), date(2026, 10, 22), date(2026, 10, 29), date(2026, 12, 22)]


@st.composite
def instants(draw: st.DrawFn, whole_minutes: bool = False) -> datetime:
    day = draw(st.sampled_from(START_DAYS)) + timedelta(days=draw(st.integers(0, 6)))
    zone = draw(st.sampled_from([BERLIN, NEW_YORK, UTC]))
    minute = draw(st.integers(0, 24 * 60 - 1))
    second = 0 if whole_minutes else draw(st.integers(0, 59))
    microsecond = 0 if whole_minutes else draw(st.sampled_from([0, 1, 500_000, 999_999]))
    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, second, microsecond)
    return wall.replace(tzinfo=zone)


@settings(max_examples=200, deadline=None)
@given(hours=st.sampled_from(SCHEDULES), start=instants(), seconds=st.integers(0, 30 * 24 * HOUR))
def test_due_and_elapsed_are_inverse(hours: BusinessHours, start: datetime, seconds: int) -> None:
    # Given a schedule, a start and a target
    business = BusinessClock(hours)
    # When the target is due
    due = business.due(start, seconds)
    # Then exactly the target lies between the start and it, and the answer is UTC
    assert business.elapsed(start, due) == seconds
    assert due.tzinfo is UTC
    assert due >= start
    # And it is open just before (the target ran out inside a window) unless nothing had to pass
    if seconds > 0:
        assert business.is_open(due - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(hours=st.sampled_from(SCHEDULES), start=instants(), end=instants())
def test_elapsed_then_due_comes_no_later_than_the_end(
    hours: BusinessHours, start: datetime, end: datetime
) -> None:
    # Given a schedule and two instants
    business = BusinessClock(hours)
    # When the business time between them is taken as a target from the start
    counted = business.elapsed(start, end)
    # Then it runs out by the end, and never exceeds the calendar time
    # (in UTC: two datetimes of one zone subtract as wall clocks)
    assert counted <= max(0, (end.astimezone(UTC) - start.astimezone(UTC)) // timedelta(seconds=1))
    if counted > 0:
        assert business.due(start, counted) <= end


class MinuteByMinute:
    """The business time counted slowly, by each minute's local wall time: inside a window opening
    that date, or inside the part after midnight of one that opened the date before (not on a
    holiday). Exact for schedules without a window edge in a DST change's hour."""

    def __init__(self, hours: BusinessHours) -> None:
        self.zone = ZoneInfo(hours.timezone)
        self.holidays = {date.fromisoformat(str(day)) for day in hours.holidays}
        self.today: dict[int, list[tuple[int, int]]] = {}
        self.next_day: dict[int, list[tuple[int, int]]] = {}
        for name, windows in hours.weekly.items():
            weekday = WEEK.index(name)
            for start_text, end_text in windows:
                opens, closes = minutes_of(start_text), minutes_of(end_text)
                if closes > opens:
                    self.today.setdefault(weekday, []).append((opens, closes))
                else:
                    self.today.setdefault(weekday, []).append((opens, 24 * 60))
                    self.next_day.setdefault((weekday + 1) % 7, []).append((0, closes))

    def is_open(self, at: datetime) -> bool:
        wall = at.astimezone(self.zone)
        of_day = wall.hour * 60 + wall.minute
        opened_today = wall.date() not in self.holidays and any(
            s <= of_day < e for s, e in self.today.get(wall.weekday(), [])
        )
        opened_yesterday = wall.date() - timedelta(days=1) not in self.holidays and any(
            s <= of_day < e for s, e in self.next_day.get(wall.weekday(), [])
        )
        return opened_today or opened_yesterday

    def elapsed(self, start: datetime, minutes: int) -> int:
        start = start.astimezone(UTC)
        return 60 * sum(self.is_open(start + timedelta(minutes=m)) for m in range(minutes))


@settings(max_examples=100, deadline=None)
@given(
    hours=st.sampled_from(SCHEDULES),
    start=instants(whole_minutes=True),
    minutes=st.integers(0, 2 * 24 * 60),
)
def test_elapsed_matches_counting_minute_by_minute_in_local_time(
    hours: BusinessHours, start: datetime, minutes: int
) -> None:
    # Given a schedule (no window edge in a DST change's hour), and a whole-minute range
    business, slowly = BusinessClock(hours), MinuteByMinute(hours)
    # When the business time is counted by the clock and minute by minute
    end = start.astimezone(UTC) + timedelta(minutes=minutes)
    # Then both agree, and so does is_open at the start
    assert business.elapsed(start, end) == slowly.elapsed(start, minutes)
    assert business.is_open(start) == slowly.is_open(start)


@pytest.mark.parametrize("hours", SCHEDULES, ids=range(len(SCHEDULES)))
@pytest.mark.parametrize(
    ("first_day", "zone"),
    [
        (date(2026, 3, 26), BERLIN),
        (date(2026, 10, 22), BERLIN),
        (date(2026, 3, 5), NEW_YORK),
        (date(2026, 10, 29), NEW_YORK),
    ],
    ids=["berlin-forward", "berlin-back", "new-york-forward", "new-york-back"],
)
def test_every_day_of_the_dst_weeks_matches_counting_minute_by_minute(
    hours: BusinessHours, first_day: date, zone: ZoneInfo
) -> None:
    # Given a schedule, and the week of a DST change in Berlin or New York
    business, slowly = BusinessClock(hours), MinuteByMinute(hours)
    for offset in range(7):
        # When each local day of the week is measured by the clock and minute by minute
        day = first_day + timedelta(days=offset)
        start = datetime(day.year, day.month, day.day, tzinfo=zone)
        end = start + timedelta(days=1)  # one zone: wall-clock arithmetic, the next local midnight
        minutes = (end.astimezone(UTC) - start.astimezone(UTC)) // timedelta(minutes=1)
        # Then both agree
        assert business.elapsed(start, end) == slowly.elapsed(start, minutes), day


@settings(max_examples=100, deadline=None)
@given(hours=st.sampled_from(SCHEDULES), a=instants(True), b=instants(True), c=instants(True))
def test_elapsed_adds_up_over_consecutive_ranges(
    hours: BusinessHours, a: datetime, b: datetime, c: datetime
) -> None:
    # Given three whole-minute instants in order
    first, middle, last = sorted((a, b, c), key=lambda instant: instant.astimezone(UTC))
    business = BusinessClock(hours)
    # When the range is measured whole and in two parts
    # Then the parts add up to the whole
    assert business.elapsed(first, last) == business.elapsed(first, middle) + business.elapsed(middle, last)
