"""GET /v1/tickets through the list handler: shape, sort orders, cursor paging, filters, stats, cost."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse
from tickets import clients

STATUSES = {"OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ON_HOLD", "CLOSED"}
PRIORITIES = ["LOW", "MEDIUM", "HIGH", "URGENT", "CRITICAL"]
SORTS = ["createdAt", "-createdAt", "updatedAt", "-updatedAt"]
TAG_A = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
TAG_B = "9c8d7e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


# Helpers -------------------------------------------------------------------------------------------


def _ok(response: ApiResponse, status: int = 200) -> ApiResponse:
    assert response.status == status, response.json
    return response


def _bad_request(response: ApiResponse, *field_names: str) -> None:
    """A 400 VALIDATION_ERROR in the envelope whose details name one of `field_names` ("status.1" names
    status)."""
    assert response.status == 400, response.json
    assert response.json["success"] is False
    assert response.error["code"] == "VALIDATION_ERROR"
    named = {name.split(".")[0] for name in response.error_fields()}
    assert named & set(field_names), response.error


@dataclass
class Desk:
    """Tickets written through the API, remembering the order they were created and last changed."""

    api: Api
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # oldest change first, one entry per ticket
    by_name: dict[str, str] = field(default_factory=dict)
    name_of: dict[str, str] = field(default_factory=dict)

    def _touched(self, ticket_id: str) -> None:
        if ticket_id in self.changed:
            self.changed.remove(ticket_id)
        self.changed.append(ticket_id)

    def create(self, name: str | None = None, customer: str = "user_42", **fields: Any) -> dict[str, Any]:
        name = name or f"#{len(self.created)}"
        ticket = _ok(
            self.api.create({"subject": f"Ticket {name}", "customerExternalId": customer} | fields), 201
        ).data
        self.created.append(ticket["id"])
        self._touched(ticket["id"])
        self.by_name[name] = ticket["id"]
        self.name_of[ticket["id"]] = name
        return ticket  # type: ignore[no-any-return]

    def reply(self, ticket_id: str, role: str = "AGENT", **fields: Any) -> dict[str, Any]:
        body = {"message": f"A reply from the {role.lower()}", "from": {"role": role}} | fields
        result = _ok(self.api.reply(ticket_id, body), 201).data
        self._touched(ticket_id)
        return result["ticket"]  # type: ignore[no-any-return]

    def update(self, ticket_id: str, **changes: Any) -> dict[str, Any]:
        ticket = _ok(self.api.update(ticket_id, changes)).data
        self._touched(ticket_id)
        return ticket  # type: ignore[no-any-return]

    def ids(self, *names: str) -> set[str]:
        return {self.by_name[name] for name in names}

    def names(self, ids: list[str]) -> list[str]:
        """Ticket ids as the names the test gave them (unknown ids as they are), for readable failures."""
        return [self.name_of.get(ticket_id, ticket_id) for ticket_id in ids]

    def newest_first(self, ids: set[str]) -> list[str]:
        return [ticket_id for ticket_id in reversed(self.created) if ticket_id in ids]


def expected_order(desk: Desk, sort: str, ids: set[str] | None = None) -> list[str]:
    """The order a sort promises, from what the test itself did: creation order or last-change order."""
    source = desk.changed if sort.lstrip("-") == "updatedAt" else desk.created
    ordered = [ticket_id for ticket_id in source if ids is None or ticket_id in ids]
    return list(reversed(ordered)) if sort.startswith("-") else ordered


def page_through(
    api: Api, limit: int | list[int], **query: str | list[str]
) -> tuple[list[str], list[ApiResponse]]:
    """Every page of a query, following nextCursor; `limit` may change from page to page."""
    limits = limit if isinstance(limit, list) else [limit]
    ids: list[str] = []
    pages: list[ApiResponse] = []
    cursor: str | None = None
    for number in range(60):
        page_limit = limits[min(number, len(limits) - 1)]
        params: dict[str, str | list[str]] = {**query, "limit": str(page_limit)}
        if cursor is not None:
            params["cursor"] = cursor
        page = _ok(api.list(**params))
        assert page.json["meta"]["limit"] == page_limit
        assert page.json["meta"]["count"] == len(page.data) <= page_limit
        pages.append(page)
        ids.extend(ticket["id"] for ticket in page.data)
        cursor = page.json["meta"]["nextCursor"]
        if cursor is None:
            return ids, pages
    raise AssertionError("nextCursor never became null")


def _flip(text: str, index: int) -> str:
    replacement = "B" if text[index] != "B" else "C"
    return text[:index] + replacement + text[index + 1 :]


# Shape and default order ---------------------------------------------------------------------------


def test_list_returns_summaries_with_page_meta_and_stats_for_every_status(api: Api) -> None:
    # Given two tickets
    desk = Desk(api)
    desk.create("first", priority="HIGH")
    desk.create("second")

    # When the tickets are listed without any parameter
    response = _ok(api.list())

    # Then the envelope holds the summaries, the page meta with the default limit, and the stats
    body = response.json
    assert body["success"] is True
    assert isinstance(body["timestamp"], str)
    assert body["meta"] == {"limit": 25, "count": 2, "nextCursor": None}
    summary = body["data"][0]
    assert summary["id"] == desk.by_name["second"]
    assert summary["ticketNumber"] == "INV-2"
    assert summary["status"] == "OPEN"
    assert summary["customer"]["externalId"] == "user_42"
    assert "messages" not in summary
    stats = body["stats"]
    assert set(stats) == {"total", "open", "closed", "needsResponse", "unassigned", "byStatus"}
    assert set(stats["byStatus"]) == STATUSES
    assert stats["byStatus"] == {
        "OPEN": 2,
        "IN_PROGRESS": 0,
        "WAITING_ON_CUSTOMER": 0,
        "ON_HOLD": 0,
        "CLOSED": 0,
    }
    assert (stats["total"], stats["open"], stats["closed"]) == (2, 2, 0)


def test_list_of_a_tenant_without_tickets_is_empty_with_zero_stats(api: Api) -> None:
    # Given a tenant that has no ticket yet
    # When it lists its tickets
    response = _ok(api.list())

    # Then the page is empty, there is no next page and every counter is zero
    assert response.data == []
    assert response.json["meta"] == {"limit": 25, "count": 0, "nextCursor": None}
    stats = response.json["stats"]
    assert stats["total"] == stats["open"] == stats["closed"] == 0
    assert stats["needsResponse"] == stats["unassigned"] == 0
    assert stats["byStatus"] == dict.fromkeys(STATUSES, 0)


def test_list_defaults_to_newest_first(api: Api) -> None:
    # Given five tickets created one after the other
    desk = Desk(api)
    for _ in range(5):
        desk.create()

    # When they are listed without a sort
    response = _ok(api.list())

    # Then the newest comes first, and the timestamps agree
    assert [ticket["id"] for ticket in response.data] == list(reversed(desk.created))
    created_at = [ticket["createdAt"] for ticket in response.data]
    assert created_at == sorted(created_at, reverse=True)


# Cursor paging in every sort order ------------------------------------------------------------------


def paging_problems(
    api: Api,
    desk: Desk,
    *,
    sort: str,
    limit: int,
    query: dict[str, str | list[str]] | None = None,
    ids: set[str] | None = None,
    full_pages: bool = True,
) -> list[str]:
    """Read every page of a query and say what is wrong with them (nothing: an empty list).
    `ids`: the tickets the query matches (all by default); `full_pages`: every page but the last holds
    `limit` tickets, so there is no trailing empty page either."""
    expected = expected_order(desk, sort, ids)
    got, pages = page_through(api, limit, **(query or {}), sort=sort)
    problems = []
    if got != expected:
        problems.append(f"got {desk.names(got)}, expected {desk.names(expected)}")
    if len(pages) <= 3:
        problems.append(f"only {len(pages)} pages")
    counts = [page.json["meta"]["count"] for page in pages]
    full, rest = divmod(len(expected), limit)
    if full_pages and counts != [limit] * full + ([rest] if rest else []):
        problems.append(f"page sizes {counts}")
    key = sort.lstrip("-")
    stamps = [ticket[key] for page in pages for ticket in page.data]
    if stamps != sorted(stamps, reverse=sort.startswith("-")):
        problems.append(f"{key} out of order: {stamps}")
    return problems


@pytest.fixture
def seventeen(api: Api) -> Desk:
    """17 tickets; 10 of them then changed in a shuffled order, so updatedAt order differs from createdAt."""
    desk = Desk(api)
    for _ in range(17):
        desk.create()
    touched = random.Random(20260418).sample(desk.created, 10)
    # Never MEDIUM, the priority they were created with: a PATCH that changes nothing writes nothing.
    changes = [priority for priority in PRIORITIES if priority != "MEDIUM"]
    for number, ticket_id in enumerate(touched):
        desk.update(ticket_id, priority=changes[number % len(changes)])
    assert desk.changed != desk.created
    return desk


def test_cursor_pages_through_all_tickets_without_gaps_or_repeats_in_every_sort_order(
    api: Api, seventeen: Desk
) -> None:
    # Given 17 tickets whose update order differs from their creation order
    # When every page of 4 is read in each sort order, following nextCursor until it is null
    problems = {sort: paging_problems(api, seventeen, sort=sort, limit=4) for sort in SORTS}

    # Then in each order the pages (4, 4, 4, 4, 1) hold every ticket once, in exactly the promised order
    assert {sort: found for sort, found in problems.items() if found} == {}


@pytest.fixture
def paging_desk(api: Api, seed: Seeder) -> Desk:
    """16 tickets t0..t15, then 8 of them changed again in a shuffled order.

    i % 4 == 3: customer user_7, else user_42.  i % 3 == 0: HIGH, else LOW.
    i % 6 == 1: an agent replied (WAITING_ON_CUSTOMER, awaiting CUSTOMER).
    i % 6 == 4: closed (awaiting NONE).  Otherwise OPEN, awaiting AGENT.
    """
    seed.customer("acme", "user_7", email="jane@acme.com", name="Jane Roe")
    desk = Desk(api)
    for i in range(16):
        customer = "user_7" if i % 4 == 3 else "user_42"
        desk.create(f"t{i}", customer=customer, priority="HIGH" if i % 3 == 0 else "LOW")
    for i in range(16):
        if i % 6 == 1:
            desk.reply(desk.by_name[f"t{i}"])
        elif i % 6 == 4:
            desk.update(desk.by_name[f"t{i}"], status="CLOSED")
    for i in random.Random(7).sample(range(16), 8):
        # A new category: a change of updatedAt that keeps every filter's answer.
        desk.update(desk.by_name[f"t{i}"], category=f"touched {i}")
    return desk


def _names(indexes: list[int]) -> set[str]:
    return {f"t{i}" for i in indexes}


_OPEN = [i for i in range(16) if i % 6 not in (1, 4)]  # 11 tickets
_WAITING = [i for i in range(16) if i % 6 == 1]  # 3 tickets
# name: (query, limit, matching tickets, every page but the last is full)
PAGED_FILTERS: dict[str, tuple[dict[str, str | list[str]], int, set[str], bool]] = {
    "status": ({"status": "OPEN"}, 3, _names(_OPEN), True),
    "status-csv": ({"status": "OPEN,WAITING_ON_CUSTOMER"}, 4, _names(_OPEN + _WAITING), True),
    "status-repeated": ({"status": ["OPEN", "WAITING_ON_CUSTOMER"]}, 4, _names(_OPEN + _WAITING), True),
    "status+priority": ({"status": "OPEN", "priority": "LOW"}, 1, _names([i for i in _OPEN if i % 3]), False),
    "customer+awaiting": (
        {"customerExternalId": "user_42", "awaiting": "AGENT"},
        2,
        _names([i for i in _OPEN if i % 4 != 3]),
        False,
    ),
}


def test_cursor_pages_through_filtered_lists_without_gaps_or_repeats_in_every_sort_order(
    api: Api, paging_desk: Desk
) -> None:
    # Given 16 tickets of which a known subset matches each filter
    # When every page is read for one filter, a two-value filter (as "A,B" and as repeated parameters)
    # and two filters combined, in each sort order
    problems = {}
    for case, (query, limit, names, full_pages) in PAGED_FILTERS.items():
        matching = paging_desk.ids(*names)
        assert len(matching) > 3 * limit, case
        for sort in SORTS:
            problems[f"{case} {sort}"] = paging_problems(
                api, paging_desk, sort=sort, limit=limit, query=query, ids=matching, full_pages=full_pages
            )

    # Then exactly the matching tickets come back, each once, in the promised order, over more than 3 pages
    assert {case: found for case, found in problems.items() if found} == {}


def test_changing_the_limit_between_pages_continues_where_the_last_page_ended(api: Api) -> None:
    # Given 12 tickets
    desk = Desk(api)
    for _ in range(12):
        desk.create()

    # When the first page asks for 4, the second for 5 and the rest for 2
    ids, pages = page_through(api, [4, 5, 2])

    # Then nothing is skipped or repeated
    assert desk.names(ids) == desk.names(expected_order(desk, "-createdAt"))
    assert [page.json["meta"]["count"] for page in pages] == [4, 5, 2, 1]


# Filters -------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_desk(api: Api, seed: Seeder) -> Desk:
    """Nine tickets covering every filter. Final state:

    t1 user_42 LOW      tags A    OPEN                 awaiting AGENT     unassigned
    t2 user_42 HIGH     tags A,B  IN_PROGRESS          awaiting AGENT     agent_n1
    t3 user_7  URGENT   -         WAITING_ON_CUSTOMER  awaiting CUSTOMER  unassigned (not queued)
    t4 user_7  MEDIUM   tags B    WAITING_ON_CUSTOMER  awaiting CUSTOMER  agent_n2
    t5 user_42 CRITICAL -         CLOSED               awaiting NONE      unassigned (closed)
    t6 user_42 MEDIUM   -         OPEN                 awaiting NONE      unassigned (no reply requested)
    t7 user_7  HIGH     tags A    ON_HOLD              awaiting NONE      agent_n1
    t8 user_42 LOW      -         CLOSED               awaiting NONE      agent_n2
    t9 user_7  MEDIUM   -         OPEN                 awaiting AGENT     unassigned (was agent_n1)
    """
    seed.customer("acme", "user_7", email="jane@acme.com", name="Jane Roe")
    seed.agent("acme", agent_id="agent_n2", name="Agent N2")
    desk = Desk(api)
    desk.create("t1", priority="LOW", tagIds=[TAG_A])
    t2 = desk.create("t2", priority="HIGH", tagIds=[TAG_A, TAG_B])["id"]
    t3 = desk.create("t3", customer="user_7", priority="URGENT")["id"]
    t4 = desk.create("t4", customer="user_7", priority="MEDIUM", tagIds=[TAG_B])["id"]
    t5 = desk.create("t5", priority="CRITICAL")["id"]
    desk.create("t6", priority="MEDIUM", replyRequested=False)
    t7 = desk.create("t7", customer="user_7", priority="HIGH", tagIds=[TAG_A])["id"]
    t8 = desk.create("t8", priority="LOW")["id"]
    t9 = desk.create("t9", customer="user_7", priority="MEDIUM")["id"]
    assert desk.update(t2, assignedAgentId="agent_n1")["status"] == "IN_PROGRESS"
    assert desk.reply(t3)["status"] == "WAITING_ON_CUSTOMER"
    desk.update(t4, assignedAgentId="agent_n2")
    assert desk.reply(t4)["status"] == "WAITING_ON_CUSTOMER"
    assert desk.update(t5, status="CLOSED")["status"] == "CLOSED"
    desk.update(t7, assignedAgentId="agent_n1")
    assert desk.update(t7, status="ON_HOLD")["status"] == "ON_HOLD"
    desk.update(t8, assignedAgentId="agent_n2")
    assert desk.update(t8, status="CLOSED")["status"] == "CLOSED"
    desk.update(t9, assignedAgentId="agent_n1")
    assert desk.update(t9, assignedAgentId=None)["status"] == "OPEN"
    return desk


Query = dict[str, str | list[str]]
SINGLE_FILTERS: dict[str, tuple[Query, set[str]]] = {
    "one status": ({"status": "OPEN"}, {"t1", "t6", "t9"}),
    "closed": ({"status": "CLOSED"}, {"t5", "t8"}),
    "two statuses": ({"status": "OPEN,WAITING_ON_CUSTOMER"}, {"t1", "t3", "t4", "t6", "t9"}),
    "two statuses repeated": ({"status": ["IN_PROGRESS", "ON_HOLD"]}, {"t2", "t7"}),
    "three statuses": ({"status": "IN_PROGRESS,ON_HOLD,CLOSED"}, {"t2", "t5", "t7", "t8"}),
    "one priority": ({"priority": "CRITICAL"}, {"t5"}),
    "two priorities": ({"priority": "HIGH,URGENT"}, {"t2", "t3", "t7"}),
    "two priorities repeated": ({"priority": ["LOW", "MEDIUM"]}, {"t1", "t4", "t6", "t8", "t9"}),
    "customer user_42": ({"customerExternalId": "user_42"}, {"t1", "t2", "t5", "t6", "t8"}),
    "customer user_7": ({"customerExternalId": "user_7"}, {"t3", "t4", "t7", "t9"}),
    "unknown customer": ({"customerExternalId": "user_nobody"}, set()),
    "agent_n1": ({"assignedAgentId": "agent_n1"}, {"t2", "t7"}),
    "agent_n2": ({"assignedAgentId": "agent_n2"}, {"t4", "t8"}),
    "unassigned (the queue: OPEN only)": ({"unassigned": "true"}, {"t1", "t6", "t9"}),
    "awaiting agent": ({"awaiting": "AGENT"}, {"t1", "t2", "t9"}),
    "awaiting customer": ({"awaiting": "CUSTOMER"}, {"t3", "t4"}),
    "tag A": ({"tag": TAG_A}, {"t1", "t2", "t7"}),
    "tag B in upper case": ({"tag": TAG_B.upper()}, {"t2", "t4"}),
}
COMBINED_FILTERS: dict[str, tuple[Query, set[str]]] = {
    "status+priority": ({"status": "OPEN", "priority": "LOW"}, {"t1"}),
    "customer+awaiting": ({"customerExternalId": "user_42", "awaiting": "AGENT"}, {"t1", "t2"}),
    "status+agent": ({"status": "CLOSED", "assignedAgentId": "agent_n2"}, {"t8"}),
    "tag+unassigned": ({"tag": TAG_A, "unassigned": "true"}, {"t1"}),
    "priorities+customer+status": (
        {"priority": "MEDIUM,LOW", "customerExternalId": "user_7", "status": "OPEN"},
        {"t9"},
    ),
    "two statuses+tag": ({"status": "OPEN,IN_PROGRESS", "tag": TAG_A}, {"t1", "t2"}),
}


def filter_problems(api: Api, desk: Desk, cases: dict[str, tuple[Query, set[str]]]) -> dict[str, str]:
    """Each case's answer, where it differs from the matching tickets newest first."""
    problems = {}
    for case, (query, names) in cases.items():
        response = _ok(api.list(**query))
        got = desk.names([ticket["id"] for ticket in response.data])
        expected = desk.names(desk.newest_first(desk.ids(*names)))
        meta = response.json["meta"]
        if got != expected or meta["count"] != len(names) or meta["nextCursor"] is not None:
            problems[case] = f"got {got} ({meta}), expected {expected}"
        if response.json["stats"]["total"] != len(desk.created):
            problems[case + " stats"] = f"stats {response.json['stats']} do not cover the whole desk"
    return problems


def test_each_filter_kind_returns_exactly_the_matching_tickets_newest_first(
    api: Api, mixed_desk: Desk
) -> None:
    # Given nine tickets in known states
    # When the list is filtered by each status, priority, customer, agent, queue, awaiting party and tag
    problems = filter_problems(api, mixed_desk, SINGLE_FILTERS)

    # Then each answer is exactly the matching tickets, newest first, with stats for the whole desk
    assert problems == {}


def test_combined_filters_return_only_tickets_matching_all_of_them(api: Api, mixed_desk: Desk) -> None:
    # Given nine tickets in known states
    # When the list is filtered by two or three filters at once
    problems = filter_problems(api, mixed_desk, COMBINED_FILTERS)

    # Then each answer is exactly the tickets that match every filter, newest first
    assert problems == {}


@pytest.mark.parametrize(
    "parked",
    [
        pytest.param({"status": "CLOSED"}, id="closed"),
        pytest.param({"status": "ON_HOLD"}, id="on hold"),
        pytest.param({"status": "WAITING_ON_CUSTOMER"}, id="waiting on the customer"),
    ],
)
def test_the_unassigned_queue_holds_only_open_tickets_and_takes_them_back_when_open_again(
    api: Api, parked: dict[str, str]
) -> None:
    # Given an OPEN unassigned ticket, and an unassigned one that is closed, on hold or awaiting its customer
    desk = Desk(api)
    waiting = desk.create()["id"]
    other = desk.create()["id"]
    desk.update(other, **parked)

    # When the unassigned queue is listed
    response = _ok(api.list(unassigned="true"))

    # Then only the OPEN one is in it, and the stats count only it
    assert [ticket["id"] for ticket in response.data] == [waiting]
    assert response.json["stats"]["unassigned"] == 1
    # And making the other one OPEN again puts it back in the queue
    desk.update(other, status="OPEN")
    reopened = _ok(api.list(unassigned="true"))
    assert [ticket["id"] for ticket in reopened.data] == [other, waiting]
    assert reopened.json["stats"]["unassigned"] == 2


@pytest.fixture
def since_desk(api: Api) -> tuple[Desk, str]:
    """a..e created; b changed (its updatedAt is the cutoff); f created; a changed."""
    desk = Desk(api)
    for name in "abcde":
        desk.create(name)
    cutoff = desk.update(desk.by_name["b"], priority="HIGH")["updatedAt"]
    desk.create("f")
    desk.update(desk.by_name["a"], priority="LOW")
    return desk, cutoff


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("updatedAt", ["b", "f", "a"]),
        ("-updatedAt", ["a", "f", "b"]),
        ("-createdAt", ["f", "b", "a"]),
        ("createdAt", ["a", "b", "f"]),
        # b became HIGH, f is MEDIUM, a became LOW; all are OPEN, so by status they go by creation
        ("-priority", ["b", "f", "a"]),
        ("priority", ["a", "f", "b"]),
        ("status", ["a", "b", "f"]),
        ("-status", ["f", "b", "a"]),
    ],
)
def test_updated_since_returns_only_tickets_changed_at_or_after_the_instant(
    api: Api, since_desk: tuple[Desk, str], sort: str, names: list[str]
) -> None:
    # Given tickets changed before, exactly at, and after an instant
    desk, cutoff = since_desk

    # When the list asks for changes since that instant, one ticket per page
    ids, pages = page_through(api, 1, updatedSince=cutoff, sort=sort)

    # Then the ticket changed exactly at the instant and those changed later come back, in the sort order
    assert desk.names(ids) == names
    assert len(pages) == 3


def test_updated_since_with_the_default_sort_is_newest_first(api: Api, since_desk: tuple[Desk, str]) -> None:
    # Given tickets changed before, exactly at, and after an instant
    desk, cutoff = since_desk

    # When the list asks for changes since then without a sort
    response = _ok(api.list(updatedSince=cutoff))

    # Then the changed tickets come back newest first
    assert [ticket["id"] for ticket in response.data] == [desk.by_name[name] for name in "fba"]


@pytest.mark.parametrize(
    "written",
    [
        pytest.param(lambda shifted: shifted, id="+02:00"),
        pytest.param(lambda shifted: shifted.replace("+", " "), id="+ sent unencoded"),
    ],
)
def test_updated_since_accepts_the_same_instant_in_another_time_zone(
    api: Api, since_desk: tuple[Desk, str], written: Callable[[str], str]
) -> None:
    # Given the cutoff instant written with a +02:00 offset instead of Z (or with that "+" sent unencoded
    # in the query string, which makes it a space)
    desk, cutoff = since_desk
    instant = datetime.fromisoformat(cutoff.replace("Z", "+00:00"))
    shifted = written(instant.astimezone(timezone(timedelta(hours=2))).isoformat())
    assert shifted.endswith("02:00")

    # When the list is filtered with it
    response = _ok(api.list(updatedSince=shifted, sort="updatedAt"))

    # Then it means the same instant
    assert [ticket["id"] for ticket in response.data] == [desk.by_name[name] for name in "bfa"]


def test_updated_since_combines_with_a_status_filter(api: Api, since_desk: tuple[Desk, str]) -> None:
    # Given tickets changed since an instant, one of which is then closed
    desk, cutoff = since_desk
    desk.update(desk.by_name["f"], status="CLOSED")

    # When the open tickets changed since the instant are listed by update
    response = _ok(api.list(updatedSince=cutoff, status="OPEN", sort="updatedAt"))

    # Then only the open ones come back
    assert [ticket["id"] for ticket in response.data] == [desk.by_name["b"], desk.by_name["a"]]


# Department and first response ---------------------------------------------------------------------


@pytest.fixture
def department_desk(api: Api) -> Desk:
    """d1 Billing, unanswered; d2 billing (lower case), answered by an agent; d3 Billing, answered;
    d4 no department, only an agent's internal note; d5 "Billing, EMEA", only the customer wrote back;
    d6 Billing, answered, then closed."""
    desk = Desk(api)
    desk.create("d1", department="Billing")
    desk.reply(desk.create("d2", department="billing")["id"])
    desk.reply(desk.create("d3", department="Billing")["id"])
    desk.reply(desk.create("d4")["id"], internal=True)
    desk.reply(desk.create("d5", department="Billing, EMEA")["id"], role="CUSTOMER")
    d6 = desk.create("d6", department="Billing")["id"]
    desk.reply(d6)
    desk.update(d6, status="CLOSED")
    return desk


DEPARTMENT_AND_REPLY_FILTERS: dict[str, tuple[Query, set[str]]] = {
    "department, exact and case-sensitive": ({"department": "Billing"}, {"d1", "d3", "d6"}),
    "department in lower case": ({"department": "billing"}, {"d2"}),
    "department with a comma": ({"department": "Billing, EMEA"}, {"d5"}),
    "unknown department": ({"department": "Shipping"}, set()),
    "answered by an agent": ({"hasAgentReply": "true"}, {"d2", "d3", "d6"}),
    "not answered (an internal note is no answer)": ({"hasAgentReply": "false"}, {"d1", "d4", "d5"}),
    "department, not answered": ({"department": "Billing", "hasAgentReply": "false"}, {"d1"}),
    "department and a status": ({"department": "Billing", "status": "CLOSED"}, {"d6"}),
    "answered and awaiting the customer": ({"hasAgentReply": "true", "awaiting": "CUSTOMER"}, {"d2", "d3"}),
    "not answered and awaiting an agent": (
        {"hasAgentReply": "false", "awaiting": "AGENT"},
        {"d1", "d4", "d5"},
    ),
}


def test_department_and_has_agent_reply_filter_the_list_alone_and_with_other_filters(
    api: Api, department_desk: Desk
) -> None:
    # Given tickets of departments written alike but not the same, answered by an agent or not
    # When the list is filtered by department, by hasAgentReply, and by them with other filters
    problems = filter_problems(api, department_desk, DEPARTMENT_AND_REPLY_FILTERS)

    # Then each answer is exactly the matching tickets, newest first, with stats for the whole desk
    assert problems == {}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"department": "Billing"}, ["d1", "d3", "d6"]),
        ({"hasAgentReply": "true", "sort": "-status"}, ["d6", "d3", "d2"]),
    ],
)
def test_department_and_has_agent_reply_page_with_the_cursor_in_any_sort(
    api: Api, department_desk: Desk, query: Query, names: list[str]
) -> None:
    # Given three Billing tickets and three answered ones, among others
    # When every page of one ticket is read (oldest first for the department; by status for the answered)
    ids, pages = page_through(api, 1, **({"sort": "createdAt"} | query))

    # Then each comes once, in the sort's order
    assert department_desk.names(ids) == names
    assert [page.json["meta"]["count"] for page in pages] == [1, 1, 1]


@pytest.mark.parametrize("value", ["yes", "1", "0", "TRUE", "False", "", "true,false", "null"])
def test_has_agent_reply_takes_only_true_or_false(api: Api, value: str) -> None:
    # When the list is asked with hasAgentReply other than true or false
    response = api.list(hasAgentReply=value)

    # Then it is a 400 VALIDATION_ERROR naming hasAgentReply, with no tickets
    _bad_request(response, "hasAgentReply")
    assert "data" not in response.json


@pytest.mark.parametrize("value", ["", "x" * 129, "Billing\nEMEA", " "])
def test_a_department_that_no_ticket_could_have_is_a_400(api: Api, value: str) -> None:
    # When the list is asked for an empty, blank, multi-line or over-long department (longer than 128,
    # the most a ticket's department holds)
    response = api.list(department=value)

    # Then it is a 400 VALIDATION_ERROR naming department
    _bad_request(response, "department")


# Sorted by priority and by status ------------------------------------------------------------------

STATUS_RANKS = ["OPEN", "IN_PROGRESS", "WAITING_ON_CUSTOMER", "ON_HOLD", "CLOSED"]
RANKED_SORTS = ["priority", "-priority", "status", "-status"]
# name: (priority, final status, customer), in the order the tickets are created.
RANKED: dict[str, tuple[str, str, str]] = {
    "r0": ("LOW", "OPEN", "user_42"),
    "r1": ("HIGH", "CLOSED", "user_7"),
    "r2": ("CRITICAL", "OPEN", "user_42"),
    "r3": ("HIGH", "OPEN", "user_7"),
    "r4": ("MEDIUM", "ON_HOLD", "user_42"),
    "r5": ("LOW", "WAITING_ON_CUSTOMER", "user_42"),
    "r6": ("HIGH", "IN_PROGRESS", "user_7"),
    "r7": ("URGENT", "OPEN", "user_42"),
    "r8": ("HIGH", "WAITING_ON_CUSTOMER", "user_42"),
    "r9": ("LOW", "CLOSED", "user_7"),
    "r10": ("CRITICAL", "IN_PROGRESS", "user_42"),
    "r11": ("MEDIUM", "OPEN", "user_7"),
}


@pytest.fixture
def ranked_desk(api: Api, seed: Seeder) -> Desk:
    """The twelve tickets of RANKED: every priority (four HIGH ones, created apart) and every status
    (IN_PROGRESS by assigning agent_n1, WAITING_ON_CUSTOMER by an agent's reply), interleaved in time."""
    seed.customer("acme", "user_7", email="jane@acme.com", name="Jane Roe")
    desk = Desk(api)
    for name, (priority, _, customer) in RANKED.items():
        desk.create(name, customer=customer, priority=priority)
    for name, (_, status, _) in RANKED.items():
        ticket_id = desk.by_name[name]
        if status == "IN_PROGRESS":
            assert desk.update(ticket_id, assignedAgentId="agent_n1")["status"] == status
        elif status == "WAITING_ON_CUSTOMER":
            assert desk.reply(ticket_id)["status"] == status
        elif status != "OPEN":
            desk.update(ticket_id, status=status)
    return desk


def ranked_order(desk: Desk, sort: str) -> list[str]:
    """The names in the order a priority or status sort promises, from RANKED: by the rank of the
    field (LOW..CRITICAL, OPEN..CLOSED), then by creation, both in the sort's direction."""
    by_priority = sort.lstrip("-") == "priority"
    ranks = PRIORITIES if by_priority else STATUS_RANKS

    def key(name: str) -> tuple[int, int]:
        priority, status, _ = RANKED[name]
        return ranks.index(priority if by_priority else status), list(RANKED).index(name)

    return sorted(RANKED, key=key, reverse=sort.startswith("-"))


@pytest.mark.parametrize("sort", RANKED_SORTS)
def test_sort_by_priority_or_status_pages_by_rank_then_creation_in_the_sort_direction(
    api: Api, ranked_desk: Desk, sort: str
) -> None:
    # Given twelve tickets of every priority and status, created interleaved
    # When every page of 3 is read with the sort, following nextCursor until it is null
    ids, pages = page_through(api, 3, sort=sort)

    # Then the tickets come by rank, and by creation within a rank, both in the sort's direction, over
    # four full pages and no empty one after them
    assert ranked_desk.names(ids) == ranked_order(ranked_desk, sort)
    assert [page.json["meta"]["count"] for page in pages] == [3, 3, 3, 3]
    field_name = sort.lstrip("-")
    ranks = PRIORITIES if field_name == "priority" else STATUS_RANKS
    shown = [ranks.index(ticket[field_name]) for page in pages for ticket in page.data]
    assert shown == sorted(shown, reverse=sort.startswith("-"))


@pytest.mark.parametrize(
    ("sort", "names"),
    [("-priority", ["r8", "r6", "r3", "r1"]), ("priority", ["r1", "r3", "r6", "r8"])],
)
def test_tickets_of_the_same_priority_follow_their_creation_in_the_sort_direction(
    api: Api, ranked_desk: Desk, sort: str, names: list[str]
) -> None:
    # Given four HIGH tickets created apart, among others
    # When the list is sorted by priority, two tickets a page
    ids, _ = page_through(api, 2, sort=sort)

    # Then the HIGH ones come together: newest first for -priority, oldest first for priority
    listed = ranked_desk.names(ids)
    first = listed.index(names[0])
    assert listed[first : first + len(names)] == names
    # And their createdAt says so
    created = [ticket["createdAt"] for ticket in _ok(api.list(sort=sort, priority="HIGH")).data]
    assert created == sorted(created, reverse=sort.startswith("-"))


RANKED_WITH_FILTERS: dict[str, tuple[Query, list[str]]] = {
    "-priority, status OPEN": ({"sort": "-priority", "status": "OPEN"}, ["r2", "r7", "r3", "r11", "r0"]),
    "-priority, two priorities": (
        {"sort": "-priority", "priority": "HIGH,URGENT"},
        ["r7", "r8", "r6", "r3", "r1"],
    ),
    "priority, two priorities and a status": (
        {"sort": "priority", "priority": ["CRITICAL", "LOW"], "status": "OPEN"},
        ["r0", "r2"],
    ),
    "status, a customer": (
        {"sort": "status", "customerExternalId": "user_7"},
        ["r3", "r11", "r6", "r1", "r9"],
    ),
    "-status, two statuses": (
        {"sort": "-status", "status": "OPEN,CLOSED"},
        ["r9", "r1", "r11", "r7", "r3", "r2", "r0"],
    ),
    "-priority, the queue": ({"sort": "-priority", "unassigned": "true"}, ["r2", "r7", "r3", "r11", "r0"]),
    "status, an agent": ({"sort": "status", "assignedAgentId": "agent_n1"}, ["r6", "r10"]),
    "-status, awaiting the customer and a priority": (
        {"sort": "-status", "awaiting": "CUSTOMER", "priority": "LOW"},
        ["r5"],
    ),
}


def test_sort_by_priority_or_status_combines_with_every_other_filter(api: Api, ranked_desk: Desk) -> None:
    # Given twelve tickets of every priority and status
    # When the list is sorted by priority or status with other filters, two tickets a page
    problems = {}
    for case, (query, names) in RANKED_WITH_FILTERS.items():
        ids, pages = page_through(api, 2, **query)
        # Then exactly the matching tickets come back, each once, in the sort's order
        if ranked_desk.names(ids) != names:
            problems[case] = f"got {ranked_desk.names(ids)}, expected {names}"
        if pages[-1].json["stats"]["total"] != len(RANKED):
            problems[case + " stats"] = "stats do not cover the whole desk"
    assert problems == {}


@pytest.fixture
def first_priority_page(ranked_desk: Desk, api: Api) -> str:
    """The nextCursor of the first page of sort=-priority, limit 2."""
    cursor = _ok(api.list(sort="-priority", limit="2")).json["meta"]["nextCursor"]
    assert cursor
    return cursor  # type: ignore[no-any-return]


def test_a_priority_sort_cursor_continues_with_the_same_sort(
    api: Api, ranked_desk: Desk, first_priority_page: str
) -> None:
    # Given the cursor of the first page of sort=-priority, limit 2 (r2 and r10, the CRITICAL ones)
    # When it is sent back with the same sort and a larger page
    response = _ok(api.list(sort="-priority", limit="3", cursor=first_priority_page))

    # Then the next page starts at the URGENT ticket and goes on with the HIGH ones, newest first
    assert ranked_desk.names([ticket["id"] for ticket in response.data]) == ["r7", "r8", "r6"]


# Validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_accepts_the_bounds_1_and_100(api: Api, limit: str) -> None:
    # Given two tickets
    desk = Desk(api)
    desk.create()
    desk.create()

    # When the list asks for the smallest or the largest page
    response = _ok(api.list(limit=limit))

    # Then the page holds at most that many
    assert response.json["meta"]["limit"] == int(limit)
    assert response.json["meta"]["count"] == min(2, int(limit))
    assert (response.json["meta"]["nextCursor"] is None) == (limit == "100")


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "2.5"])
def test_limit_out_of_range_or_not_a_number_is_rejected(api: Api, limit: str) -> None:
    # When the list asks for an impossible page size
    response = api.list(limit=limit)

    # Then it is a 400 naming limit
    _bad_request(response, "limit")


@pytest.mark.parametrize(
    ("query", "field_name"),
    [
        ({"page": "2"}, "page"),
        ({"statuses": "OPEN"}, "statuses"),
        ({"customer_external_id": "user_42"}, "customer_external_id"),
        ({"status": "PENDING"}, "status"),
        ({"status": "OPEN,DONE"}, "status"),
        ({"priority": "HIGHEST"}, "priority"),
        ({"sort": "department"}, "sort"),
        ({"sort": "PRIORITY"}, "sort"),
        ({"sort": "+status"}, "sort"),
        ({"awaiting": "SOMEONE"}, "awaiting"),
        ({"tag": "not-a-uuid"}, "tag"),
        ({"updatedSince": "yesterday"}, "updatedSince"),
        ({"updatedSince": "2026-04-18T10:00:00"}, "updatedSince"),
        ({"cursor": ""}, "cursor"),
        ({"cursor": "x" * 5000}, "cursor"),
        ({"status": ""}, "status"),
        ({"status": "OPEN,CLOSED,ON_HOLD,IN_PROGRESS,WAITING_ON_CUSTOMER,OPEN"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
    ],
)
def test_invalid_or_unknown_query_parameter_is_a_400_naming_it(
    api: Api, query: dict[str, str], field_name: str
) -> None:
    # When the list is asked with one bad or unknown parameter
    response = api.list(**query)

    # Then it is a 400 in the envelope, naming that parameter
    _bad_request(response, field_name)


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"unassigned": "false"}, ["unassigned"]),
        ({"awaiting": "NONE"}, ["awaiting"]),
    ],
)
def test_filter_values_the_list_cannot_answer_are_a_400_naming_the_filter(
    api: Api, query: dict[str, str], fields: list[str]
) -> None:
    # When the list is asked with unassigned=false or awaiting=NONE
    response = api.list(**query)

    # Then it is a 400 VALIDATION_ERROR whose details name the query parameter (not an internal name)
    _bad_request(response, *fields)


def test_an_agent_and_the_unassigned_queue_together_match_nothing(api: Api) -> None:
    # Given an unassigned ticket and one assigned to agent_n1
    desk = Desk(api)
    desk.create()
    desk.update(desk.create()["id"], assignedAgentId="agent_n1")

    # When the list asks for agent_n1's tickets that are also unassigned (filters combine with AND)
    response = _ok(api.list(unassigned="true", assignedAgentId="agent_n1"))

    # Then no ticket is both: an empty page, with the tenant's stats
    assert response.data == []
    assert response.json["meta"]["nextCursor"] is None
    assert response.json["stats"]["total"] == 2


# Cursors -------------------------------------------------------------------------------------------


@pytest.fixture
def first_open_page(api: Api) -> str:
    """The nextCursor of the first page of status=OPEN, limit 2, among five open tickets."""
    desk = Desk(api)
    for _ in range(5):
        desk.create()
    cursor = _ok(api.list(status="OPEN", limit="2")).json["meta"]["nextCursor"]
    assert cursor
    return cursor  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("first", "query"),
    [
        ({"status": "OPEN"}, {"status": "CLOSED"}),
        ({"status": "OPEN"}, {"status": "OPEN,CLOSED"}),
        ({"status": "OPEN"}, {}),
        ({"status": "OPEN"}, {"status": "OPEN", "priority": "HIGH"}),
        ({"status": "OPEN"}, {"status": "OPEN", "sort": "createdAt"}),
        ({"status": "OPEN"}, {"status": "OPEN", "sort": "-updatedAt"}),
        ({"status": "OPEN"}, {"status": "OPEN", "sort": "status"}),
        ({"status": "OPEN"}, {"customerExternalId": "user_42"}),
        ({"sort": "-priority"}, {"sort": "priority"}),
        ({"sort": "-priority"}, {"sort": "-status"}),
        ({"sort": "-priority"}, {"sort": "status"}),
        ({"sort": "-priority"}, {}),
        ({"sort": "-priority"}, {"sort": "-createdAt"}),
        ({"sort": "-priority"}, {"sort": "-priority", "status": "OPEN"}),
        ({"department": "Billing"}, {"department": "billing"}),
        ({"department": "Billing"}, {}),
        ({"hasAgentReply": "false"}, {"hasAgentReply": "true"}),
        ({"hasAgentReply": "false"}, {}),
    ],
)
def test_a_cursor_reused_with_other_filters_or_sort_is_rejected(
    api: Api, first: dict[str, str], query: dict[str, str]
) -> None:
    # Given five open unanswered Billing tickets, and the cursor of the first page of 2 of a query
    desk = Desk(api)
    for _ in range(5):
        desk.create(department="Billing")
    cursor = _ok(api.list(**first, limit="2")).json["meta"]["nextCursor"]
    assert cursor

    # When it is sent with another filter (a department in another case, the other answer) or sort
    response = api.list(**query, limit="2", cursor=cursor)

    # Then it is a 400 naming cursor
    _bad_request(response, "cursor")


def test_a_cursor_reused_with_the_same_query_and_explicit_default_sort_is_accepted(
    api: Api, first_open_page: str
) -> None:
    # Given the cursor of a status=OPEN page (default sort)
    # When the same query is sent with the default sort written out
    response = api.list(status="OPEN", sort="-createdAt", limit="2", cursor=first_open_page)

    # Then it continues the list
    assert _ok(response).json["meta"]["count"] == 2


def test_a_tampered_cursor_is_rejected(api: Api, first_open_page: str) -> None:
    # Given a cursor with one character of its payload changed
    body, _, signature = first_open_page.partition(".")
    tampered_body = _flip(body, len(body) // 2) + "." + signature
    tampered_signature = body + "." + _flip(signature, 3)

    # When each is sent back with the same query
    # Then each is a 400 naming cursor
    for cursor in (tampered_body, tampered_signature):
        assert cursor != first_open_page
        _bad_request(api.list(status="OPEN", limit="2", cursor=cursor), "cursor")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "abc.def",
        "a.b",
        "....",
        "%00",
        "eyJ2IjoxLCJwIjpbbnVsbF19",
        "eyJ2IjoxLCJwIjpbbnVsbF19.",
        "é.é",
    ],
)
def test_a_garbage_cursor_is_rejected(api: Api, cursor: str) -> None:
    # Given one open ticket
    Desk(api).create()

    # When the list is asked with a cursor it never issued
    response = api.list(status="OPEN", cursor=cursor)

    # Then it is a 400 naming cursor
    _bad_request(response, "cursor")


# Stats ---------------------------------------------------------------------------------------------


def test_stats_are_exact_after_a_mixed_sequence_of_creates_replies_assignments_closes_and_reopens(
    api: Api,
) -> None:
    # Given eight tickets taken through replies, assignments, closes and reopens
    desk = Desk(api)
    a, b, c, d, e, f = (desk.create(name)["id"] for name in "abcdef")
    g = desk.create("g", replyRequested=False)["id"]
    h = desk.create("h")["id"]
    desk.reply(a)  # a: WAITING_ON_CUSTOMER, awaiting CUSTOMER, unassigned but not queued
    desk.update(b, assignedAgentId="agent_n1")  # b: IN_PROGRESS, awaiting AGENT
    desk.reply(b, internal=True)  # an internal note changes nothing
    desk.update(c, assignedAgentId="agent_n1")
    desk.reply(c)
    desk.reply(c, role="CUSTOMER")  # c: IN_PROGRESS, awaiting AGENT
    desk.update(d, status="CLOSED")  # d: CLOSED, awaiting NONE, unassigned but closed
    desk.update(e, status="CLOSED")
    desk.reply(e, role="CUSTOMER")  # e: reopened by the customer: OPEN, awaiting AGENT
    desk.update(f, status="CLOSED")
    desk.update(f, status="OPEN")  # f: reopened: OPEN, awaiting AGENT
    desk.update(g, status="ON_HOLD")  # g: ON_HOLD, awaiting NONE, unassigned but not queued
    desk.update(h, assignedAgentId="agent_n1")
    desk.update(h, status="CLOSED")  # h: CLOSED, assigned

    # When the list is read (with and without a filter)
    stats = _ok(api.list()).json["stats"]
    filtered_stats = _ok(api.list(status="CLOSED")).json["stats"]

    # Then every counter is exact, whatever the filter
    assert stats == {
        "total": 8,
        "open": 6,
        "closed": 2,
        "needsResponse": 4,  # b, c, e, f
        "unassigned": 2,  # e, f (OPEN and without an agent: the queue)
        "byStatus": {"OPEN": 2, "IN_PROGRESS": 2, "WAITING_ON_CUSTOMER": 1, "ON_HOLD": 1, "CLOSED": 2},
    }
    assert filtered_stats == stats
    # And the lists agree with the counters
    assert {t["id"] for t in _ok(api.list(awaiting="AGENT")).data} == {b, c, e, f}
    assert {t["id"] for t in _ok(api.list(unassigned="true")).data} == {e, f}
    assert {t["id"] for t in _ok(api.list(status="CLOSED")).data} == {d, h}


# Cost ----------------------------------------------------------------------------------------------


@dataclass
class DynamoCalls:
    operations: list[str] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    scanned: list[int] = field(default_factory=list)

    def stats_reads(self) -> list[int]:
        return [
            n
            for n, r in zip(self.scanned, self.requests, strict=True)
            if ":prefix" in r.get("ExpressionAttributeValues", {})
        ]

    def list_reads(self) -> list[int]:
        return [
            n
            for n, r, operation in zip(self.scanned, self.requests, self.operations, strict=True)
            if operation == "Query" and ":prefix" not in r.get("ExpressionAttributeValues", {})
        ]

    def tickets_read(self) -> list[int]:
        """Tickets asked for by key (BatchGetItem), per call: a page's tickets, read after its entries."""
        return [
            sum(len(wanted["Keys"]) for wanted in r["RequestItems"].values())
            for r, operation in zip(self.requests, self.operations, strict=True)
            if operation == "BatchGetItem"
        ]


@contextmanager
def counted_dynamodb_calls() -> Iterator[DynamoCalls]:
    """Every DynamoDB call the package makes, with the items each Query read (ScannedCount)."""
    client = clients.dynamodb()
    calls = DynamoCalls()

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.operations.append(model.name)
        calls.requests.append(dict(params))

    def after(parsed: dict[str, Any], **_: Any) -> None:
        calls.scanned.append(int(parsed.get("ScannedCount", len(parsed.get("Items", [])))))

    client.meta.events.register("provide-client-params.dynamodb", before)
    client.meta.events.register("after-call.dynamodb", after)
    try:
        yield calls
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb", before)
        client.meta.events.unregister("after-call.dynamodb", after)


@pytest.fixture
def sixty(api: Api) -> Desk:
    """60 tickets of user_42: 3 closed, 2 HIGH, the rest LOW."""
    desk = Desk(api)
    for i in range(60):
        desk.create(f"t{i}", priority="HIGH" if i in (5, 40) else "LOW")
    for i in (3, 30, 59):
        desk.update(desk.by_name[f"t{i}"], status="CLOSED")
    return desk


def _every_page(api: Api, query: Query, *, limit: int, most: int) -> list[tuple[Any, int]]:
    """Every page of a query, following nextCursor until it is null (within `most` pages), each with
    what its list Queries read (entries; tickets, in update order)."""
    pages: list[tuple[Any, int]] = []
    cursor: str | None = None
    for _ in range(most):
        with counted_dynamodb_calls() as calls:
            page = _ok(api.list(**query, limit=str(limit), **({"cursor": cursor} if cursor else {})))
        pages.append((page, sum(calls.list_reads())))
        cursor = page.json["meta"]["nextCursor"]
        if cursor is None:
            return pages
    raise AssertionError(f"{query}: still a nextCursor after {most} pages")


# A single filter (or none), and how many tickets its first page of 10 holds.
COST_QUERIES: list[tuple[Query, int]] = [
    ({}, 10),
    ({"status": "CLOSED"}, 3),
    ({"status": "OPEN"}, 10),
    ({"priority": "HIGH"}, 2),
    ({"sort": "updatedAt"}, 10),
    ({"updatedSince": "2026-01-01T00:00:00Z", "sort": "-updatedAt"}, 10),
    ({"unassigned": "true"}, 10),
    ({"awaiting": "AGENT", "sort": "createdAt"}, 10),
]


def test_a_single_filter_page_reads_at_most_limit_plus_one_entries_and_the_stats(
    api: Api, sixty: Desk
) -> None:
    # Given 60 tickets, few of them closed or HIGH
    problems: dict[str, list[str]] = {}
    for query, expected_count in COST_QUERIES:
        # When a page of 10 is read, and then the next page when there is one
        with counted_dynamodb_calls() as first:
            page = _ok(api.list(**query, limit="10"))
        measured = [("page 1", first)]
        cursor = page.json["meta"]["nextCursor"]
        if cursor:
            with counted_dynamodb_calls() as second:
                _ok(api.list(**query, limit="10", cursor=cursor))
            measured.append(("page 2", second))

        # Then each page costs one Query of its list (at most limit + 1 entries read), one BatchGetItem
        # of its tickets (at most limit; none in the update order, whose entries are the tickets), and
        # one read of the stats shards (at most 10 items); nothing else (no Scan)
        found = []
        if page.json["meta"]["count"] != expected_count:
            found.append(f"count {page.json['meta']['count']} != {expected_count}")
        for label, calls in measured:
            if calls.operations.count("Query") != 2 or not set(calls.operations) <= {"Query", "BatchGetItem"}:
                found.append(f"{label}: calls {calls.operations}")
            if len(calls.tickets_read()) > 1 or sum(calls.tickets_read()) > 10:
                found.append(f"{label}: tickets read {calls.tickets_read()}")
            if sum(calls.list_reads()) > 10 + 1:
                found.append(f"{label}: {sum(calls.list_reads())} list entries read")
            if len(calls.stats_reads()) != 1 or sum(calls.stats_reads()) > 10:
                found.append(f"{label}: stats reads {calls.stats_reads()}")
        problems[str(query)] = found
    assert {case: found for case, found in problems.items() if found} == {}


# Sorted by a rank, alone or with a filter: (query, tickets on the first page of 10, lists in the sort).
RANKED_COST_QUERIES: list[tuple[Query, int]] = [
    ({"sort": "-priority"}, 10),  # CRITICAL and URGENT are empty, HIGH holds 2, MEDIUM none, then LOW
    ({"sort": "priority"}, 10),
    ({"sort": "-status"}, 10),  # CLOSED holds 3, then the OPEN ones
    ({"sort": "status", "priority": "HIGH"}, 2),
    ({"sort": "-priority", "status": "CLOSED"}, 3),
]


def test_a_page_sorted_by_priority_or_status_reads_each_rank_at_most_once(api: Api, sixty: Desk) -> None:
    # Given 60 tickets: 3 closed, 2 HIGH, the rest LOW (so most ranks are empty)
    problems: dict[str, list[str]] = {}
    for query, expected_count in RANKED_COST_QUERIES:
        # When the first page of 10 is read, and the one after it
        with counted_dynamodb_calls() as first:
            page = _ok(api.list(**query, limit="10"))
        measured = [("page 1", first)]
        if page.json["meta"]["nextCursor"]:
            with counted_dynamodb_calls() as second:
                _ok(api.list(**query, limit="10", cursor=page.json["meta"]["nextCursor"]))
            measured.append(("page 2", second))

        # Then a page steps over the empty ranks with one Query each: without another filter at most
        # one Query per rank and limit + 1 entries read; with one, at most 10 x (limit + 1) entries; and
        # one read of the stats either way
        filtered = len(query) > 1
        found = []
        if page.json["meta"]["count"] != expected_count:
            found.append(f"count {page.json['meta']['count']} != {expected_count}")
        for label, calls in measured:
            entries = sum(calls.list_reads())
            if not set(calls.operations) <= {"Query", "BatchGetItem"} or (
                not filtered and (len(calls.list_reads()) > 5 or len(calls.tickets_read()) > 1)
            ):
                found.append(f"{label}: calls {calls.operations}")
            if entries > (10 * 11 if filtered else 10 + 1):
                found.append(f"{label}: {entries} list entries read")
            if len(calls.stats_reads()) != 1:
                found.append(f"{label}: stats reads {calls.stats_reads()}")
        problems[str(query)] = found
    assert {case: found for case, found in problems.items() if found} == {}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"department": "Nobody"}, id="department"),
        pytest.param({"hasAgentReply": "true"}, id="hasAgentReply"),
        pytest.param({"hasAgentReply": "true", "sort": "-priority"}, id="hasAgentReply by priority"),
    ],
)
def test_a_filter_without_a_list_reads_at_most_ten_times_limit_plus_one_entries_a_page(
    api: Api, sixty: Desk, query: Query
) -> None:
    # Given 60 tickets, none of them in a department or answered by an agent
    # When pages of 2 are read, following nextCursor until it is null
    pages = _every_page(api, query, limit=2, most=10)
    entries_per_page = [examined for _, examined in pages]
    counts = [page.json["meta"]["count"] for page, _ in pages]

    # Then no page reads more than 10 x (2 + 1) entries: the empty pages say so with a nextCursor, and
    # together they read the 60 entries once, then stop
    assert counts == [0] * len(counts)
    assert max(entries_per_page) <= 30
    assert sum(entries_per_page) == 60
    # (a third page, reading nothing, when the second stopped on the very last entry)
    assert len(entries_per_page) in (2, 3)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        pytest.param({"priority": "HIGH", "sort": "-updatedAt"}, ["t40", "t5"], id="priority by update"),
        pytest.param({"status": "CLOSED", "sort": "updatedAt"}, ["t3", "t30", "t59"], id="status by update"),
    ],
)
def test_a_filtered_page_in_update_order_checks_at_most_ten_times_limit_plus_one_tickets(
    api: Api, sixty: Desk, query: Query, names: list[str]
) -> None:
    # Given 60 tickets: 2 HIGH, 3 closed last
    # When pages of 2 in order of last update are read, following nextCursor until it is null
    pages = _every_page(api, query, limit=2, most=20)
    seen = [ticket["id"] for page, _ in pages for ticket in page.data]
    examined = [examined for _, examined in pages]

    # Then every match comes once, in that order, each page having read at most 10 x (2 + 1) tickets of
    # the tenant's update order, which together they read once (and the match past a full page again)
    assert seen == [sixty.by_name[name] for name in names]
    assert max(examined) <= 30
    assert 60 <= sum(examined) <= 61
