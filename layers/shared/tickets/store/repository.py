"""Reads and writes of the single table. Decides nothing: the logic says what to write."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from tickets import keys
from tickets.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from tickets.ids import format_timestamp
from tickets.keys import Entity, ListMembership
from tickets.models.domain import (
    Agent,
    Customer,
    Message,
    Tenant,
    TenantPlan,
    Ticket,
    TicketSummary,
)
from tickets.store import items, keyed_writes
from tickets.store.items import Item
from tickets.store.keyed_writes import KeyedWrite
from tickets.store.table import MAX_TRANSACTION_ITEMS, Table, TransactionRejected, plain_key, typed_key


class StaleWrite(Exception):
    """The ticket changed since it was read (its version moved on)."""


class QuotaExhausted(Exception):
    def __init__(self, tenant: Tenant) -> None:
        super().__init__(tenant.id)
        self.tenant = tenant


class AgentUnavailable(Exception):
    """The agent chosen for an automatic assignment filled up or went away meanwhile, or the agent a
    ticket is created for went away."""


class ExternalIdTaken(Exception):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(ticket_id)
        self.ticket_id = ticket_id


@dataclass(frozen=True)
class ListEntry:
    """A ticket found in a list: where to resume after it, what it sorts by, and its summary (None
    until read: a list entry holds keys only; an entry of the update order is the ticket itself)."""

    ticket_id: str
    position: dict[str, str]
    sort_value: str
    version: int  # the entry's: the ticket's version when the entry was written
    summary: TicketSummary | None = None


@dataclass(frozen=True)
class ListRead:
    entries: list[ListEntry]
    # Where reading stopped (DynamoDB's LastEvaluatedKey), or None when the list is exhausted.
    resume_at: dict[str, str] | None
    resume_sort_value: str | None
    items_examined: int


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
    """Tickets, their messages, lists and stats; tenants, customers and agents they refer to."""

    # Tenants, customers, agents -------------------------------------------------------------------

    def create_tenant(self, tenant: Tenant) -> bool:
        """False when the tenant exists already: it is left as it is (its ticket sequence above all)."""
        try:
            self._call(
                self._client.put_item,
                TableName=self._table,
                Item=items.tenant_item(tenant),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        item = self._get(keys.tenant_key(tenant_id))
        return items.tenant_from_item(item) if item else None

    def set_usage_key(self, tenant_id: str, key_id: str, value: str) -> None:
        self._call(
            self._client.update_item,
            TableName=self._table,
            Key=typed_key(keys.tenant_key(tenant_id)),
            UpdateExpression="SET usageKeyId = :id, usageKey = :value",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":id": {"S": key_id}, ":value": {"S": value}},
        )

    def set_plan(self, tenant_id: str, plan: TenantPlan) -> Tenant | None:
        return self._set_tenant_attribute(tenant_id, "plan", items.attributes_of(plan))

    def set_channel_sellers(self, tenant_id: str, seller_ids: list[str]) -> Tenant | None:
        return self._set_tenant_attribute(tenant_id, "channelSellerIds", seller_ids)

    def _set_tenant_attribute(self, tenant_id: str, name: str, value: Any) -> Tenant | None:
        """The tenant with one attribute replaced; None when there is no such tenant."""
        try:
            response = self._call(
                self._client.update_item,
                TableName=self._table,
                Key=typed_key(keys.tenant_key(tenant_id)),
                UpdateExpression="SET #name = :value",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#name": name},
                ExpressionAttributeValues={":value": items.serialize({name: value})[name]},
                ReturnValues="ALL_NEW",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return items.tenant_from_item(response["Attributes"])

    def upsert_customer(self, customer: Customer) -> tuple[Customer, bool]:
        """Create the customer, or replace its details keeping its id and createdAt (one round trip).
        True when it was created."""
        values = items.customer_attributes(customer)
        kept = {"id", "createdAt"}
        replaced = {
            name: values.get(name) for name in ("email", "name", "metadata", "updatedAt", "externalId")
        }
        names = {f"#{name}": name for name in (*kept, *replaced, "entity", "tenantId")}
        typed = items.serialize(
            {f":{name}": value for name, value in replaced.items()}
            | {":id": customer.id, ":createdAt": values["createdAt"], ":entity": Entity.CUSTOMER}
            | {":tenantId": customer.tenant_id}
        )
        sets = [f"#{name} = :{name}" for name, value in replaced.items() if value is not None]
        sets += ["#id = if_not_exists(#id, :id)", "#createdAt = if_not_exists(#createdAt, :createdAt)"]
        sets += ["#entity = :entity", "#tenantId = :tenantId"]
        removes = [f"#{name}" for name, value in replaced.items() if value is None]
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        response = self._call(
            self._client.update_item,
            TableName=self._table,
            Key=typed_key(keys.customer_key(customer.tenant_id, customer.external_id)),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=typed,
            ReturnValues="ALL_NEW",
        )
        stored = items.customer_from_item(response["Attributes"])
        return stored, stored.id == customer.id

    def add_customer(self, customer: Customer) -> tuple[Customer, bool]:
        """Create the customer unless it exists: an existing one is returned as it is, never changed.
        True when it was created."""
        try:
            self._call(
                self._client.put_item,
                TableName=self._table,
                Item=items.customer_item(customer),
                ConditionExpression="attribute_not_exists(PK)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            old = cast("Item | None", dict(error.response).get("Item"))  # the customer there already
            existing = (
                items.customer_from_item(old)
                if old
                else self.get_customer(customer.tenant_id, customer.external_id)
            )
            if existing is None:  # customers are never deleted: a failed condition means one is there
                raise
            return existing, False
        return customer, True

    def get_customer(self, tenant_id: str, external_id: str) -> Customer | None:
        item = self._get(keys.customer_key(tenant_id, external_id))
        return items.customer_from_item(item) if item else None

    def list_customers(
        self, tenant_id: str, start: dict[str, str] | None, limit: int
    ) -> tuple[list[Customer], dict[str, str] | None]:
        """A page of customers by externalId; the key to resume after, when there are more."""
        partition, prefix = keys.customers_partition(tenant_id)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":prefix": {"S": prefix}},
            "Limit": limit + 1,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        found = self._call(self._client.query, **request)["Items"]
        page = found[:limit]
        resume = plain_key({"PK": page[-1]["PK"], "SK": page[-1]["SK"]}) if len(found) > limit else None
        return [items.customer_from_item(item) for item in page], resume

    def put_customer(self, customer: Customer) -> None:
        self._call(self._client.put_item, TableName=self._table, Item=items.customer_item(customer))

    def put_agent(self, agent: Agent) -> tuple[Agent, bool]:
        """Create the agent, or replace its profile (name, email, level, availability, capacity),
        keeping its load, last assignment and createdAt. True when it was created."""
        stored = items.agent_attributes(agent)
        profile = {
            name: stored.get(name) for name in ("name", "email", "level", "available", "maxOpenTickets")
        }
        kept = {"openTickets": 0, "createdAt": stored["createdAt"]}
        fixed = {"entity": Entity.AGENT, "tenantId": agent.tenant_id, "id": agent.id}
        agent_now = self._update_agent(agent.tenant_id, agent.id, profile | fixed, kept, condition=None)
        assert agent_now is not None
        return agent_now, agent_now.created_at == agent.created_at

    def change_agent(self, tenant_id: str, agent_id: str, changes: dict[str, Any]) -> Agent | None:
        """Set some profile fields (camelCase names) of an existing agent; None if there is none."""
        return self._update_agent(tenant_id, agent_id, changes, {}, condition="attribute_exists(PK)")

    def _update_agent(
        self,
        tenant_id: str,
        agent_id: str,
        values: dict[str, Any],
        kept: dict[str, Any],
        condition: str | None,
    ) -> Agent | None:
        """SET `values` (None: REMOVE), SET `kept` only where absent; one round trip."""
        names = {f"#{name}": name for name in (*values, *kept)}
        sets = [f"#{name} = :{name}" for name, value in values.items() if value is not None]
        sets += [f"#{name} = if_not_exists(#{name}, :{name})" for name in kept]
        removes = [f"#{name}" for name, value in values.items() if value is None]
        placeholders = {f":{name}": value for name, value in (values | kept).items() if value is not None}
        clauses = [
            f"{action} {', '.join(parts)}" for action, parts in (("SET", sets), ("REMOVE", removes)) if parts
        ]
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": typed_key(keys.agent_key(tenant_id, agent_id)),
            "UpdateExpression": " ".join(clauses),
            "ExpressionAttributeNames": names,
            "ReturnValues": "ALL_NEW",
        }
        if placeholders:  # a PATCH that only clears the email has no values at all
            request["ExpressionAttributeValues"] = items.serialize(placeholders)
        if condition:
            request["ConditionExpression"] = condition
        try:
            response = self._call(self._client.update_item, **request)
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return items.agent_from_item(response["Attributes"])

    def list_agents(self, tenant_id: str) -> list[Agent]:
        """Every agent of the tenant (a support team: tens, not thousands), in id order."""
        return [items.agent_from_item(item) for item in self._query_prefix(*keys.agents_partition(tenant_id))]

    def get_agent(self, tenant_id: str, agent_id: str) -> Agent | None:
        item = self._get(keys.agent_key(tenant_id, agent_id))
        return items.agent_from_item(item) if item else None

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

    def allocate_ticket_number(self, tenant_id: str, period: str) -> tuple[Tenant, int] | None:
        """The tenant and its next ticket number, counting the ticket against the period's quota, in
        one conditional update (exact under any concurrency). None for an unknown tenant; raises
        QuotaExhausted when the tenant's plan allows no more tickets this period."""
        try:
            response = self._call(
                self._client.update_item,
                TableName=self._table,
                Key=typed_key(keys.tenant_key(tenant_id)),
                UpdateExpression="SET #month = if_not_exists(#month, :zero) + :one ADD ticketSequence :one",
                ConditionExpression=(
                    "attribute_exists(PK) AND (attribute_not_exists(#plan.#quota)"
                    " OR (attribute_not_exists(#month) AND #plan.#quota > :zero) OR #month < #plan.#quota)"
                ),
                ExpressionAttributeNames={
                    "#month": keys.monthly_tickets_attribute(period),
                    "#plan": "plan",
                    "#quota": "monthlyTicketQuota",
                },
                ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            old = cast("Item | None", dict(error.response).get("Item"))  # the tenant as it was, if any
            if old:
                raise QuotaExhausted(items.tenant_from_item(old)) from None
            return None
        attributes = response["Attributes"]
        return items.tenant_from_item(attributes), int(attributes["ticketSequence"]["N"])

    def release_quota(self, tenant_id: str, period: str) -> None:
        """Give back a ticket counted against the quota whose creation then failed."""
        self._call(
            self._client.update_item,
            TableName=self._table,
            Key=typed_key(keys.tenant_key(tenant_id)),
            UpdateExpression="ADD #month :minus",
            ConditionExpression="#month > :zero",
            ExpressionAttributeNames={"#month": keys.monthly_tickets_attribute(period)},
            ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
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
        description = items.description_item(ticket)
        if description:
            writes.append(self._put(description))
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
        tenant_id = after.tenant_id
        ticket_put = self._put(items.ticket_item(after), "#version = :expected")
        ticket_put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
        ticket_put["Put"]["ExpressionAttributeValues"] = {":expected": {"N": str(before.version)}}
        writes = [ticket_put]
        if message is not None:
            writes.append(self._put(items.message_item(message), "attribute_not_exists(PK)"))
        # Entries hold no copy of the ticket: only the lists it leaves or joins are written.
        for membership in sorted(memberships_before - memberships_after):
            writes.append(self._delete(keys.list_entry_key(tenant_id, membership, after.id)))
        writes.extend(
            self._put(items.list_entry_item(tenant_id, membership, after.id, after.version))
            for membership in sorted(memberships_after - memberships_before)
        )
        if stats_delta:
            writes.append(
                self._add_counters(keys.stats_shard_key(tenant_id, after.id), stats_delta, Entity.STATS)
            )
        first_agent_write = len(writes)
        for agent_id, change in sorted((agent_load_delta or {}).items()):
            writes.append(self._agent_load(tenant_id, agent_id, change, after.updated_at, within_capacity))
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
                raise StaleWrite(after.id) from None
            if any(index >= first_agent_write for index in failed):
                raise AgentUnavailable(after.id) from None
            raise

    def delete_ticket(
        self,
        ticket: Ticket,
        sequence: int,
        *,
        memberships: set[ListMembership],
        stats_delta: dict[str, int],
        agent_load_delta: dict[str, int],
    ) -> None:
        """Delete the ticket with everything that is its: description, messages, list entries, number
        and externalId guards, its part of the stats and of its agent's load. The ticket itself goes in
        one transaction with all of these, if nobody changed it since it was read (else StaleWrite);
        messages that do not fit in that transaction are deleted before it, oldest first, so a failure
        midway leaves the ticket whole in every list and a retry carries on."""
        tenant_id = ticket.tenant_id
        ticket_delete = self._delete(keys.ticket_key(tenant_id, ticket.id))
        ticket_delete["Delete"] |= {
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":expected": {"N": str(ticket.version)}},
        }
        writes = [ticket_delete, self._delete(keys.ticket_number_guard_key(tenant_id, sequence))]
        if ticket.external_id is not None:
            writes.append(self._delete(keys.external_id_guard_key(tenant_id, ticket.external_id)))
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

    def _partition_keys(self, partition: str) -> list[dict[str, str]]:
        """The keys of every item of a partition, all pages, read consistently."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ProjectionExpression": "PK, SK",
            "ConsistentRead": True,
        }
        found: list[dict[str, str]] = []
        while True:
            response = self._call(self._client.query, **request)
            found.extend(plain_key(item) for item in response["Items"])
            if not response.get("LastEvaluatedKey"):
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

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

    def claim_notification(self, tenant_id: str, notification: str, expires_at: int) -> bool:
        """True the first time a notification is claimed; False when it was sent (or is being sent)."""
        item = items.serialize(
            keys.notification_key(tenant_id, notification)
            | {"entity": Entity.NOTIFICATION, "expiresAt": expires_at}
        )
        try:
            self._call(
                self._client.put_item,
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_notification(self, tenant_id: str, notification: str) -> None:
        """The email could not be sent: let the retry claim it again."""
        key = typed_key(keys.notification_key(tenant_id, notification))
        self._call(self._client.delete_item, TableName=self._table, Key=key)

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
                ":first": {"S": keys.DESCRIPTION_SK},
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
        return items.ticket_from_items(ticket, by_entity.get(Entity.DESCRIPTION)) if ticket else None

    def get_ticket_with_messages(
        self, tenant_id: str, ticket_id: str, limit: int
    ) -> tuple[Ticket | None, MessagePage]:
        """The ticket, its description and its first `limit` messages, in one Query of its partition."""
        partition = keys.ticket_partition(tenant_id, ticket_id)
        response = self._call(
            self._client.query,
            TableName=self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": partition}},
            ConsistentRead=True,
            Limit=limit + 3,  # description, ticket, `limit` messages, one more to know there are more
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

    # Lists and stats -------------------------------------------------------------------------------

    def read_list_entries(
        self,
        tenant_id: str,
        membership: ListMembership,
        *,
        ascending: bool,
        start: dict[str, str] | None,
        limit: int,
    ) -> ListRead:
        """Up to `limit` entries of one list in creation order (ticket ids are ULIDs), after `start`."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.list_partition(tenant_id, membership)}},
            "ScanIndexForward": ascending,
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        entries = [
            ListEntry(
                ticket_id=item[keys.SK]["S"],
                position={keys.PK: item[keys.PK]["S"], keys.SK: item[keys.SK]["S"]},
                sort_value=item[keys.SK]["S"],
                version=int(item["version"]["N"]),
            )
            for item in response["Items"]
        ]
        return self._list_read(entries, response, keys.SK)

    def read_updated(
        self,
        tenant_id: str,
        *,
        ascending: bool,
        since: str | None,
        start: dict[str, str] | None,
        limit: int,
    ) -> ListRead:
        """Up to `limit` of the tenant's tickets in order of last update (GSI1), after `start`, updated
        at `since` or later when given."""
        values: dict[str, Any] = {":pk": {"S": keys.updated_partition(tenant_id)}}
        key_condition = f"{keys.GSI1PK} = :pk"
        if since is not None:
            key_condition += f" AND {keys.GSI1SK} >= :since"
            values[":since"] = {"S": since}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": keys.GSI1,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": ascending,
            "Limit": limit,
        }
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        entries = []
        for item in response["Items"]:
            summary = items.ticket_from_items(item, None).summary()
            position = {name: item[name]["S"] for name in (keys.PK, keys.SK, keys.GSI1PK, keys.GSI1SK)}
            entries.append(ListEntry(summary.id, position, item[keys.GSI1SK]["S"], summary.version, summary))
        return self._list_read(entries, response, keys.GSI1SK)

    @staticmethod
    def _list_read(entries: list[ListEntry], response: dict[str, Any], sort_key: str) -> ListRead:
        last = response.get("LastEvaluatedKey")
        resume_at = plain_key(last) if last else None
        resume_sort_value = resume_at[sort_key] if resume_at else None
        return ListRead(entries, resume_at, resume_sort_value, response["ScannedCount"])

    def get_summaries(self, tenant_id: str, ticket_ids: Sequence[str]) -> dict[str, TicketSummary]:
        """The tickets' summaries by id, eventually consistent (as list pages are); a deleted one is
        missing."""
        wanted = [keys.ticket_key(tenant_id, ticket_id) for ticket_id in dict.fromkeys(ticket_ids)]
        found = self._batch_get(wanted, consistent=False)
        summaries = (items.ticket_from_items(item, None).summary() for item in found)
        return {summary.id: summary for summary in summaries}

    def drop_stale_list_entry(
        self, tenant_id: str, membership: ListMembership, ticket_id: str, version: int
    ) -> bool:
        """Delete a list entry found for a ticket that no longer belongs in the list, if it is still the
        entry of that version (a newer write of the ticket decides for itself). True when deleted."""
        try:
            self._call(
                self._client.delete_item,
                TableName=self._table,
                Key=typed_key(keys.list_entry_key(tenant_id, membership, ticket_id)),
                ConditionExpression="#version = :version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":version": {"N": str(version)}},
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def read_stats(self, tenant_id: str) -> dict[str, int]:
        """The sum of the tenant's stats shards: one Query of at most STATS_SHARDS small items."""
        partition, prefix = keys.stats_partition(tenant_id)
        response = self._call(
            self._client.query,
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": {"S": partition}, ":prefix": {"S": prefix}},
        )
        totals: dict[str, int] = {}
        for item in response["Items"]:
            for name, value in items.deserialize(item).items():
                if name not in ("PK", "SK", "entity"):
                    totals[name] = totals.get(name, 0) + int(value)
        return totals
