"""Tickets in bulk: exactly the items the repository writes, loaded straight into moto's table.

Creating 100,000 tickets through the API would take hours in moto. Instead each ticket is built in its
final state (status, agent, tags, timestamps), handed to the repository's own insert path
(TicketRepository.insert_ticket with listing.list_memberships and listing.stats_delta, as
TicketService.create_ticket calls it) whose TransactWriteItems request is captured instead of sent,
and the captured Puts are loaded into moto's backend table; the stats shards' ADDs are summed and
written once per shard. A ticket inserted in a state is stored exactly as one brought into that state
by later writes (save_ticket writes the same entries and the same stats contributions), and
bench.listing checks that on a sample against tickets made through the API.

Everything is derived from a seeded random generator, so two runs seed the same tickets."""

from __future__ import annotations

import itertools
import multiprocessing
import random
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.dynamo_type import Item as MotoItem

from bench.aws import changed
from tickets.logic import listing, workflow
from tickets.models.domain import AgentRef, CustomerRef, Ticket
from tickets.models.enums import Awaiting, Priority, TicketStatus
from tickets.store.repository import TicketRepository

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

# Who the list bench filters for: each holds a steady share of the tickets, so its list has more than
# a page at every size (a customer with 2 tickets would say nothing about the cost of a page).
HOT_CUSTOMER = "user_42"
HOT_AGENT = "agent_01"
HOT_TAG = "5f0c7c1e-8f7a-4d0b-9a51-0d3f6a1b2c3d"
# A ticket's department goes by its index (not the generator, so the other fields stay as they were).
DEPARTMENTS = ["Payments", "Shipping", "Returns", None]
HOT_DEPARTMENT = "Payments"
AGENTS = [f"agent_{n:02d}" for n in range(1, 11)]
TAGS = [HOT_TAG] + [f"{n:08x}-0000-4000-8000-{n:012x}" for n in range(1, 20)]

_STATUSES = [
    (TicketStatus.OPEN, 20),
    (TicketStatus.IN_PROGRESS, 30),
    (TicketStatus.WAITING_ON_CUSTOMER, 20),
    (TicketStatus.ON_HOLD, 5),
    (TicketStatus.CLOSED, 25),
]
_PRIORITIES = [
    (Priority.LOW, 20),
    (Priority.MEDIUM, 45),
    (Priority.HIGH, 20),
    (Priority.URGENT, 10),
    (Priority.CRITICAL, 5),
]


def ulid(rng: random.Random, at: datetime) -> str:
    """A ULID like tickets.ids.new_ulid, its random part from `rng`."""
    value = (int(at.timestamp() * 1000) << 80) | rng.getrandbits(80)
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return "".join(reversed(chars))


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


def customer_ref(external_id: str) -> CustomerRef:
    number = external_id.removeprefix("user_")
    return CustomerRef(
        id=f"CUST{number.zfill(22)}",
        external_id=external_id,
        email=f"{external_id}@example.com",
        name=f"Customer {number}",
    )


def agent_ref(agent_id: str) -> AgentRef:
    return AgentRef(id=agent_id, name=f"Agent {agent_id[-2:]}", email=f"{agent_id}@example.com")


def tickets(
    tenant_id: str, prefix: str, count: int, seed: int, *, start: int = 0, stop: int | None = None
) -> Iterator[tuple[Ticket, int]]:
    """Tickets `start`..`stop` of a tenant's `count`, oldest first, each with its sequence number. Each
    ticket has a generator of its own, so any range is the same wherever it is built."""
    spacing = timedelta(days=90) / max(count, 1)
    for index in range(start, count if stop is None else stop):
        rng = random.Random(f"{seed}:{tenant_id}:{index}")
        created = EPOCH + spacing * index + timedelta(milliseconds=rng.randrange(1000))
        status = _pick(rng, _STATUSES)
        agent = None
        if status != TicketStatus.OPEN and (status != TicketStatus.CLOSED or rng.random() < 0.7):
            agent = HOT_AGENT if rng.random() < 0.3 else rng.choice(AGENTS)
        awaiting = {
            TicketStatus.WAITING_ON_CUSTOMER: Awaiting.CUSTOMER,
            TicketStatus.CLOSED: Awaiting.NONE,
        }.get(status, Awaiting.AGENT)
        customer = HOT_CUSTOMER if rng.random() < 0.05 else f"user_{rng.randrange(1000)}"
        tags = [HOT_TAG] if rng.random() < 0.1 else []
        if rng.random() < 0.2:
            tags.append(rng.choice(TAGS[1:]))
        updated = created + timedelta(minutes=rng.randrange(1, 60 * 24 * 30))
        replies = rng.randrange(0, 6)
        sequence = index + 1
        ticket = Ticket(
            tenant_id=tenant_id,
            id=ulid(rng, created),
            ticket_number=workflow.format_ticket_number(prefix, sequence),
            subject=f"Payment failed for order #{100000 + index}",
            description="Payment attempt failed with CARD_DECLINED. Customer has been notified by email.",
            status=status,
            priority=_pick(rng, _PRIORITIES),
            department=DEPARTMENTS[index % len(DEPARTMENTS)],
            tag_ids=tags,
            customer=customer_ref(customer),
            assigned_agent=agent_ref(agent) if agent else None,
            awaiting_response_from=awaiting,
            message_count=replies,
            has_agent_reply=replies > 0 and status != TicketStatus.OPEN,
            metadata={"orderId": str(100000 + index), "amount": 99.9},
            created_at=created,
            updated_at=updated,
            first_response_at=created + timedelta(minutes=5) if replies else None,
            closed_at=updated if status == TicketStatus.CLOSED else None,
            version=1 + replies,
        )
        yield ticket, sequence


class _CapturingClient:
    """Stands in for the DynamoDB client of a TicketRepository: keeps what a transaction would write."""

    def __init__(self) -> None:
        self.writes: list[dict[str, Any]] = []

    def transact_write_items(self, TransactItems: list[dict[str, Any]], **_: Any) -> None:
        self.writes.extend(TransactItems)


Counters = dict[tuple[str, str], dict[str, int]]


class Builder:
    """The items of tickets, from the repository's own insert path (TicketRepository.insert_ticket
    with listing.list_memberships and listing.stats_delta, as TicketService.create_ticket calls it):
    its TransactWriteItems is captured instead of sent. Puts are kept as items, the stats shards' ADDs
    summed."""

    def __init__(self, table_name: str) -> None:
        self._client = _CapturingClient()
        self._repository = TicketRepository(cast(Any, self._client), table_name)
        self.counters: Counters = defaultdict(dict)

    def build(self, ticket: Ticket, sequence: int) -> list[dict[str, Any]]:
        self._repository.insert_ticket(
            ticket, sequence, listing.list_memberships(ticket), listing.stats_delta(None, ticket)
        )
        puts = []
        for write in self._client.writes:
            if "Put" in write:
                puts.append(write["Put"]["Item"])
            elif "Update" in write:
                _add_counters(self.counters, write["Update"])
            else:
                raise ValueError(f"a ticket insert should only Put and Update, not {list(write)}")
        self._client.writes.clear()
        return puts


def _add_counters(counters: Counters, update: dict[str, Any]) -> None:
    key = (update["Key"]["PK"]["S"], update["Key"]["SK"]["S"])
    names, values = update["ExpressionAttributeNames"], update["ExpressionAttributeValues"]
    shard = counters[key]
    for placeholder, name in names.items():
        if placeholder.startswith("#c"):
            shard[name] = shard.get(name, 0) + int(values[":" + placeholder[1:]]["N"])


class Placer:
    """Items into moto's backend table. The first VALIDATED go through moto's own put_item (keys,
    types and sizes checked); the rest, made by the same code, are placed straight into moto's
    partitions (GSI and stream kept as put_item keeps them), with repeated short values shared between
    items: several times faster and half the memory, which is what lets 100,000 tickets fit the time
    budget. Stats shards are written by finish(), added to what the table holds."""

    VALIDATED = 2000

    def __init__(self, moto_table: Any) -> None:
        self._table = moto_table
        self._shared: dict[tuple[str, Any], Any] = {}
        self.counters: Counters = defaultdict(dict)
        self.items = 0

    def put(self, item: dict[str, Any]) -> None:
        """Through moto's own put_item."""
        self._table.put_item(item, overwrite=True)
        self.items += 1

    def place(self, typed: dict[str, Any], copies: Sequence[tuple[str, str]] = ()) -> None:
        """An item, and copies of it moved to other tenants ((from, to) tenant ids). The copies share
        the item's values but for the keys and tenantId (the table is only read afterwards)."""
        if self.items < self.VALIDATED:
            self.put(typed)
            for old, new in copies:
                self.put(retenant(typed, old, new))
            return
        attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.__init__(attrs)
        for name, value in typed.items():
            dict.__setitem__(attrs, name, self._value(value))
        self._store(_moto_item(attrs))
        self.items += 1
        for old, new in copies:
            moved = LimitedSizeDict.__new__(LimitedSizeDict)
            dict.__init__(moved, attrs)
            tenanted = {name: typed[name] for name in _TENANTED if name in typed}
            for name, value in retenant(tenanted, old, new).items():
                dict.__setitem__(moved, name, self._value(value))
            self._store(_moto_item(moved))
            self.items += 1
        changed(self._table)

    def add_counters(self, counters: Counters, moved: tuple[str, str] | None = None) -> None:
        for (pk, sk), values in counters.items():
            partition = pk.replace(f"TENANT#{moved[0]}", f"TENANT#{moved[1]}", 1) if moved else pk
            shard = self.counters[(partition, sk)]
            for name, value in values.items():
                shard[name] = shard.get(name, 0) + value

    def _value(self, typed: dict[str, Any]) -> Any:
        (kind, content), *_ = typed.items()
        shareable = kind in ("N", "BOOL") or (kind == "S" and len(content) <= 64)
        if shareable:
            shared = self._shared.get((kind, content))
            if shared is not None:
                return shared
        value = DynamoType.__new__(DynamoType)
        value.type = kind
        if kind == "L":
            value.value = [self._value(element) for element in content]
        elif kind == "M":
            value.value = {name: self._value(element) for name, element in content.items()}
        else:
            value.value = content
        if shareable:
            self._shared[(kind, content)] = value
        return value

    def _store(self, item: Any) -> None:
        partition = self._table.items[item.hash_key]
        current = partition.get(item.range_key)
        partition[item.range_key] = item
        if self._table.stream_shard is not None:
            self._table.stream_shard.add(current, item)

    def finish(self) -> int:
        """Write the stats shards; the number of items written."""
        for (pk, sk), counters in sorted(self.counters.items()):
            key = {"PK": {"S": pk}, "SK": {"S": sk}}
            current = self._table.get_item(DynamoType(key["PK"]), DynamoType(key["SK"]))
            totals = dict(counters)
            if current is not None:
                for name, value in current.to_json()["Attributes"].items():
                    if "N" in value:
                        totals[name] = totals.get(name, 0) + int(value["N"])
            item: dict[str, Any] = key | {"entity": {"S": "STATS"}}
            item |= {name: {"N": str(value)} for name, value in sorted(totals.items())}
            self._table.put_item(item, overwrite=True)
            self.items += 1
        self.counters.clear()
        return self.items


_TENANTED = ("PK", "SK", "GSI1PK", "tenantId")


def _moto_item(attrs: Any) -> Any:
    item: Any = MotoItem.__new__(MotoItem)
    item.attrs = attrs
    item.hash_key = attrs["PK"]
    item.range_key = attrs["SK"]
    return item


def retenant(item: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The same item for another tenant: its keys and tenantId moved over."""
    moved = dict(item)
    for name in ("PK", "SK", "GSI1PK"):
        if name in moved:
            moved[name] = {"S": moved[name]["S"].replace(f"TENANT#{old}", f"TENANT#{new}", 1)}
    if "tenantId" in moved:
        moved["tenantId"] = {"S": new}
    return moved


def insert(moto_table: Any, table_name: str, batch: list[tuple[Ticket, int]]) -> int:
    """Given tickets into the table, the bulk way (all through moto's put_item); items written."""
    builder, placer = Builder(table_name), Placer(moto_table)
    for ticket, sequence in batch:
        for item in builder.build(ticket, sequence):
            placer.put(item)
    placer.add_counters(builder.counters)
    return placer.finish()


@dataclass(frozen=True)
class Chunk:
    """A worker's share: tickets start..stop of a tenant's count."""

    table_name: str
    tenant_id: str
    prefix: str
    count: int
    seed: int
    start: int
    stop: int


def _build_chunk(chunk: Chunk) -> tuple[list[list[dict[str, Any]]], Counters]:
    """The items of a chunk's tickets, and their stats."""
    builder = Builder(chunk.table_name)
    selected = tickets(
        chunk.tenant_id, chunk.prefix, chunk.count, chunk.seed, start=chunk.start, stop=chunk.stop
    )
    built = [builder.build(ticket, sequence) for ticket, sequence in selected]
    return built, dict(builder.counters)


@dataclass(frozen=True)
class Layout:
    """The list bench's table: `small` tickets in one tenant, `large` in another, and a neighbour of
    the large one as large (the same tickets, moved over: another tenant's data at half the cost).
    The small tenant's tickets are every (large / small)-th of the large one's, moved over, so they
    span the same months."""

    small_tenant: str
    large_tenant: str
    neighbour: str
    small: int
    large: int


def seed_layout(
    moto_table: Any, table_name: str, layout: Layout, *, prefix: str, seed: int, workers: int = 1
) -> int:
    """Build the large tenant's tickets in `workers` processes (the repository code is half the time),
    place them (and the moved copies) here; the small tenant's tickets are the large one's every
    (large / small)-th, moved over. Returns the number of items written."""
    placer = Placer(moto_table)
    stride = max(1, layout.large // max(layout.small, 1))
    small = set(list(range(0, layout.large, stride))[: layout.small])
    size = 500
    chunks = iter(
        Chunk(
            table_name,
            layout.large_tenant,
            prefix,
            layout.large,
            seed,
            start,
            min(start + size, layout.large),
        )
        for start in range(0, layout.large, size)
    )
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        Built = tuple[list[list[dict[str, Any]]], Counters]
        # A few chunks in flight, not all: built items wait in memory until they are placed.
        pending: deque[tuple[Chunk, Future[Built]]] = deque(
            (chunk, pool.submit(_build_chunk, chunk)) for chunk in itertools.islice(chunks, 2 * workers)
        )
        while pending:
            chunk, future = pending.popleft()
            pending.extend(
                (following, pool.submit(_build_chunk, following)) for following in itertools.islice(chunks, 1)
            )
            built, counters = future.result()
            for offset, items in enumerate(built):
                copies = [(layout.large_tenant, layout.neighbour)]
                if chunk.start + offset in small:
                    copies.append((layout.large_tenant, layout.small_tenant))
                for item in items:
                    placer.place(item, copies)
            placer.add_counters(counters)
            placer.add_counters(counters, (layout.large_tenant, layout.neighbour))
    # The small tenant's stats: of its own tickets only.
    small_builder = Builder(table_name)
    for index in sorted(small):
        for ticket, sequence in tickets(
            layout.large_tenant, prefix, layout.large, seed, start=index, stop=index + 1
        ):
            small_builder.build(ticket, sequence)
    placer.add_counters(small_builder.counters, (layout.large_tenant, layout.small_tenant))
    return placer.finish()
