"""GET /v1/tickets paged with nextCursor, as properties over any filter, sort and page sizes.

One desk of 24 tickets is written through the API once for the module, in every state a ticket can
be in (statuses, agents, who is awaited, tags, two customers, departments, answered by an agent or
not, changed in a shuffled order). Hypothesis then draws queries; what each must return is worked
out here from the tickets as GET returns them, never from the list machinery: following nextCursor
to the end yields each matching ticket exactly once, in the sort order (by priority and status: by
rank, then createdAt), whatever the page sizes; and a cursor is refused by any other query or tenant.
The paging through lists and merges is unit-tested in tests/unit/test_listing_merge.py; this is the
same promise through the handler, the repository and the table."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse
from tests.support.moto_table import moto_table
from tickets.models.types import MAX_FILTER_VALUES

STATUSES = ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ON_HOLD", "CLOSED"]
PRIORITIES = ["LOW", "MEDIUM", "HIGH", "URGENT", "CRITICAL"]
SORTS = ["createdAt", "-createdAt", "updatedAt", "-updatedAt", "priority", "-priority", "status", "-status"]
# The sorts by a rank, and the ranks lowest first: ties go by createdAt, in the same direction.
RANKS = {"priority": PRIORITIES, "status": STATUSES}
TAG_A = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
TAG_B = "9c8d7e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
TICKETS = 24
# Departments the tickets are in, in turn (None: none): two differ only in case, one holds a comma.
DEPARTMENTS = ["Billing", "billing", None, "Billing, EMEA"]
Query = dict[str, Any]  # parameter -> value; status and priority as lists


@dataclass(frozen=True)
class Desk:
    """The module's tickets as GET returns them, and the API as acme and as globex see it."""

    tickets: list[dict[str, Any]]
    acme: Api
    globex: Api

    def expected(self, query: Query, sort: str | None) -> list[str]:
        """The ids the query matches, in its sort order, worked out from the tickets themselves."""
        matching = [ticket for ticket in self.tickets if _matches(ticket, query)]
        order = sort or "-createdAt"
        field = order.lstrip("-")

        def key(ticket: dict[str, Any]) -> tuple[int, str, str]:
            rank = RANKS[field].index(ticket[field]) if field in RANKS else 0
            time_field = "createdAt" if field in RANKS else field
            return rank, ticket[time_field], ticket["id"]

        matching.sort(key=key, reverse=order.startswith("-"))
        return [ticket["id"] for ticket in matching]


def _instant(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _matches(ticket: dict[str, Any], query: Query) -> bool:
    agent = (ticket["assignedAgent"] or {}).get("id")
    checks: dict[str, Callable[[Any], bool]] = {
        "status": lambda wanted: ticket["status"] in wanted,
        "priority": lambda wanted: ticket["priority"] in wanted,
        "customerExternalId": lambda wanted: ticket["customer"]["externalId"] == wanted,
        "assignedAgentId": lambda wanted: agent == wanted,
        # The unassigned queue: OPEN tickets that no agent has.
        "unassigned": lambda _: agent is None and ticket["status"] == "OPEN",
        "awaiting": lambda wanted: ticket["awaitingResponseFrom"] == wanted,
        "tag": lambda wanted: wanted.lower() in {tag.lower() for tag in ticket["tagIds"]},
        "updatedSince": lambda since: _instant(ticket["updatedAt"]) >= _instant(since),
        "department": lambda wanted: ticket.get("department") == wanted,
        "hasAgentReply": lambda wanted: ticket["hasAgentReply"] is wanted,
    }
    return all(checks[name](value) for name, value in query.items())


def _ok(response: ApiResponse, status: int = 200) -> ApiResponse:
    assert response.status == status, response.json
    return response


# Each ticket's story after it is created, drawn once with a fixed seed.
STORIES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "open": [],
    "agent_n1": [("update", {"assignedAgentId": "agent_n1"})],
    "agent_n2": [("update", {"assignedAgentId": "agent_n2"})],
    "answered": [("reply", {"message": "We are on it."})],
    "answered by agent_n1": [
        ("update", {"assignedAgentId": "agent_n1"}),
        ("reply", {"message": "We are on it."}),
    ],
    "customer wrote back": [
        ("reply", {"message": "We are on it."}),
        ("reply", {"message": "Still broken.", "from": {"role": "CUSTOMER"}}),
    ],
    "internal note": [("reply", {"message": "Checking with billing.", "internal": True})],
    "closed": [("update", {"status": "CLOSED"})],
    "closed by agent_n2": [("update", {"assignedAgentId": "agent_n2"}), ("update", {"status": "CLOSED"})],
    "on hold": [("update", {"status": "ON_HOLD"})],
    "reopened": [("update", {"status": "CLOSED"}), ("update", {"status": "OPEN"})],
}


@pytest.fixture(scope="module")
def desk() -> Iterator[Desk]:
    """24 tickets of acme in every state, for two customers, with and without tags, then some of them
    changed again in a shuffled order (so that updatedAt order differs from createdAt order); and a
    second tenant, globex, with no tickets."""
    with moto_table() as table:
        seeder = Seeder.over(table)
        seeder.tenant()
        seeder.tenant("globex", "GLX", name="Globex Corp.")
        seeder.customer()
        seeder.customer("acme", "user_7", email="jane@acme.com", name="Jane Roe")
        seeder.agent()
        seeder.agent("acme", "agent_n2", "Agent N2")
        acme = Api("acme")
        chance = random.Random(20261122)
        ids: list[str] = []
        for i in range(TICKETS):
            tags = ([TAG_A] if i % 2 == 0 else []) + ([TAG_B] if i % 3 == 0 else [])
            body = {
                "customerExternalId": "user_7" if i % 3 == 2 else "user_42",
                "subject": f"Ticket {i}",
                "priority": chance.choice(PRIORITIES),
                "tagIds": tags,
                "replyRequested": i % 8 != 7,
            }
            if DEPARTMENTS[i % len(DEPARTMENTS)] is not None:
                body["department"] = DEPARTMENTS[i % len(DEPARTMENTS)]
            ticket_id = _ok(acme.create(body), 201).data["id"]
            ids.append(ticket_id)
            for action, change in STORIES[chance.choice(list(STORIES))]:
                sent = acme.update(ticket_id, change) if action == "update" else acme.reply(ticket_id, change)
                _ok(sent, 200 if action == "update" else 201)
        for number, ticket_id in enumerate(chance.sample(ids, 8)):
            # A new category, which no filter reads: only updatedAt moves.
            _ok(acme.update(ticket_id, {"category": f"touched {number}"}))
        tickets = [_ok(acme.get(ticket_id)).data for ticket_id in ids]
        yield Desk(tickets, acme, Api("globex"))


def test_the_desk_holds_every_state_the_filters_tell_apart(desk: Desk) -> None:
    # Given the module's desk
    tickets = desk.tickets

    # Then it has tickets in each status, assigned and not, awaiting each party, with each tag, for each
    # customer: every filter has something to find and something to leave out
    assert {ticket["status"] for ticket in tickets} == set(STATUSES)
    assert {(ticket["assignedAgent"] or {}).get("id") for ticket in tickets} == {None, "agent_n1", "agent_n2"}
    assert {ticket["awaitingResponseFrom"] for ticket in tickets} == {"AGENT", "CUSTOMER", "NONE"}
    assert {ticket["customer"]["externalId"] for ticket in tickets} == {"user_42", "user_7"}
    assert len({ticket["priority"] for ticket in tickets}) >= 4
    assert {ticket.get("department") for ticket in tickets} == set(DEPARTMENTS)
    assert {ticket["hasAgentReply"] for ticket in tickets} == {True, False}
    # And neither priority nor status follows creation, so a sort by rank reorders the desk
    for field, ranks in RANKS.items():
        in_creation_order = [ranks.index(ticket[field]) for ticket in tickets]
        assert in_creation_order != sorted(in_creation_order)
    assert any(desk.expected({"unassigned": True}, None))
    assert [ticket["updatedAt"] for ticket in tickets] != sorted(ticket["updatedAt"] for ticket in tickets)


# Strategies -----------------------------------------------------------------------------------------


def queries(desk: Desk) -> st.SearchStrategy[Query]:
    """Any combination of the list's filters."""
    stamps = sorted({ticket["updatedAt"] for ticket in desk.tickets})
    filters: dict[str, st.SearchStrategy[Any]] = {
        "status": st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3, unique=True),
        "priority": st.lists(st.sampled_from(PRIORITIES), min_size=1, max_size=3, unique=True),
        "customerExternalId": st.sampled_from(["user_42", "user_7", "user_nobody"]),
        "assignedAgentId": st.sampled_from(["agent_n1", "agent_n2"]),
        "unassigned": st.just(True),
        "awaiting": st.sampled_from(["AGENT", "CUSTOMER"]),
        "tag": st.sampled_from([TAG_A, TAG_B, TAG_B.upper()]),
        "updatedSince": st.sampled_from(stamps),
        "department": st.sampled_from(["Billing", "billing", "Billing, EMEA", "Shipping"]),
        "hasAgentReply": st.booleans(),
    }
    return st.fixed_dictionaries({}, optional=filters)


def _text(value: Any) -> str:
    """A single value as the query string writes it (booleans as true and false)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def parameters(query: Query, sort: str | None, repeat_lists: bool = False) -> dict[str, str | list[str]]:
    """The query string: lists comma-separated, or as repeated parameters."""
    params: dict[str, str | list[str]] = {}
    for name, value in query.items():
        if isinstance(value, list):
            params[name] = value if repeat_lists else ",".join(value)
        else:
            params[name] = _text(value)
    if sort is not None:
        params["sort"] = sort
    return params


SORT = st.sampled_from([None, *SORTS])


def page_through(
    desk: Desk,
    params: dict[str, str | list[str]],
    limits: list[int],
    rewritings: list[dict[str, str | list[str]]] | None = None,
) -> list[str]:
    """The ids of every page, following nextCursor until it is null; page n asks for limits[n] (the
    last one repeated), with the query as `rewritings[n]` (in turn) when given. Each page holds at most
    its limit and says so in meta."""
    ids: list[str] = []
    cursor: str | None = None
    for number in range(TICKETS * 3):
        limit = limits[min(number, len(limits) - 1)]
        asked = rewritings[number % len(rewritings)] if rewritings else params
        page = _ok(desk.acme.list(**asked, limit=str(limit), **({"cursor": cursor} if cursor else {})))
        meta = page.json["meta"]
        assert meta["limit"] == limit
        assert meta["count"] == len(page.data) <= limit
        ids.extend(ticket["id"] for ticket in page.data)
        cursor = meta["nextCursor"]
        if cursor is None:
            return ids
    raise AssertionError(f"nextCursor still set after {TICKETS * 3} pages: {ids}")


# Properties -----------------------------------------------------------------------------------------

# No shrinking: an example reads up to 25 pages (about 2 s), and shrinking one failure took 5 minutes.
# A failure reports the example as drawn (labelled draws); the unit property test shrinks its own.
# In CI (CI=true) Hypothesis loads its "ci" profile, which these settings inherit: the same examples
# every run (derandomize), so a red build is reproducible; elsewhere each run explores new ones.
NO_SHRINKING = (Phase.explicit, Phase.reuse, Phase.generate)


@settings(max_examples=60, deadline=None, phases=NO_SHRINKING)
@given(data=st.data())
def test_following_next_cursor_returns_each_matching_ticket_once_in_the_sort_order(
    desk: Desk, data: st.DataObject
) -> None:
    # Given any filters, sort, page sizes (changing from page to page) and way of writing lists
    query = data.draw(queries(desk), label="filters")
    sort = data.draw(SORT, label="sort")
    limits = data.draw(st.lists(st.integers(1, 10), min_size=1, max_size=5), label="limits")
    repeat_lists = data.draw(st.booleans(), label="repeated parameters")

    # When every page is read, following nextCursor until it is null
    got = page_through(desk, parameters(query, sort, repeat_lists), limits)

    # Then each ticket the filters match came exactly once, and in the sort order
    assert got == desk.expected(query, sort)


def rewritten(query: Query, sort: str | None, data: st.DataObject) -> dict[str, str | list[str]]:
    """The same query written another way: each list's values shuffled, one of them perhaps twice, sent
    comma-separated or as repeated parameters; a tag in another case."""
    params: dict[str, str | list[str]] = {}
    for name, value in query.items():
        if isinstance(value, list):
            values = data.draw(st.permutations(value), label=f"{name} order")
            if data.draw(st.booleans(), label=f"{name} repeats a value") and len(values) < MAX_FILTER_VALUES:
                values = [*values, values[0]]
            params[name] = values if data.draw(st.booleans(), label=f"{name} repeated") else ",".join(values)
        elif name == "tag":
            params[name] = data.draw(
                st.sampled_from([str(value).lower(), str(value).upper()]), label="tag case"
            )
        else:
            params[name] = _text(value)
    return params | ({"sort": sort} if sort is not None else {})


@settings(max_examples=30, deadline=None, phases=NO_SHRINKING)
@given(data=st.data())
def test_a_cursor_follows_the_same_query_written_another_way_on_every_page(
    desk: Desk, data: st.DataObject
) -> None:
    # Given any filters and sort, and for each page the same query written another way (values of a
    # list in another order or repeated, comma-separated or repeated parameters, a tag in another case)
    query = data.draw(queries(desk), label="filters")
    sort = data.draw(SORT, label="sort")
    rewritings = [rewritten(query, sort, data) for _ in range(3)]

    # When every page is read, following nextCursor until it is null
    got = page_through(desk, rewritings[0], [2], rewritings)

    # Then the cursor is accepted each time, and each matching ticket came exactly once, in order
    assert got == desk.expected(query, sort)


def _same_query(first: Query, first_sort: str | None, second: Query, second_sort: str | None) -> bool:
    """Whether two queries ask for the same thing (lists as sets, tags in any case, the default sort;
    a department in another case is another department)."""

    def normal(query: Query, sort: str | None) -> dict[str, Any]:
        values = {
            name: frozenset(value)
            if isinstance(value, list)
            else str(value).lower()
            if name == "tag"
            else value
            for name, value in query.items()
        }
        return values | {"sort": sort or "-createdAt"}

    return normal(first, first_sort) == normal(second, second_sort)


def _a_first_page(desk: Desk, data: st.DataObject) -> tuple[Query, str | None, str]:
    """A drawn query matching two tickets or more, its sort, and the nextCursor of its first page of one."""
    query = data.draw(queries(desk).filter(lambda drawn: len(desk.expected(drawn, None)) >= 2), label="query")
    sort = data.draw(SORT, label="sort")
    cursor = _ok(desk.acme.list(**parameters(query, sort), limit="1")).json["meta"]["nextCursor"]
    assert cursor, "a query matching two tickets or more has a second page"
    return query, sort, cursor


def _refused(response: ApiResponse) -> None:
    assert response.status == 400, response.json
    assert response.error["code"] == "VALIDATION_ERROR"
    assert "cursor" in response.error_fields()
    assert "data" not in response.json


@settings(max_examples=30, deadline=None, phases=NO_SHRINKING)
@given(data=st.data())
def test_a_cursor_is_refused_with_any_other_filters_or_sort(desk: Desk, data: st.DataObject) -> None:
    # Given the cursor of the first page (of one) of a query matching two tickets or more
    first, first_sort, cursor = _a_first_page(desk, data)

    # When it is sent with a query that asks for something else
    second = data.draw(queries(desk), label="second")
    second_sort = data.draw(SORT, label="second sort")
    assume(not _same_query(first, first_sort, second, second_sort))
    response = desk.acme.list(**parameters(second, second_sort), limit="1", cursor=cursor)

    # Then it is a 400 naming cursor, with no tickets
    _refused(response)


@settings(max_examples=15, deadline=None, phases=NO_SHRINKING)
@given(data=st.data())
def test_a_cursor_is_refused_by_another_tenant_with_the_same_query(desk: Desk, data: st.DataObject) -> None:
    # Given the cursor of acme's first page (of one) of a query matching two tickets or more
    query, sort, cursor = _a_first_page(desk, data)

    # When globex sends it with exactly the same query
    response = desk.globex.list(**parameters(query, sort), limit="1", cursor=cursor)

    # Then it is a 400 naming cursor, and nothing of acme's is shown
    _refused(response)
