"""Pages merged from several lists (status=OPEN,CLOSED...) cover every matching ticket exactly once,
in order, whatever the page size, the filters and where each list's reads stop."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.logic.listing import DONE, merge_pages
from tickets.models.domain import CustomerRef, TicketSummary
from tickets.models.enums import Awaiting, Priority, TicketStatus
from tickets.store.repository import ListEntry, ListRead

T0 = datetime(2026, 4, 18, tzinfo=UTC)


def entry(sort_value: str) -> ListEntry:
    summary = TicketSummary(
        tenant_id="acme",
        id=sort_value,
        ticket_number="INV-1",
        subject="s",
        status=TicketStatus.OPEN,
        priority=Priority.LOW,
        customer=CustomerRef(id="c", external_id="user_42"),
        awaiting_response_from=Awaiting.AGENT,
        created_at=T0,
        updated_at=T0,
    )
    return ListEntry(summary, {"SK": sort_value}, sort_value)


def fake_read(
    values: list[str], keep: set[str], start: Any, *, wanted: int, max_examined: int, ascending: bool
) -> ListRead:
    """What the repository does for one list: read in order after `start`, keep matches, stop early."""
    ordered = sorted(values, reverse=not ascending)
    index = 0 if start is None else ordered.index(start["SK"]) + 1
    entries: list[ListEntry] = []
    examined = 0
    while index < len(ordered) and len(entries) < wanted and examined < max_examined:
        examined += 1
        if ordered[index] in keep:
            entries.append(entry(ordered[index]))
        index += 1
    more = index < len(ordered)
    resume = {"SK": ordered[index - 1]} if more and index > 0 else None
    return ListRead(entries, resume, resume["SK"] if resume else None, examined)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    list_count=st.integers(1, 4),
    limit=st.integers(1, 6),
    max_examined=st.integers(1, 8),
    ascending=st.booleans(),
)
def test_paging_through_merged_lists_returns_each_match_once_in_order(
    data: st.DataObject, list_count: int, limit: int, max_examined: int, ascending: bool
) -> None:
    # Given lists of unique sort keys, and a filter that keeps some of them
    universe = data.draw(
        st.lists(st.text("0123456789ABCDEF", min_size=6, max_size=6), unique=True, max_size=40)
    )
    lists = [
        [value for value in universe if int(value, 16) % list_count == index] for index in range(list_count)
    ]
    keep = set(data.draw(st.lists(st.sampled_from(universe), unique=True))) if universe else set()
    expected = sorted(keep, reverse=not ascending)

    # When we page until there is no cursor
    seen: list[str] = []
    positions: list[Any] = [None] * list_count
    for _ in range(500):
        reads = [
            None
            if positions[i] == DONE
            else fake_read(
                lists[i], keep, positions[i], wanted=limit + 1, max_examined=max_examined, ascending=ascending
            )
            for i in range(list_count)
        ]
        page = merge_pages(reads, positions, limit, ascending)
        assert len(page.entries) <= limit
        seen.extend(item.summary.id for item in page.entries)
        if page.positions is None:
            break
        positions = page.positions
    # Then every kept value came exactly once, in order
    assert seen == expected
