"""Pages merged from several lists (status=OPEN,CLOSED...), and pages of lists read one after another
(the ranks of sort=priority or status), cover every matching ticket exactly once, in order, whatever
the page size, the filters and where each list's reads stop."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.keys import ListDimension, ListMembership
from tickets.logic.listing import DONE, ListReader, merge_pages, read_in_turn
from tickets.store.lists import ListEntry, ListRead

T0 = datetime(2026, 4, 18, tzinfo=UTC)


def entry(sort_value: str) -> ListEntry:
    return ListEntry(sort_value, {"SK": sort_value}, sort_value, version=1)


def fake_read(
    values: list[str],
    keep: set[str],
    start: Any,
    *,
    wanted: int,
    max_examined: int,
    ascending: bool,
    resume_at_end: bool = False,
) -> ListRead:
    """What the repository does for one list: read in order after `start`, keep matches, stop early.
    `resume_at_end`: as DynamoDB does when a Query's Limit is reached on the list's last item, give a
    position to resume at even though nothing follows."""
    ordered = sorted(values, reverse=not ascending)
    index = 0 if start is None else ordered.index(start["SK"]) + 1
    entries: list[ListEntry] = []
    examined = 0
    while index < len(ordered) and len(entries) < wanted and examined < max_examined:
        examined += 1
        if ordered[index] in keep:
            entries.append(entry(ordered[index]))
        index += 1
    stopped_short = len(entries) >= wanted or examined >= max_examined
    more = index < len(ordered) or (resume_at_end and stopped_short)
    resume = {"SK": ordered[index - 1]} if more and index > 0 else None
    return ListRead(entries, resume, resume["SK"] if resume else None, examined)


def draw_lists(data: st.DataObject, list_count: int) -> tuple[list[list[str]], set[str]]:
    """`list_count` lists of unique sort keys (any of them may be empty), and the keys a filter keeps."""
    universe = data.draw(
        st.lists(st.text("0123456789ABCDEF", min_size=6, max_size=6), unique=True, max_size=40)
    )
    lists = [
        [value for value in universe if int(value, 16) % list_count == index] for index in range(list_count)
    ]
    keep = set(data.draw(st.lists(st.sampled_from(universe), unique=True))) if universe else set()
    return lists, keep


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
    lists, keep = draw_lists(data, list_count)
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
        seen.extend(item.ticket_id for item in page.entries)
        if page.positions is None:
            break
        positions = page.positions
    # Then every kept value came exactly once, in order
    assert seen == expected


def in_turn_reader(
    lists: list[list[str]], keep: set[str], ascending: bool, resume_at_end: bool, log: list[int]
) -> ListReader:
    """fake_read over the list a membership names (its value is the list's index); each read's number
    of entries examined goes to `log`."""

    def read(membership: ListMembership, start: Any, wanted: int, at_most: int) -> ListRead:
        assert wanted >= 1 and at_most >= 1
        found = fake_read(
            lists[int(membership.value)],
            keep,
            start,
            wanted=wanted,
            max_examined=at_most,
            ascending=ascending,
            resume_at_end=resume_at_end,
        )
        log.append(found.items_examined)
        return found

    return read


def ranks(count: int) -> list[ListMembership]:
    return [ListMembership(ListDimension.PRIORITY, str(index)) for index in range(count)]


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    list_count=st.integers(1, 5),
    limit=st.integers(1, 6),
    max_examined=st.integers(1, 12),
    ascending=st.booleans(),
)
def test_paging_through_lists_in_turn_returns_each_match_once_list_after_list(
    data: st.DataObject, list_count: int, limit: int, max_examined: int, ascending: bool
) -> None:
    # Given ranked lists of unique sort keys (some of them empty), and a filter that keeps some keys;
    # the lists read as DynamoDB does or not (a position at a list's very end when a read's Limit was hit)
    resume_at_end = data.draw(st.booleans(), label="resume at end")
    lists, keep = draw_lists(data, list_count)
    expected = [value for values in lists for value in sorted(values, reverse=not ascending) if value in keep]

    # When we page until there is no cursor
    seen: list[str] = []
    positions: list[Any] = [None] * list_count
    for _ in range(500):
        examined: list[int] = []
        read = in_turn_reader(lists, keep, ascending, resume_at_end, examined)
        page = read_in_turn(read, ranks(list_count), positions, limit, max_examined)
        # Then each page holds at most limit, reads each list at most once and stays within its budget
        assert len(page.entries) <= limit
        assert len(examined) <= list_count
        assert sum(examined) <= max_examined
        seen.extend(item.ticket_id for item in page.entries)
        if page.positions is None:
            break
        positions = page.positions
    # And every kept value came exactly once, list after list, each list in its order
    assert seen == expected


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 7), min_size=1, max_size=5),
    limit=st.integers(1, 6),
    ascending=st.booleans(),
    resume_at_end=st.booleans(),
)
def test_lists_in_turn_without_filters_fill_every_page_and_end_without_an_empty_page(
    sizes: list[int], limit: int, ascending: bool, resume_at_end: bool
) -> None:
    # Given ranked lists of the given sizes (empty ones among them), nothing filtered out, read as
    # DynamoDB does or not (a position at the very end of a list when the read's Limit was reached)
    lists = [[f"{index}{n:05d}" for n in range(size)] for index, size in enumerate(sizes)]
    keep = {value for values in lists for value in values}

    # When we page until there is no cursor, with the budget a page gets (10 x (limit + 1))
    counts: list[int] = []
    entries_read: list[int] = []
    positions: list[Any] = [None] * len(sizes)
    for _ in range(100):
        examined: list[int] = []
        page = read_in_turn(
            in_turn_reader(lists, keep, ascending, resume_at_end, examined),
            ranks(len(sizes)),
            positions,
            limit,
            10 * (limit + 1),
        )
        counts.append(len(page.entries))
        entries_read.append(sum(examined))
        if page.positions is None:
            break
        positions = page.positions

    # Then every page but the last is full, the last is empty only when there is nothing at all, and a
    # page reads at most limit + 1 entries across the lists it steps through
    full, rest = divmod(len(keep), limit)
    assert counts == ([limit] * full + [rest] if rest or not full else [limit] * full)
    assert max(entries_read) <= limit + 1
