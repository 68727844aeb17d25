"""Section 3: what one page of 25 costs as the table grows, for every filter kind.

One table holds three tenants: `small` with SMALL tickets, `large` with LARGE, and `neighbour`, another
tenant as large, beside them (bench/seeding.py loads them in bulk). Each list request runs through the
real handler; the recorder takes ScannedCount from every Query response (botocore's after-call event)
and the time spent inside the calls, so the handler's own time can be told from moto's."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench import roundtrips, seeding
from bench.aws import mocked_aws, moto_table, quiet
from bench.recorder import Recorder
from bench.report import Budget, Image, Sample, Section
from tests.support.events import api_event
from tests.support.handlers import Api, invoke
from tickets import clients
from tickets.keys import STATS_SHARDS
from tickets.logic.listing import MAX_NUMBERED_TICKETS
from tickets.models.domain import Tenant
from tickets.models.requests import PAGE_SIZE_MAX
from tickets.store.tenants import TenantStore

LIMIT = 25
PREFIX = "INV"
SEED = 11
# What one page of a single filter reads at most: limit + 1 entries, its limit tickets, the stats shards.
PAGE_ITEMS = LIMIT + 1 + LIMIT + STATS_SHARDS
SINGLE_KINDS = 11  # the first kinds of roundtrips.list_queries() read one list (one value, one filter)
NUMBERED_PAGES = (1, 10, 100)  # the page numbers of the dialects (Sellgate's `page`), at `limit=25`


@dataclass
class PageCost:
    kind: str
    tenant: str
    tickets: int
    entries_read: int  # list entries, or tickets in update order (ScannedCount of the list Queries)
    tickets_read: int  # tickets read by key (the keys of BatchGetItem): a page's, or those checked
    stats_read: int  # stats shards (ScannedCount of the stats Query)
    round_trips: int
    reads: float  # RRU
    returned: int
    total: Sample  # handler wall time
    own: Sample  # handler time outside the AWS calls

    @property
    def items_read(self) -> int:
        return self.entries_read + self.tickets_read + self.stats_read


@dataclass
class NumberedPageCost:
    page: int
    offset: int
    entries_read: int
    round_trips: int
    reads: float  # RRU
    returned: int
    total: Sample


def _sellgate_event(tenant: str, page: int) -> dict[str, Any]:
    return api_event(
        "sellgate_list_tickets", tenant_id=tenant, query={"page": str(page), "limit": str(LIMIT)}
    )


def _sellgate_page(tenant: str, page: int) -> tuple[Any, Recorder, float]:
    event = _sellgate_event(tenant, page)
    with Recorder() as recorder, quiet():
        started = time.perf_counter()
        response = invoke("sellgate", event)
        elapsed = time.perf_counter() - started
    if response.status != 200:
        raise AssertionError(f"sellgate page {page}: {response.status} {response.json}")
    return response, recorder, elapsed


def _numbered_pages(tenant: str, runs: int) -> list[NumberedPageCost]:
    """Sellgate's page N of the large tenant's whole list: the pages before it are read and passed over."""
    costs = []
    for page in NUMBERED_PAGES:
        _sellgate_page(tenant, page)  # warm-up
        totals = []
        response: Any = None
        recorder: Recorder | None = None
        for _ in range(runs):
            response, recorder, elapsed = _sellgate_page(tenant, page)
            totals.append(elapsed)
        assert recorder is not None
        with Recorder(units=True) as priced, quiet():
            invoke("sellgate", _sellgate_event(tenant, page))
        costs.append(
            NumberedPageCost(
                page=page,
                offset=(page - 1) * LIMIT,
                entries_read=sum(call.scanned or 0 for call in recorder.calls if not _stats_call(call)),
                round_trips=recorder.round_trips(),
                reads=priced.total_units().reads,
                returned=len(response.json["data"]),
                total=Sample.of(totals),
            )
        )
    return costs


def _page(api: Api, query: dict[str, str]) -> tuple[Any, Recorder, float]:
    with Recorder() as recorder, quiet():
        started = time.perf_counter()
        response = api.list(**query)
        elapsed = time.perf_counter() - started
    if response.status != 200:
        raise AssertionError(f"list {query}: {response.status} {response.json}")
    return response, recorder, elapsed


def _keys_read(recorder: Recorder) -> int:
    """The keys the calls asked for by BatchGetItem."""
    return sum(
        len(request["Keys"])
        for call in recorder.calls
        if call.operation == "BatchGetItem"
        for request in call.params["RequestItems"].values()
    )


def _stats_call(call: Any) -> bool:
    return ":prefix" in call.params.get("ExpressionAttributeValues", {}) and "STATS#" in str(
        call.params["ExpressionAttributeValues"][":prefix"]
    )


def measure(small: int, large: int, runs: int) -> tuple[list[PageCost], list[NumberedPageCost], float, int]:
    """Page costs for every kind at both sizes, numbered pages of the large tenant; the seeding time
    and the items in the table."""
    layout = seeding.Layout("small", "large", "neighbour", small, large)
    costs: list[PageCost] = []
    with mocked_aws(stream=False) as table:
        tenants = TenantStore(clients.dynamodb(), table)
        for tenant in (layout.small_tenant, layout.large_tenant, layout.neighbour):
            tenants.create_tenant(Tenant(id=tenant, name=tenant.title(), ticket_prefix=PREFIX))
        started = time.perf_counter()
        items = seeding.seed_layout(moto_table(table), table, layout, prefix=PREFIX, seed=SEED)
        seeded = time.perf_counter() - started
        for tenant, count in ((layout.small_tenant, small), (layout.large_tenant, large)):
            api = Api(tenant)
            for kind, filters in roundtrips.list_queries():
                query = filters | {"limit": str(LIMIT)}
                _page(api, query)  # warm-up: moto indexes its GSI partitions on first use
                totals, owns = [], []
                response: Any = None
                recorder: Recorder | None = None
                for _ in range(runs):
                    response, recorder, elapsed = _page(api, query)
                    totals.append(elapsed)
                    owns.append(elapsed - recorder.aws_seconds())
                assert recorder is not None
                with Recorder(units=True) as priced, quiet():
                    api.list(**query)
                entries = sum(call.scanned or 0 for call in recorder.calls if not _stats_call(call))
                stats = sum(call.scanned or 0 for call in recorder.calls if _stats_call(call))
                tickets = _keys_read(recorder)
                costs.append(
                    PageCost(
                        kind=kind,
                        tenant=tenant,
                        tickets=count,
                        entries_read=entries,
                        tickets_read=tickets,
                        stats_read=stats,
                        round_trips=recorder.round_trips(),
                        reads=priced.total_units().reads,
                        returned=len(response.data),
                        total=Sample.of(totals),
                        own=Sample.of(owns),
                    )
                )
        numbered = _numbered_pages(layout.large_tenant, runs)
    return costs, numbered, seeded, items


def report(
    costs: list[PageCost],
    numbered: list[NumberedPageCost],
    *,
    seeded: float,
    items: int,
    small: int,
    large: int,
    verified: str,
    figure: Image,
) -> Section:
    section = Section("3. List cost as the table grows")
    section.add(
        f"One table: tenant `small` with {small:,} tickets, tenant `large` with {large:,}, and tenant "
        f"`neighbour` with another {large:,} beside them ({items:,} items, seeded in {seeded:.0f} s). "
        f"One page of `limit={LIMIT}` per filter kind, first page; times are the median (min-max) of "
        "the timed runs after one warm-up.",
        "",
        "- *items read*: list entries (ScannedCount of the list Queries, botocore `after-call`; in "
        "update order the entries are the tickets themselves) + tickets read by key (BatchGetItem: a "
        "page's tickets, or the tickets checked against combined filters) + stats shards. Budget: "
        f"≤ {PAGE_ITEMS} per page (limit + 1 entries, limit tickets, 10 stats shards), at both sizes.",
        "- *handler*: the whole invocation in-process against moto; *outside AWS*: the same minus the "
        "time inside the calls (from botocore's `before-call` to `after-call`). moto sorts a whole "
        "partition on every Query (the `ALL` and GSI1 lists hold every ticket of the tenant), so the "
        "handler time grows with the table here while DynamoDB's does not; the time outside AWS is our "
        "code's.",
        f"- Seeding: {verified}",
        "",
    )
    by_kind: dict[str, dict[int, PageCost]] = {}
    for cost in costs:
        by_kind.setdefault(cost.kind, {})[cost.tickets] = cost
    rows = []
    for index, (kind, sizes) in enumerate(by_kind.items()):
        first, second = sizes[small], sizes[large]
        ratio = second.items_read / first.items_read if first.items_read else float("nan")
        own_ratio = second.own.median / first.own.median if first.own.median else float("nan")
        one_filter = index < SINGLE_KINDS
        holds = max(first.items_read, second.items_read) <= PAGE_ITEMS
        verdict = ("✅" if holds else "❌") if one_filter else ("✅" if holds else "❌ (not one filter)")
        rows.append(
            [
                kind,
                f"{first.entries_read} + {first.tickets_read} + {first.stats_read}",
                f"{second.entries_read} + {second.tickets_read} + {second.stats_read}",
                f"{ratio:.2f}",
                f"{first.returned} / {second.returned}",
                f"{first.round_trips} / {second.round_trips}",
                f"{first.reads:g} / {second.reads:g}",
                first.total.ms(),
                second.total.ms(),
                first.own.ms1(),
                second.own.ms1(),
                f"{own_ratio:.2f}",
                verdict,
            ]
        )
    section.table(
        [
            "filter",
            f"items read at {small:,}",
            f"at {large:,}",
            "ratio",
            "returned",
            "round trips",
            "RRU",
            f"handler ms at {small:,}",
            f"at {large:,}",
            f"outside AWS ms at {small:,}",
            f"at {large:,}",
            "ratio",
            f"≤ {PAGE_ITEMS}",
        ],
        rows,
    )
    section.image(figure)
    single = [(sizes[small], sizes[large]) for sizes in list(by_kind.values())[:SINGLE_KINDS]]
    worst = max(max(a.items_read, b.items_read) for a, b in single)
    ratios = [b.items_read / a.items_read for a, b in single if a.items_read]
    section.budgets.append(
        Budget(
            "list: items read per page (one filter kind)",
            f"≤ {PAGE_ITEMS} at {small:,} and {large:,}",
            f"{worst} at most",
            worst <= PAGE_ITEMS,
        )
    )
    section.budgets.append(
        Budget(
            "list: items read large / small",
            "≈ 1",
            f"{min(ratios):.2f}-{max(ratios):.2f}",
            all(0.9 <= ratio <= 1.1 for ratio in ratios),
        )
    )
    trips = max(max(a.round_trips, b.round_trips) for a, b in single)
    section.budgets.append(
        Budget("list: round trips per page (one filter kind)", "≤ 3", f"{trips} at most", trips <= 3)
    )
    multi = list(by_kind.values())[SINGLE_KINDS:]
    misses = [
        f"{sizes[large].kind}: {max(sizes[small].items_read, sizes[large].items_read)}"
        for sizes in multi
        if max(sizes[small].items_read, sizes[large].items_read) > PAGE_ITEMS
    ]
    if misses:
        section.budgets.append(
            Budget(
                "list: items read per page (several values or filters)",
                f"≤ {PAGE_ITEMS}",
                "; ".join(misses),
                False,
                "one Query of limit + 1 per value; combined filters, department, hasAgentReply and "
                "a filter in update order check up to 10 x (limit + 1) tickets",
            )
        )
    multi_trips = [
        f"{sizes[large].kind}: {max(sizes[small].round_trips, sizes[large].round_trips)}" for sizes in multi
    ]
    if any(max(sizes[small].round_trips, sizes[large].round_trips) > 3 for sizes in multi):
        section.budgets.append(
            Budget(
                "list: round trips per page (several values or filters)",
                "≤ 3",
                "; ".join(multi_trips),
                False,
                "a Query per value, the page's tickets, the stats; combined filters page through the "
                "lead list (25 or more entries per Query, their tickets read to check them) until a "
                "page is full; sorts by priority or status a Query per rank reached",
            )
        )
    _report_numbered(section, numbered, large)
    return section


def _report_numbered(section: Section, numbered: list[NumberedPageCost], large: int) -> None:
    section.add(
        "",
        f"Page numbers (the dialects' `page`, here Sellgate's) over the cursors, tenant `large` "
        f"({large:,} tickets), `limit={LIMIT}`, no filter: page N reads the (N - 1) x {LIMIT} tickets "
        f"before it, {PAGE_SIZE_MAX} per Query, then its own page; pages stop at the first "
        f"{MAX_NUMBERED_TICKETS:,} tickets (a 400 that points to the native cursor). Times: median "
        "(min-max) of the timed runs, in-process against moto, which sorts the whole list partition "
        "on every Query: DynamoDB's time per Query does not grow with the list.",
        "",
    )
    rows = [
        [
            str(cost.page),
            f"{cost.offset:,}",
            f"{cost.entries_read:,}",
            str(cost.round_trips),
            f"{cost.reads:g}",
            str(cost.returned),
            cost.total.ms(),
        ]
        for cost in numbered
    ]
    section.table(["page", "offset", "entries read", "round trips", "RRU", "returned", "handler ms"], rows)
    # Each Query reads one entry past what it takes: offset + 1 per Query of passed-over tickets.
    bound = [cost.entries_read <= cost.offset + cost.offset // PAGE_SIZE_MAX + 2 * LIMIT for cost in numbered]
    section.budgets.append(
        Budget(
            "numbered page: entries read",
            "≤ offset + offset / 100 + 2 x limit",
            ", ".join(f"page {cost.page}: {cost.entries_read:,}" for cost in numbered),
            all(bound),
        )
    )


# Bulk-seeded tickets list as API-made ones do -----------------------------------------------------


def _api_made_tickets(api: Api, count: int) -> list[str]:
    """`count` tickets through the API, then replies, assignments and closes on some of them."""
    from bench import world  # noqa: PLC0415

    ids = []
    for index in range(count):
        body: dict[str, Any] = world.body("create_ticket.json") | {
            "customerExternalId": ("user_42", "user_7")[index % 2],
            "priority": ("LOW", "MEDIUM", "HIGH", "URGENT", "CRITICAL")[index % 5],
        }
        if index % 3 == 0:
            body["tagIds"] = [seeding.HOT_TAG]
        if index % 2 == 0:
            body["department"] = seeding.HOT_DEPARTMENT
        if index % 4 == 0:
            body["externalId"] = f"order-{index}"
        response = api.create(body)
        assert response.status == 201, response.json
        ids.append(response.data["id"])
    for index, ticket_id in enumerate(ids):
        steps: list[tuple[str, dict[str, Any]]] = []
        if index % 2 == 0:
            steps.append(("reply", world.body("reply_ticket_agent.json")))
        if index % 3 == 1:
            steps.append(("update", {"assignedAgentId": "agent_n1"}))
        if index % 5 == 2:
            steps.append(("reply", world.body("reply_ticket_customer.json")))
        if index % 7 == 3:
            steps.append(("update", {"status": "ON_HOLD"}))
        if index % 4 == 1:
            steps.append(("update", {"status": "CLOSED"}))
        for kind, body in steps:
            response = api.reply(ticket_id, body) if kind == "reply" else api.update(ticket_id, body)
            assert response.status in (200, 201), response.json
    return ids


def _lists(api: Api, queries: list[tuple[str, dict[str, str]]]) -> dict[str, Any]:
    pages = {}
    for label, query in queries:
        response = api.list(**query)
        assert response.status == 200, response.json
        pages[label] = {name: value for name, value in response.json.items() if name != "timestamp"}
    return pages


def verify_bulk_seeding(count: int) -> str:
    """Tickets made through the API (with replies, assignments, closes), read back, inserted the bulk
    way into a fresh table: every list query must answer the same (data, meta with its cursor, stats)."""
    from bench import world  # noqa: PLC0415

    queries = [
        *roundtrips.list_queries(),
        ("assignedAgentId agent_n1", {"assignedAgentId": "agent_n1"}),
        ("customerExternalId user_7", {"customerExternalId": "user_7"}),
        ("awaiting CUSTOMER", {"awaiting": "CUSTOMER"}),
        ("limit 5", {"limit": "5"}),
        ("limit 100", {"limit": "100"}),
    ]
    with quiet(), mocked_aws() as table:
        scene = world.seed(table)
        ids = _api_made_tickets(scene.api, count)
        made = [
            scene.repository.get_ticket(world.TENANT, ticket_id, with_description=True) for ticket_id in ids
        ]
        expected = _lists(scene.api, queries)
    with quiet(), mocked_aws() as table:
        scene = world.seed(table)
        batch = [
            (ticket, int(ticket.ticket_number.rsplit("-", 1)[1])) for ticket in made if ticket is not None
        ]
        seeding.insert(moto_table(table), table, batch)
        seeded = _lists(scene.api, queries)
    different = [label for label, _ in queries if expected[label] != seeded[label]]
    if different:
        raise AssertionError(f"bulk-seeded tickets list differently from API-made ones: {different}")
    return (
        f"{count} tickets made through the API (with replies, assignments, holds and closes), read "
        "back and inserted the bulk way into a fresh table, answer all "
        f"{len(queries)} list queries identically (data, meta with its cursor, stats)."
    )
