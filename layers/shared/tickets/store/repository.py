"""Tickets in the table: their descriptions, messages, guards, keyed writes, lists and stats, and the
one read a create needs. Decides nothing: the logic says what to write. Tenants, customers, agents
and notification claims have stores of their own beside it (tenants.py, customers.py, agents.py,
notifications.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tickets import keys
from tickets.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from tickets.ids import format_timestamp
from tickets.keys import Entity, ListMembership
from tickets.models.domain import (
    Customer,
    Message,
    Tenant,
    Ticket,
    TicketDeletion,
)
from tickets.store import items, keyed_writes
from tickets.store.items import Item
from tickets.store.keyed_writes import KeyedWrite
from tickets.store.table import MAX_TRANSACTION_ITEMS, Table, TransactionRejected, typed_key


class StaleWrite(Exception):
    """The ticket changed since it was read (its version moved on)."""


class AgentUnavailable(Exception):
    """The agent chosen for an automatic assignment filled up or went away meanwhile, or the agent a
    ticket is created for went away."""


class ExternalIdTaken(Exception):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(ticket_id)
        self.ticket_id = ticket_id


class _AssignmentInside(Exception):
    """The ticket item written holds its assignment record (written before 2026-12)."""


@dataclass(frozen=True)
class _Change:
    before: Ticket
    after: Ticket
    memberships_before: set[ListMembership]
    memberships_after: set[ListMembership]
    stats_delta: dict[str, int]
    agent_load_delta: dict[str, int] | None


@dataclass(frozen=True)
class CreateContext:
    tenant: Tenant | None
    customer: Customer | None
    existing_ticket_id: str | None


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    resume_at: dict[str, str] | None


class TicketRepository(Table):
    """Tickets, their messages, lists and stats; an agent's load moves in the ticket's transaction."""

    def read_create_context(
        self, tenant_id: str, customer_external_id: str, ticket_external_id: str | None
    ) -> CreateContext:
        """What creating a ticket depends on, in one BatchGetItem: the tenant, the customer, and the
        ticket already created with the same externalId."""
        wanted = [keys.tenant_key(tenant_id), keys.customer_key(tenant_id, customer_external_id)]
        if ticket_external_id is not None:
            wanted.append(keys.external_id_guard_key(tenant_id, ticket_external_id))
        found = {items.entity_of(item): item for item in self._batch_get(wanted)}
        customer = found.get(Entity.CUSTOMER)
        guard = found.get(Entity.EXTERNAL_ID_GUARD)
        return CreateContext(
            tenant=items.tenant_from_item(found[Entity.TENANT]) if Entity.TENANT in found else None,
            customer=items.customer_from_item(customer) if customer else None,
            existing_ticket_id=guard["ticketId"]["S"] if guard else None,
        )

    # Tickets ---------------------------------------------------------------------------------------

    def insert_ticket(
        self,
        ticket: Ticket,
        sequence: int,
        memberships: set[ListMembership],
        stats_delta: dict[str, int],
        *,
        first_message: Message | None = None,
        agent_load_delta: dict[str, int] | None = None,
    ) -> None:
        """The ticket, its description, its first message, its number and externalId guards, its list
        entries, its stats and its agent's load in one transaction. Raises ExternalIdTaken when the
        externalId is used, AgentUnavailable when its agent is gone."""
        tenant_id = ticket.tenant_id
        writes = [self._put(items.ticket_item(ticket), "attribute_not_exists(PK)")]
        for part in (
            items.description_item(ticket),
            items.assignment_item(ticket),
            items.sla_clock_item(ticket),
            items.sla_due_item(ticket),
        ):
            if part:
                writes.append(self._put(part))
        if first_message is not None:
            writes.append(self._put(items.message_item(first_message)))
        number_guard = keys.ticket_number_guard_key(tenant_id, sequence)
        writes.append(
            self._put(
                items.guard_item(number_guard, Entity.NUMBER_GUARD, ticket.id), "attribute_not_exists(PK)"
            )
        )
        if ticket.external_id is not None:
            guard_key = keys.external_id_guard_key(tenant_id, ticket.external_id)
            guard = items.guard_item(guard_key, Entity.EXTERNAL_ID_GUARD, ticket.id)
            writes.append(self._put(guard, "attribute_not_exists(PK)"))
        writes.extend(
            self._put(items.list_entry_item(tenant_id, membership, ticket.id, ticket.version))
            for membership in sorted(memberships)
        )
        writes.append(
            self._add_counters(keys.stats_shard_key(tenant_id, ticket.id), stats_delta, Entity.STATS)
        )
        first_agent_write = len(writes)
        for agent_id, change in sorted((agent_load_delta or {}).items()):
            writes.append(
                self._agent_load(tenant_id, agent_id, change, ticket.created_at, within_capacity=False)
            )
        try:
            self._transact_marked(writes, self._key_mark(ticket.id))
        except TransactionRejected as rejected:
            for index, reason in enumerate(rejected.reasons):
                old = reason.get("Item") or {}
                if reason.get("Code") != "ConditionalCheckFailed":
                    continue
                if items.entity_of(old) == Entity.EXTERNAL_ID_GUARD:
                    raise ExternalIdTaken(old["ticketId"]["S"]) from None
                if index >= first_agent_write:
                    raise AgentUnavailable(ticket.id) from None
            raise

    def save_ticket(
        self,
        before: Ticket,
        after: Ticket,
        *,
        memberships_before: set[ListMembership],
        memberships_after: set[ListMembership],
        stats_delta: dict[str, int],
        agent_load_delta: dict[str, int] | None = None,
        message: Message | None = None,
        within_capacity: bool = False,
    ) -> None:
        """Write a changed ticket (and a new message) if nobody else changed it since `before` was read,
        with its lists, stats and agents' loads. Raises StaleWrite otherwise."""
        change = _Change(before, after, memberships_before, memberships_after, stats_delta, agent_load_delta)
        try:
            self._save(
                change, message, within_capacity, write_assignment=after.assignment != before.assignment
            )
        except _AssignmentInside:
            # Written before 2026-12, the ticket item holds its assignment record: move it to its own
            # item, in the same write (once per such ticket).
            self._save(change, message, within_capacity, write_assignment=True)

    def _save(
        self, change: _Change, message: Message | None, within_capacity: bool, *, write_assignment: bool
    ) -> None:
        before, after = change.before, change.after
        tenant_id = after.tenant_id
        condition = "#version = :expected"
        names = {"#version": "version"}
        if after.assignment is not None and not write_assignment:
            # The record is kept in its own item, not rewritten: make sure it is not one inside the ticket.
            condition += " AND attribute_not_exists(#assignment)"
            names["#assignment"] = "assignment"
        ticket_put = self._put(items.ticket_item(after), condition)
        ticket_put["Put"]["ExpressionAttributeNames"] = names
        ticket_put["Put"]["ExpressionAttributeValues"] = {":expected": {"N": str(before.version)}}
        writes = [ticket_put]
        assignment = items.assignment_item(after) if write_assignment else None
        if assignment is not None:
            writes.append(self._put(assignment))
        if message is not None:
            writes.append(self._put(items.message_item(message), "attribute_not_exists(PK)"))
        writes.extend(self._sla_clock_moved(before, after))
        # Entries hold no copy of the ticket: only the lists it leaves or joins are written.
        for membership in sorted(change.memberships_before - change.memberships_after):
            writes.append(self._delete(keys.list_entry_key(tenant_id, membership, after.id)))
        writes.extend(
            self._put(items.list_entry_item(tenant_id, membership, after.id, after.version))
            for membership in sorted(change.memberships_after - change.memberships_before)
        )
        if change.stats_delta:
            writes.append(
                self._add_counters(
                    keys.stats_shard_key(tenant_id, after.id), change.stats_delta, Entity.STATS
                )
            )
        first_agent_write = len(writes)
        for agent_id, load in sorted((change.agent_load_delta or {}).items()):
            writes.append(self._agent_load(tenant_id, agent_id, load, after.updated_at, within_capacity))
        mark = self._key_mark(after.id, message.id if message is not None else None)
        try:
            self._transact_marked(writes, mark)
        except TransactionRejected as rejected:
            failed = [
                i
                for i, reason in enumerate(rejected.reasons)
                if reason.get("Code") == "ConditionalCheckFailed"
            ]
            if 0 in failed:
                old = rejected.reasons[0].get("Item") or {}
                read_version = old.get("version", {}).get("N") == str(before.version)
                if read_version and items.holds_assignment(old):
                    raise _AssignmentInside() from None
                raise StaleWrite(after.id) from None
            if any(index >= first_agent_write for index in failed):
                raise AgentUnavailable(after.id) from None
            raise

    def _sla_clock_moved(self, before: Ticket, after: Ticket) -> list[dict[str, Any]]:
        """The ticket's entries in the clock sweep and in what is due next move with its clocks (the
        moment it has to tell of next, its soonest due time)."""
        moved = []
        for key_of, item_of in (
            (items.sla_clock_key, items.sla_clock_item),
            (items.sla_due_key, items.sla_due_item),
        ):
            old, new = key_of(before), key_of(after)
            if old == new:
                continue
            if old is not None:
                moved.append(self._delete(old))
            entry = item_of(after)
            if entry is not None:
                moved.append(self._put(entry))
        return moved

    def delete_ticket(
        self,
        deletion: TicketDeletion,
        sequence: int,
        *,
        memberships: set[ListMembership],
        stats_delta: dict[str, int],
        agent_load_delta: dict[str, int],
    ) -> None:
        """Delete the ticket with everything that is its: description, messages, list entries, number
        and externalId guards, its part of the stats and of its agent's load. The ticket itself goes in
        one transaction with all of these, and with the record of its deletion, if nobody changed it
        since it was read (else StaleWrite); messages that do not fit in that transaction are deleted
        before it, oldest first, so a failure midway leaves the ticket whole in every list and a retry
        carries on."""
        ticket = deletion.ticket
        tenant_id = ticket.tenant_id
        ticket_delete = self._delete(keys.ticket_key(tenant_id, ticket.id))
        ticket_delete["Delete"] |= {
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": {"N": str(ticket.version)}},
        }
        writes = [
            ticket_delete,
            self._delete(keys.ticket_number_guard_key(tenant_id, sequence)),
            self._put(items.deletion_item(deletion)),
        ]
        if ticket.external_id is not None:
            writes.append(self._delete(keys.external_id_guard_key(tenant_id, ticket.external_id)))
        for clock_entry in (items.sla_clock_key(ticket), items.sla_due_key(ticket)):
            if clock_entry is not None:
                writes.append(self._delete(clock_entry))
        writes.extend(
            self._delete(keys.list_entry_key(tenant_id, membership, ticket.id))
            for membership in sorted(memberships)
        )
        if stats_delta:
            writes.append(
                self._add_counters(keys.stats_shard_key(tenant_id, ticket.id), stats_delta, Entity.STATS)
            )
        for agent_id, change in sorted(agent_load_delta.items()):
            writes.append(
                self._agent_load(tenant_id, agent_id, change, ticket.updated_at, within_capacity=False)
            )
        # The rest of the ticket's partition: its description and messages, in key order (oldest first).
        rest = [
            key
            for key in self._partition_keys(keys.ticket_partition(tenant_id, ticket.id))
            if key[keys.SK] != keys.TICKET_SK
        ]
        mark = self._key_mark(ticket.id)
        room = MAX_TRANSACTION_ITEMS - len(writes) - len(mark)
        self._batch_delete(rest[: max(0, len(rest) - room)])
        writes.extend(self._delete(key) for key in rest[max(0, len(rest) - room) :])
        try:
            self._transact_marked(writes, mark)
        except TransactionRejected as rejected:
            if rejected.reasons and rejected.reasons[0].get("Code") == "ConditionalCheckFailed":
                raise StaleWrite(ticket.id) from None
            raise

    def written_under_key(self) -> KeyedWrite | None:
        """What an earlier request with the Idempotency-Key being served wrote, when its transaction
        committed (and the key has not expired): the request is then a replay of that write, and is
        marked so. None without a key, or when the key wrote nothing yet. Raises IdempotencyKeyReused
        when that write was another request's."""
        request = keyed_writes.current()
        if request is None:
            return None
        item = self._get(keys.keyed_write_key(request.tenant_id, request.key))
        written = items.keyed_write_from_item(item) if item else None
        if written is None or written.expires_at < time.time():  # TTL deletes late: expired is gone
            return None
        if written.request_hash != request.request_hash:
            raise IdempotencyKeyReused()
        request.replayed = True
        return written

    def _key_mark(self, ticket_id: str, message_id: str | None = None) -> list[dict[str, Any]]:
        """The Put of the mark of the request's Idempotency-Key (none without a key), for the ticket
        write's transaction. It is conditional: of two transactions under one key, one commits."""
        request = keyed_writes.current()
        if request is None:
            return []
        mark = self._put(items.keyed_write_item(request, ticket_id, message_id))
        mark["Put"] |= {
            "ConditionExpression": "attribute_not_exists(PK) OR #expiresAt < :now",
            "ExpressionAttributeNames": {"#expiresAt": "expiresAt"},
            "ExpressionAttributeValues": {":now": {"N": str(int(time.time()))}},
        }
        return [mark]

    def _transact_marked(self, writes: list[dict[str, Any]], mark: list[dict[str, Any]]) -> None:
        """`writes` with the key's mark after them. A mark there already means a transaction under the
        key committed while this request was being served: IdempotencyKeyInUse (retry; the retry is
        answered from that write). Other rejections are raised as they are, the mark's reason last."""
        try:
            self._transact(writes + mark)
        except TransactionRejected as rejected:
            marked = mark and len(rejected.reasons) > len(writes)
            if marked and rejected.reasons[len(writes)].get("Code") == "ConditionalCheckFailed":
                raise IdempotencyKeyInUse() from None
            raise

    def _agent_load(
        self, tenant_id: str, agent_id: str, change: int, at: datetime, within_capacity: bool
    ) -> dict[str, Any]:
        """An agent's load moves with the ticket; a new assignment also stamps lastAssignedAt. With
        `within_capacity` (automatic assignment) the agent must still be available and below its maximum."""
        expression = "ADD openTickets :change"
        condition = "attribute_exists(PK)"
        values: dict[str, Any] = {":change": {"N": str(change)}}
        if change > 0:
            expression += " SET lastAssignedAt = :at"
            values[":at"] = {"S": format_timestamp(at)}
            if within_capacity:
                condition += " AND available = :true AND openTickets < maxOpenTickets"
                values[":true"] = {"BOOL": True}
        return {
            "Update": {
                "TableName": self._table,
                "Key": typed_key(keys.agent_key(tenant_id, agent_id)),
                "UpdateExpression": expression,
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }

    def get_ticket(self, tenant_id: str, ticket_id: str, with_description: bool = False) -> Ticket | None:
        if not with_description:
            item = self._get(keys.ticket_key(tenant_id, ticket_id))
            return items.ticket_from_items(item, None) if item else None
        key = keys.ticket_key(tenant_id, ticket_id)
        response = self._call(
            self._client.query,
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": {"S": key[keys.PK]},
                ":first": {"S": keys.ASSIGNMENT_SK},
                ":last": {"S": keys.TICKET_SK},
            },
            ConsistentRead=True,
        )
        return self._ticket_from(response["Items"])

    def get_message(self, tenant_id: str, ticket_id: str, message_id: str) -> Message | None:
        item = self._get(keys.message_key(tenant_id, ticket_id, message_id))
        return items.message_from_item(item) if item else None

    @staticmethod
    def _ticket_from(found: list[Item]) -> Ticket | None:
        by_entity = {items.entity_of(item): item for item in found}
        ticket = by_entity.get(Entity.TICKET)
        if ticket is None:
            return None
        return items.ticket_from_items(
            ticket, by_entity.get(Entity.DESCRIPTION), by_entity.get(Entity.ASSIGNMENT)
        )

    def get_ticket_with_messages(
        self, tenant_id: str, ticket_id: str, limit: int
    ) -> tuple[Ticket | None, MessagePage]:
        """The ticket, its assignment record, its description and its first `limit` messages, in one Query
        of its partition."""
        partition = keys.ticket_partition(tenant_id, ticket_id)
        response = self._call(
            self._client.query,
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": partition}},
            ConsistentRead=True,
            # assignment, description, ticket, `limit` messages, one more to know there are more
            Limit=limit + 4,
        )
        found: list[Item] = response["Items"]
        head = [item for item in found if items.entity_of(item) != Entity.MESSAGE]
        message_items = [item for item in found if items.entity_of(item) == Entity.MESSAGE]
        return self._ticket_from(head), self._message_page(
            message_items, limit, bool(response.get("LastEvaluatedKey"))
        )

    def get_messages(self, tenant_id: str, ticket_id: str, after: dict[str, str], limit: int) -> MessagePage:
        partition = keys.ticket_partition(tenant_id, ticket_id)
        if after.get(keys.PK) != partition:
            return MessagePage([], None)
        response = self._call(
            self._client.query,
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :messages)",
            ExpressionAttributeValues={":pk": {"S": partition}, ":messages": {"S": keys.MESSAGE_PREFIX}},
            ExclusiveStartKey=typed_key(after),
            ConsistentRead=True,
            Limit=limit + 1,
        )
        return self._message_page(response["Items"], limit, bool(response.get("LastEvaluatedKey")))

    @staticmethod
    def _message_page(message_items: list[Item], limit: int, more_in_table: bool) -> MessagePage:
        page = message_items[:limit]
        has_more = len(message_items) > limit or (more_in_table and len(page) == limit)
        resume_at = (
            {keys.PK: page[-1]["PK"]["S"], keys.SK: page[-1]["SK"]["S"]} if has_more and page else None
        )
        return MessagePage([items.message_from_item(item) for item in page], resume_at)

    def find_ticket_id_by_number(self, tenant_id: str, sequence: int) -> str | None:
        item = self._get(keys.ticket_number_guard_key(tenant_id, sequence))
        return item["ticketId"]["S"] if item else None
