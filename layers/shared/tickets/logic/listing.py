"""How a list query is answered: which list entries to read, what to filter, and how pages merge."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from tickets.ids import format_timestamp
from tickets.keys import ListDimension, ListMembership
from tickets.logic.workflow import UNASSIGNED_QUEUE
from tickets.models.enums import TicketStatus
from tickets.models.requests import ListTicketsQuery
from tickets.store.repository import Condition, ListEntry, ListRead

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
    """Lists to read (one per value of the leading filter, merged in order) and filters on the rest."""

    memberships: list[ListMembership]
    conditions: list[Condition]
    updated_since: str | None


def plan_list(query: ListTicketsQuery) -> ListPlan:
    """Lead with the most selective filter (a customer, an agent, a tag...) and read its lists; every
    other filter becomes a condition on the entries. With one filter a page reads limit + 1 entries."""
    leads: list[tuple[ListDimension, list[str]]] = []
    conditions: list[Condition] = []
    if query.customer_external_id:
        leads.append((ListDimension.CUSTOMER, [query.customer_external_id]))
    if query.assigned_agent_id:
        leads.append((ListDimension.AGENT, [query.assigned_agent_id]))
    if query.tag:
        leads.append((ListDimension.TAG, [query.tag]))
    if query.unassigned:
        leads.append((ListDimension.UNASSIGNED, [UNASSIGNED_QUEUE.value]))
    if query.awaiting:
        leads.append((ListDimension.AWAITING, [query.awaiting]))
    if query.status:
        leads.append((ListDimension.STATUS, list(query.status)))
    if query.priority:
        leads.append((ListDimension.PRIORITY, list(query.priority)))
    if not leads:
        leads.append((ListDimension.ALL, ["ALL"]))
    lead_dimension, lead_values = leads[0]
    for dimension, values in leads[1:]:
        conditions.extend(_conditions(dimension, values))
    since = format_timestamp(query.updated_since) if query.updated_since else None
    memberships = [ListMembership(lead_dimension, value) for value in lead_values]
    return ListPlan(memberships, conditions, since)


def _conditions(dimension: ListDimension, values: list[str]) -> list[Condition]:
    """The same filter as a list membership, expressed on an entry's attributes."""
    if dimension == ListDimension.UNASSIGNED:
        # The queue: OPEN tickets with no agent (workflow.waits_for_agent).
        return [Condition("assignedAgentId", "absent"), Condition("status", "in", (TicketStatus.OPEN,))]
    if dimension == ListDimension.TAG:
        return [Condition("tagIds", "contains", tuple(values))]
    return [Condition(_ENTRY_ATTRIBUTE[dimension], "in", tuple(values))]


_ENTRY_ATTRIBUTE = {
    ListDimension.CUSTOMER: "customerExternalId",
    ListDimension.AGENT: "assignedAgentId",
    ListDimension.AWAITING: "awaitingResponseFrom",
    ListDimension.STATUS: "status",
    ListDimension.PRIORITY: "priority",
}


def query_scope(query: ListTicketsQuery) -> str:
    """What a cursor is bound to: the filters and the sort, not the page size."""
    fields = query.model_dump(mode="json", exclude={"cursor", "limit"}, exclude_none=True)
    return "list:" + hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class MergedPage:
    entries: list[ListEntry]
    positions: list[dict[str, str] | str | None] | None  # per list: resume position, DONE; None: no more


def merge_pages(
    reads: list[ListRead | None],
    previous: list[dict[str, str] | str | None],
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
    positions: list[dict[str, str] | str | None] = []
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
