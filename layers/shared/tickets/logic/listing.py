"""A ticket's lists: which lists it is in and what it counts in the stats, how a change rewrites them
(with the agent's load), and how a list query is answered: which entries to read, what to filter,
and how pages merge."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

from tickets.ids import format_timestamp
from tickets.keys import ALL_TICKETS, ListDimension, ListMembership
from tickets.logic import workflow
from tickets.models.domain import Message, Ticket, TicketSummary
from tickets.models.enums import Awaiting, Priority, SortOrder, TicketStatus
from tickets.models.requests import ListTicketsQuery
from tickets.store.lists import ListEntry, ListRead, ListStore
from tickets.store.repository import TicketRepository

# A list that would hold the same tickets as another is not kept twice (each entry costs 2 WRU to
# join and 2 to leave, inside the ticket's transaction). The queue, the tickets waiting for an agent, is
# the OPEN list: an OPEN ticket has no agent (workflow.initial_status). Awaiting the customer is being
# WAITING_ON_CUSTOMER (workflow.awaiting_after). Automatic assignment works through the queue oldest
# first, the `unassigned` filter reads it and stats.unassigned counts it.
UNASSIGNED_QUEUE = ListMembership(ListDimension.STATUS, TicketStatus.OPEN)
AWAITING_CUSTOMER = ListMembership(ListDimension.STATUS, TicketStatus.WAITING_ON_CUSTOMER)
AWAITING_AGENT = ListMembership(ListDimension.AWAITING, Awaiting.AGENT)
SLA_BREACHED = ListMembership(ListDimension.SLA, "BREACHED")


def list_memberships(ticket: Ticket) -> set[ListMembership]:
    """Every list the ticket appears in."""
    memberships = {
        ALL_TICKETS,
        ListMembership(ListDimension.STATUS, ticket.status),
        ListMembership(ListDimension.PRIORITY, ticket.priority),
        ListMembership(ListDimension.CUSTOMER, ticket.customer.external_id),
    }
    if ticket.assigned_agent:
        memberships.add(ListMembership(ListDimension.AGENT, ticket.assigned_agent.id))
    if ticket.awaiting_response_from == Awaiting.AGENT:
        memberships.add(AWAITING_AGENT)
    memberships.update(ListMembership(ListDimension.TAG, tag) for tag in ticket.tag_ids)
    if ticket.sla is not None and ticket.sla.breached:
        memberships.add(SLA_BREACHED)
    return memberships


def stats_contribution(ticket: Ticket | None) -> dict[str, int]:
    """The counters one ticket adds to its tenant's stats; the store applies new minus old."""
    if ticket is None:
        return {}
    return {
        "total": 1,
        f"status_{ticket.status}": 1,
        "needsResponse": int(ticket.awaiting_response_from == Awaiting.AGENT),
        "unassigned": int(workflow.waits_for_agent(ticket)),
    }


def stats_delta(before: Ticket | None, after: Ticket | None) -> dict[str, int]:
    old, new = stats_contribution(before), stats_contribution(after)
    delta = {name: new.get(name, 0) - old.get(name, 0) for name in old.keys() | new.keys()}
    return {name: value for name, value in delta.items() if value}


def save_change(
    repository: TicketRepository,
    before: Ticket,
    after: Ticket,
    *,
    message: Message | None = None,
    within_capacity: bool = False,
) -> None:
    """Write a ticket change with everything that follows from it: lists, stats and agents' loads.
    Raises the repository's StaleWrite (or AgentUnavailable with `within_capacity`)."""
    repository.save_ticket(
        before,
        after,
        memberships_before=list_memberships(before),
        memberships_after=list_memberships(after),
        stats_delta=stats_delta(before, after),
        agent_load_delta=workflow.agent_load_delta(before, after),
        message=message,
        within_capacity=within_capacity,
    )


DONE = "done"
# Entries read per request at most, as a multiple of the page size, when filters are combined.
EXAMINE_FACTOR = 10
# Page numbers (the dialects') are read past the tickets before them, so they stop this deep; the
# native cursor goes on (Zendesk stops offset paging at 10,000 records too).
MAX_NUMBERED_TICKETS = 10_000


def page_offset(page: int, page_size: int) -> int:
    """How many tickets come before page `page` (from 1); a ValueError past MAX_NUMBERED_TICKETS."""
    offset = (page - 1) * page_size
    if offset + page_size > MAX_NUMBERED_TICKETS:
        last = MAX_NUMBERED_TICKETS // page_size
        raise ValueError(
            f"pages stop at the first {MAX_NUMBERED_TICKETS:,} tickets (page {last} at this page size); "
            "read further with the cursor of the native API, GET /v1/tickets?cursor=..."
        )
    return offset


@dataclass(frozen=True)
class ListPlan:
    """What a list query reads: the lists, one per value of the leading filter, merged in order; or,
    `in_turn`, the ranks of a priority or status sort, read one after another; or, `by_updated`, the
    tenant's tickets in order of last update (GSI1). `checked`: the lists alone do not decide the
    query, so each ticket read is checked against it (`matches`) before it counts."""

    query: ListTicketsQuery
    memberships: list[ListMembership]
    checked: bool
    in_turn: bool = False

    @property
    def by_updated(self) -> bool:
        return self.query.sort.by_updated

    @property
    def by_sla_due(self) -> bool:
        return self.query.sort.by_sla_due


# The sorts that go by a rank: the dimension whose lists are the ranks, and the ranks lowest first.
_RANKS: dict[SortOrder, tuple[ListDimension, list[str]]] = {
    SortOrder.PRIORITY_ASC: (ListDimension.PRIORITY, list(Priority)),
    SortOrder.PRIORITY_DESC: (ListDimension.PRIORITY, list(Priority)),
    SortOrder.STATUS_ASC: (ListDimension.STATUS, list(TicketStatus)),
    SortOrder.STATUS_DESC: (ListDimension.STATUS, list(TicketStatus)),
}


def plan_list(query: ListTicketsQuery) -> ListPlan:
    """Lead with the most selective filter (a customer, an agent, a tag...) and read its lists; every
    other filter is checked on the tickets read. With one filter a page reads limit + 1 entries.

    A priority or status sort leads with its own lists instead, one per rank in the sort's direction
    (only the ranks its filter asks for, when there is one), since each list is in createdAt order: read
    one after another they are in the sort's order. An updatedAt sort reads the tenant's tickets in that
    order, and a slaDueAt sort the tenant's due list (those with a running SLA metric, soonest due
    first), every filter checked on them."""
    filters = _filters(query)
    unlisted = (
        query.department is not None or query.has_agent_reply is not None or query.sla_breached is False
    )
    if query.sort.by_updated or query.sort.by_sla_due:
        # The update order reads updatedSince as its range, the due order slaDueBefore.
        ranged_apart = query.sla_due_before if query.sort.by_updated else query.updated_since
        checked = bool(filters) or unlisted or ranged_apart is not None
        return ListPlan(query, [ALL_TICKETS], checked)
    unlisted = unlisted or query.updated_since is not None or query.sla_due_before is not None
    ranked = _RANKS.get(query.sort)
    if ranked is not None:
        dimension, ranks = ranked
        asked = dict(filters).get(dimension)
        values = [rank for rank in ranks if asked is None or rank in asked]
        if not query.sort.ascending:
            values.reverse()
        others = [other for other, _ in filters if other != dimension]
        memberships = [ListMembership(dimension, value) for value in values]
        return ListPlan(query, memberships, bool(others) or unlisted, in_turn=True)
    lead_dimension, lead_values = filters[0] if filters else (ListDimension.ALL, ["ALL"])
    memberships = [ListMembership(lead_dimension, value) for value in lead_values]
    return ListPlan(query, memberships, len(filters) > 1 or unlisted)


def _filters(query: ListTicketsQuery) -> list[tuple[ListDimension, list[str]]]:
    """The query's filters that have lists, most selective first. Filters read from the same dimension
    (`unassigned` and `awaiting=CUSTOMER` are status lists) keep only the values all of them allow."""
    filters: list[tuple[ListDimension, list[str]]] = []
    if query.customer_external_id:
        filters.append((ListDimension.CUSTOMER, [query.customer_external_id]))
    if query.assigned_agent_id:
        filters.append((ListDimension.AGENT, [query.assigned_agent_id]))
    if query.tag:
        filters.append((ListDimension.TAG, [query.tag]))
    if query.sla_breached:
        filters.append((SLA_BREACHED.dimension, [SLA_BREACHED.value]))
    if query.unassigned:
        filters.append((UNASSIGNED_QUEUE.dimension, [UNASSIGNED_QUEUE.value]))
    if query.awaiting:
        awaited = AWAITING_CUSTOMER if query.awaiting == Awaiting.CUSTOMER else AWAITING_AGENT
        filters.append((awaited.dimension, [awaited.value]))
    if query.status:
        filters.append((ListDimension.STATUS, list(query.status)))
    if query.priority:
        filters.append((ListDimension.PRIORITY, list(query.priority)))
    allowed: dict[ListDimension, list[str]] = {}
    for dimension, values in filters:
        allowed[dimension] = [value for value in allowed.get(dimension, values) if value in values]
    return list(allowed.items())


def matches(query: ListTicketsQuery, ticket: TicketSummary) -> bool:
    """Whether a ticket is one the query asks for: every filter, those with lists of their own too (an
    entry read just before its ticket left the list names a ticket the page must not show)."""
    agent_id = ticket.assigned_agent.id if ticket.assigned_agent else None
    return (
        (not query.status or ticket.status in query.status)
        and (not query.priority or ticket.priority in query.priority)
        and query.customer_external_id in (None, ticket.customer.external_id)
        and query.assigned_agent_id in (None, agent_id)
        and (not query.unassigned or workflow.waits_for_agent(ticket))
        and query.awaiting in (None, ticket.awaiting_response_from)
        and (query.tag is None or query.tag in ticket.tag_ids)
        and query.department in (None, ticket.department)
        and query.has_agent_reply in (None, ticket.has_agent_reply)
        and (query.updated_since is None or ticket.updated_at >= query.updated_since)
        and _sla_matches(query, ticket)
    )


def _sla_matches(query: ListTicketsQuery, ticket: TicketSummary) -> bool:
    breached = ticket.sla is not None and ticket.sla.breached
    due_at = ticket.sla.due_at if ticket.sla is not None else None
    return query.sla_breached in (None, breached) and (
        query.sla_due_before is None or (due_at is not None and due_at < query.sla_due_before)
    )


def query_scope(query: ListTicketsQuery) -> str:
    """What a cursor is bound to: the filters and the sort, not the page size."""
    fields = query.model_dump(mode="json", exclude={"cursor", "limit"}, exclude_none=True)
    # v2: positions in the update order are GSI1 keys of tickets (they were of list entries).
    return "list:v2:" + hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


# Where a page resumes in one list: after this key, DONE, or None (from the list's start).
Position = dict[str, str] | str | None
# Reads one list from a position (None: its start) until `wanted` tickets match, the list ends, or
# `max_examined` entries were read: (membership, start, wanted, max_examined).
ListReader = Callable[[ListMembership, dict[str, str] | None, int, int], ListRead]


def read_page(
    lists: ListStore, tenant_id: str, plan: ListPlan, previous: list[Position], limit: int
) -> MergedPage:
    """One page of the plan's lists from the cursor's positions. Entries of an unchecked plan are the
    page as they are (their tickets are read once the page is known: `page_summaries`); those of a
    checked one are read with their tickets, and only matching tickets count."""
    query = plan.query
    # An entry examined costs an item read either way; checked, the batches are larger, so few matches
    # cost few round trips.
    smallest_batch = 25 if plan.checked else 1
    since = format_timestamp(query.updated_since) if query.updated_since else None
    due_before = format_timestamp(query.sla_due_before) if query.sla_due_before else None

    def read(membership: ListMembership, start: dict[str, str] | None, wanted: int, at_most: int) -> ListRead:
        entries: list[ListEntry] = []
        examined = 0
        resume_at = start
        while True:
            batch = min(max(wanted - len(entries), smallest_batch), at_most - examined)
            if plan.by_updated:
                found = lists.read_updated(
                    tenant_id, ascending=query.sort.ascending, since=since, start=resume_at, limit=batch
                )
            elif plan.by_sla_due:
                found = lists.read_sla_due(tenant_id, before=due_before, start=resume_at, limit=batch)
            else:
                found = lists.read_list_entries(
                    tenant_id, membership, ascending=query.sort.ascending, start=resume_at, limit=batch
                )
            examined += found.items_examined
            entries.extend(_checked(lists, tenant_id, plan, found.entries) if plan.checked else found.entries)
            resume_at = found.resume_at
            if resume_at is None or len(entries) >= wanted or examined >= at_most:
                return ListRead(entries, resume_at, found.resume_sort_value, examined)

    most = EXAMINE_FACTOR * (limit + 1)
    if plan.in_turn:
        return read_in_turn(read, plan.memberships, previous, limit, most)
    reads = [
        None
        if position == DONE
        else read(membership, position if isinstance(position, dict) else None, limit + 1, most)
        for membership, position in zip(plan.memberships, previous, strict=True)
    ]
    return merge_pages(reads, previous, limit, query.sort.ascending)


def pass_over(
    lists: ListStore, tenant_id: str, plan: ListPlan, offset: int, page_size: int
) -> list[Position] | None:
    """The positions `offset` tickets into the plan's lists (None: the lists end before), read a page
    of `page_size` at a time and passed over: the page numbers of the dialects."""
    positions: list[Position] | None = [None] * len(plan.memberships)
    skipped = 0
    while skipped < offset and positions is not None:
        passed = read_page(lists, tenant_id, plan, positions, min(page_size, offset - skipped))
        skipped += len(passed.entries)
        positions = passed.positions
    return positions


def read_full_page(
    lists: ListStore, tenant_id: str, plan: ListPlan, positions: list[Position], limit: int
) -> MergedPage:
    """A page that holds `limit` tickets unless the lists end first: page numbers have no cursor to
    follow past a page cut short by the examined budget of a checked plan."""
    page = read_page(lists, tenant_id, plan, positions, limit)
    entries = list(page.entries)
    while len(entries) < limit and page.positions is not None:
        page = read_page(lists, tenant_id, plan, page.positions, limit - len(entries))
        entries.extend(page.entries)
    return MergedPage(entries, page.positions)


def page_summaries(lists: ListStore, tenant_id: str, plan: ListPlan, page: MergedPage) -> list[TicketSummary]:
    """The page's tickets in its order: read (one BatchGetItem) for the entries that came without
    them. A ticket deleted, or changed out of the query, since its entry was read is left out."""
    checked = _checked(lists, tenant_id, plan, page.entries)
    return [entry.summary for entry in checked if entry.summary is not None]


def _checked(lists: ListStore, tenant_id: str, plan: ListPlan, entries: list[ListEntry]) -> list[ListEntry]:
    """The entries whose tickets match the query, each with its ticket's summary."""
    missing = [entry.ticket_id for entry in entries if entry.summary is None]
    found = lists.get_summaries(tenant_id, missing) if missing else {}
    with_summaries = [
        entry if entry.summary is not None else replace(entry, summary=found.get(entry.ticket_id))
        for entry in entries
    ]
    return [
        entry for entry in with_summaries if entry.summary is not None and matches(plan.query, entry.summary)
    ]


@dataclass(frozen=True)
class MergedPage:
    entries: list[ListEntry]
    positions: list[Position] | None  # per list: resume position, DONE; None: no more


def merge_pages(
    reads: list[ListRead | None],
    previous: list[Position],
    limit: int,
    ascending: bool,
) -> MergedPage:
    """Merge what was read from each list into one page in sort order.

    An entry is only taken if no list that stopped early could still hold an entry before it;
    each list then resumes after its last taken entry, or after everything it read when all of
    it was taken or filtered out, so every page makes progress and nothing is skipped or repeated.
    """
    candidates = [
        (entry, index) for index, read in enumerate(reads) if read is not None for entry in read.entries
    ]
    candidates.sort(key=lambda pair: pair[0].sort_value, reverse=not ascending)
    stops = [read.resume_sort_value for read in reads if read and read.resume_sort_value is not None]
    bound = (min(stops) if ascending else max(stops)) if stops else None
    taken: list[tuple[ListEntry, int]] = []
    for entry, index in candidates:
        if len(taken) == limit:
            break
        if bound is not None and (entry.sort_value > bound if ascending else entry.sort_value < bound):
            break
        taken.append((entry, index))
    positions: list[Position] = []
    for index, read in enumerate(reads):
        if read is None:
            positions.append(previous[index])
            continue
        taken_here = [entry for entry, source in taken if source == index]
        if len(taken_here) < len(read.entries):
            positions.append(taken_here[-1].position if taken_here else previous[index])
        else:
            positions.append(read.resume_at if read.resume_at else DONE)
    more = any(position != DONE for position in positions)
    return MergedPage([entry for entry, _ in taken], positions if more else None)


def read_in_turn(
    read: ListReader,
    memberships: list[ListMembership],
    previous: list[Position],
    limit: int,
    max_examined: int,
) -> MergedPage:
    """One page of lists read one after another (the ranks of a priority or status sort): a list is
    only read once those before it are done, so the cursor's positions are DONE up to the list being
    read, where it stopped in that one, and None after it.

    The page reads on until one entry past `limit` matches, stepping into the next lists when one ends,
    so a page that ends with the last match has no cursor; it stops early, resumable, once
    `max_examined` entries were read in all. Each list is read at most once a page: without conditions
    that is one Query per list it reaches, limit + 1 entries in all."""
    positions = list(previous)
    taken: list[ListEntry] = []
    budget = max_examined
    for index, (membership, position) in enumerate(zip(memberships, previous, strict=True)):
        if position == DONE:
            continue
        room = limit - len(taken)
        start = position if isinstance(position, dict) else None
        found = read(membership, start, room + 1, budget)
        budget -= found.items_examined
        taken.extend(found.entries[:room])
        if len(found.entries) > room:  # the page is full, and this list holds the next match
            positions[index] = found.entries[room - 1].position if room else position
            return MergedPage(taken, positions)
        positions[index] = found.resume_at or DONE
        if found.resume_at is not None or budget <= 0:  # the budget ran out, inside this list or with it
            break
    more = any(position != DONE for position in positions)
    return MergedPage(taken, positions if more else None)
