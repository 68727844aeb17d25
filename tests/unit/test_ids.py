"""Ticket and message ids sort by creation time; timestamps sort as strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tickets.ids import format_timestamp, is_ulid, new_ulid


def test_ulids_made_later_sort_after_earlier_ones() -> None:
    start = datetime(2026, 4, 18, 10, 0, tzinfo=UTC)
    ids = [new_ulid(start + timedelta(milliseconds=step)) for step in range(0, 500, 7)]
    assert ids == sorted(ids)
    assert all(is_ulid(value) and len(value) == 26 for value in ids)


def test_ulids_are_unique_within_the_same_millisecond() -> None:
    moment = datetime(2026, 4, 18, 10, 0, tzinfo=UTC)
    assert len({new_ulid(moment) for _ in range(1000)}) == 1000


def test_timestamps_are_fixed_width_utc_so_they_sort_as_text() -> None:
    early = format_timestamp(datetime(2026, 4, 18, 9, 59, 59, tzinfo=UTC))
    late = format_timestamp(datetime(2026, 4, 18, 10, 0, 0, 1, tzinfo=UTC))
    assert early == "2026-04-18T09:59:59.000000Z"
    assert late == "2026-04-18T10:00:00.000001Z"
    assert early < late
