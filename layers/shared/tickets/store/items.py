"""Entities to and from items of the single table (attribute values in DynamoDB's typed form)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from tickets import keys
from tickets.ids import format_timestamp
from tickets.keys import Entity, ListMembership
from tickets.models.domain import (
    Actor,
    Agent,
    ApiKey,
    Customer,
    Message,
    Tenant,
    Ticket,
    TicketDeletion,
    TicketEvent,
    TicketSummary,
)
from tickets.models.realtime import Connection, Grant
from tickets.models.types import STORED
from tickets.models.webhooks import Delivery, DeliveryAttempt, SigningSecret, Webhook
from tickets.store.keyed_writes import KeyedRequest, KeyedWrite

Item = dict[str, Any]  # typed attribute values, e.g. {"PK": {"S": "..."}}
ModelT = TypeVar("ModelT", bound=BaseModel)

# Nested values are kept as JSON text: no float/Decimal conversion, and DynamoDB never has to
# index into them (list filters use the flat attributes below).
_JSON_ATTRIBUTES = frozenset(
    {
        "reference",
        "order",
        "customer",
        "assignedAgent",
        "metadata",
        "attachments",
        "from",
        "assignment",
        "changedBy",
        "postedBy",
        "actor",
        "changes",
        "secrets",
        "attempts",
        "ticket",
        "deletedBy",
        "sla",
    }
)


def serialize(values: dict[str, Any]) -> Item:
    """Plain values as typed attribute values, absent (None) ones left out. The rules of boto3's
    TypeSerializer for the types we store; boto3 itself is not imported (a tenth of a cold start)."""
    return {name: _typed(value) for name, value in values.items() if value is not None}


def deserialize(item: Item) -> dict[str, Any]:
    """Typed attribute values as plain ones (numbers as Decimal), as boto3's TypeDeserializer does."""
    return {name: _plain(value) for name, value in item.items()}


def _typed(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):  # before int: a bool is an int
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, dict):
        return {"M": {str(name): _typed(inner) for name, inner in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_typed(inner) for inner in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB: {value!r}")


_PLAIN: dict[str, Callable[[Any], Any]] = {
    "S": lambda value: value,
    "BOOL": lambda value: value,
    "N": Decimal,
    "NULL": lambda _: None,
    "M": lambda value: {name: _plain(inner) for name, inner in value.items()},
    "L": lambda value: [_plain(inner) for inner in value],
}


def _plain(typed: dict[str, Any]) -> Any:
    ((kind, value),) = typed.items()
    return _PLAIN[kind](value)


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _attributes(
    model: BaseModel, exclude: set[str] | None = None, include: set[str] | None = None
) -> dict[str, Any]:
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=exclude, include=include)
    for name in _JSON_ATTRIBUTES & data.keys():
        data[name] = _json_text(data[name])
    return data


def actor_attribute(name: str, actor: Actor | None) -> dict[str, Any]:
    """Who wrote an item, which its model never dumps (Field(exclude=True)): kept as JSON text."""
    if actor is None:
        return {}
    return {name: _json_text(attributes_of(actor))}


def attributes_of(model: BaseModel) -> dict[str, Any]:
    """A nested model as a DynamoDB map: camelCase, absent values left out (never NULL)."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _model(model_type: type[ModelT], values: dict[str, Any]) -> ModelT:
    data = {name: value for name, value in values.items() if name not in ("PK", "SK", "entity")}
    for name in _JSON_ATTRIBUTES & data.keys():
        data[name] = json.loads(data[name])
    for name, value in data.items():
        if isinstance(value, Decimal):
            data[name] = int(value)  # top-level numbers are counters
    return model_type.model_validate(data, context=STORED)


# Tenants -------------------------------------------------------------------------------------------


def tenant_item(tenant: Tenant) -> Item:
    return serialize(
        keys.tenant_key(tenant.id) | {"entity": Entity.TENANT, "ticketSequence": 0} | _attributes(tenant)
    )


def tenant_from_item(item: Item) -> Tenant:
    values = {
        name: value
        for name, value in deserialize(item).items()
        if name != "ticketSequence" and not name.startswith(keys.MONTHLY_TICKETS_PREFIX)
    }
    return _model(Tenant, values)


# Customers and agents ----------------------------------------------------------------------------


def customer_item(customer: Customer) -> Item:
    key = keys.customer_key(customer.tenant_id, customer.external_id)
    return serialize(
        key | {"entity": Entity.CUSTOMER, "tenantId": customer.tenant_id} | customer_attributes(customer)
    )


def customer_attributes(customer: Customer) -> dict[str, Any]:
    """The customer's attributes as stored (plain values, nested ones as JSON text), for updates."""
    return _attributes(customer) | actor_attribute("changedBy", customer.changed_by)


def customer_from_item(item: Item) -> Customer:
    return _model(Customer, deserialize(item))


def agent_item(agent: Agent) -> Item:
    key = keys.agent_key(agent.tenant_id, agent.id)
    return serialize(key | {"entity": Entity.AGENT, "tenantId": agent.tenant_id} | agent_attributes(agent))


def agent_attributes(agent: Agent) -> dict[str, Any]:
    return _attributes(agent) | actor_attribute("changedBy", agent.changed_by)


def agent_from_item(item: Item) -> Agent:
    return _model(Agent, deserialize(item))


# Tickets -----------------------------------------------------------------------------------------


def ticket_item(ticket: Ticket) -> Item:
    """The ticket without its description and its assignment record, which have items of their own
    (written once, read on get): every later write of the ticket stays small."""
    attributes = _attributes(ticket, exclude={"description", "assignment"})
    key = keys.ticket_key(ticket.tenant_id, ticket.id) | keys.ticket_index_key(
        ticket.tenant_id, ticket.id, attributes["updatedAt"]
    )
    actor = actor_attribute("changedBy", ticket.changed_by)
    return serialize(key | {"entity": Entity.TICKET, "tenantId": ticket.tenant_id} | attributes | actor)


def sla_clock_key(ticket: TicketSummary) -> keys.Key | None:
    """The ticket's entry in the clock sweep, while its SLA has a warning or a breach to come."""
    moment = ticket.sla.next_moment if ticket.sla else None
    if moment is None:
        return None
    return keys.sla_clock_key(ticket.tenant_id, ticket.id, format_timestamp(moment))


def sla_clock_item(ticket: TicketSummary) -> Item | None:
    key = sla_clock_key(ticket)
    if key is None:
        return None
    return serialize(key | {"entity": Entity.SLA_CLOCK, "tenantId": ticket.tenant_id, "ticketId": ticket.id})


def sla_due_key(ticket: TicketSummary) -> keys.Key | None:
    """The ticket's entry in what is due next, while an SLA metric of it runs."""
    due_at = ticket.sla.due_at if ticket.sla else None
    if due_at is None:
        return None
    return keys.sla_due_key(ticket.tenant_id, ticket.id, format_timestamp(due_at))


def sla_due_item(ticket: TicketSummary) -> Item | None:
    key = sla_due_key(ticket)
    if key is None:
        return None
    return serialize(key | {"entity": Entity.LIST_ENTRY, "ticketId": ticket.id, "version": ticket.version})


def description_item(ticket: Ticket) -> Item | None:
    if ticket.description is None:
        return None
    key = keys.description_key(ticket.tenant_id, ticket.id)
    return serialize(key | {"entity": Entity.DESCRIPTION, "description": ticket.description})


def assignment_item(ticket: Ticket) -> Item | None:
    """Why the ticket went to its agent (the automatic assignment's record)."""
    if ticket.assignment is None:
        return None
    key = keys.assignment_key(ticket.tenant_id, ticket.id)
    return serialize(key | {"entity": Entity.ASSIGNMENT} | _attributes(ticket, include={"assignment"}))


def holds_assignment(ticket: Item) -> bool:
    """A ticket item written before 2026-12, with its assignment record inside it."""
    return "assignment" in ticket


def ticket_from_items(ticket: Item, description: Item | None, assignment: Item | None = None) -> Ticket:
    values = deserialize(ticket)
    # customerExternalId and assignedAgentId: flat copies that tickets written before 2026-12 carry.
    for name in (keys.GSI1PK, keys.GSI1SK, "customerExternalId", "assignedAgentId"):
        values.pop(name, None)
    if description is not None:
        values["description"] = deserialize(description)["description"]
    if assignment is not None:
        values["assignment"] = deserialize(assignment)["assignment"]
    return _model(Ticket, values)


def list_entry_item(tenant_id: str, membership: ListMembership, ticket_id: str, version: int) -> Item:
    """That a ticket is in a list: keys only, and the ticket's version when it joined. Written (or
    deleted) in the ticket's own transaction, only when the ticket joins (or leaves) the list; a list
    page reads the tickets themselves."""
    entry = keys.list_entry_key(tenant_id, membership, ticket_id)
    return serialize(entry | {"entity": Entity.LIST_ENTRY, "version": version})


# API keys ----------------------------------------------------------------------------------------


def api_key_item(key: ApiKey, key_hash: str) -> Item:
    stored = keys.api_key_key(key.tenant_id, key.id) | {"entity": Entity.API_KEY, "keyHash": key_hash}
    return serialize(stored | _attributes(key))


def api_key_lookup_item(key: ApiKey, key_hash: str) -> Item:
    lookup = keys.api_key_lookup_key(key_hash) | {"entity": Entity.API_KEY_LOOKUP, "keyHash": key_hash}
    return serialize(lookup | _attributes(key))


def api_key_from_item(item: Item) -> ApiKey:
    values = deserialize(item)
    values.pop("keyHash", None)
    return _model(ApiKey, values)


# Messages and guards -----------------------------------------------------------------------------


def message_item(message: Message) -> Item:
    key = keys.message_key(message.tenant_id, message.ticket_id, message.id)
    head = {"entity": Entity.MESSAGE, "tenantId": message.tenant_id}
    return serialize(key | head | _attributes(message) | actor_attribute("postedBy", message.posted_by))


def message_from_item(item: Item) -> Message:
    return _model(Message, deserialize(item))


# History ------------------------------------------------------------------------------------------


def event_item(event: TicketEvent) -> Item:
    occurred_at = format_timestamp(event.occurred_at)
    key = keys.event_key(event.tenant_id, event.ticket_id, occurred_at, event.rank, event.id)
    return serialize(key | {"entity": Entity.EVENT, "tenantId": event.tenant_id} | _attributes(event))


def event_from_item(item: Item) -> TicketEvent:
    return _model(TicketEvent, deserialize(item))


# How long a deletion's record outlives the stream's 24 hours, which it is written for.
DELETION_RETENTION_SECONDS = 2 * 24 * 3600


def deletion_item(deletion: TicketDeletion) -> Item:
    key = keys.deletion_key(deletion.tenant_id, deletion.ticket.id)
    expires = int(deletion.deleted_at.timestamp()) + DELETION_RETENTION_SECONDS
    return serialize(key | {"entity": Entity.DELETION, "expiresAt": expires} | _attributes(deletion))


def deletion_from_item(item: Item) -> TicketDeletion:
    values = deserialize(item)
    values.pop("expiresAt", None)
    values["ticket"] = json.loads(values["ticket"]) | {"tenantId": values["tenantId"]}
    values["deletedBy"] = json.loads(values["deletedBy"])
    return TicketDeletion.model_validate(
        {name: value for name, value in values.items() if name not in ("PK", "SK", "entity")}, context=STORED
    )


# Webhooks ----------------------------------------------------------------------------------------

# How long an endpoint's delivery log keeps a delivery (the table's TTL deletes it after).
DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600


def webhook_item(webhook: Webhook) -> Item:
    head = {"entity": Entity.WEBHOOK, "tenantId": webhook.tenant_id}
    secrets = {"secrets": secrets_attribute(webhook.secrets)}
    return serialize(keys.webhook_key(webhook.tenant_id, webhook.id) | head | _attributes(webhook) | secrets)


def webhook_from_item(item: Item) -> Webhook:
    return _model(Webhook, deserialize(item))


def secrets_attribute(secrets: list[SigningSecret]) -> str:
    return _json_text([attributes_of(secret) for secret in secrets])


def delivery_item(delivery: Delivery) -> Item:
    key = keys.delivery_key(delivery.tenant_id, delivery.webhook_id, delivery.id)
    head = {
        "entity": Entity.DELIVERY,
        "tenantId": delivery.tenant_id,
        "payload": delivery.payload,
        "attemptCount": len(delivery.attempts),
        "expiresAt": int(delivery.created_at.timestamp()) + DELIVERY_RETENTION_SECONDS,
    }
    return serialize(key | head | _attributes(delivery))


def delivery_from_item(item: Item) -> Delivery:
    values = deserialize(item)
    for bookkeeping in ("attemptCount", "claimedUntil", "expiresAt"):  # conditions' and TTL's, not the API's
        values.pop(bookkeeping, None)
    return _model(Delivery, values)


def attempts_attribute(attempts: list[DeliveryAttempt]) -> str:
    return _json_text([attributes_of(attempt) for attempt in attempts])


def guard_item(key: dict[str, str], entity: Entity, ticket_id: str) -> Item:
    return serialize(key | {"entity": entity, "ticketId": ticket_id})


def entity_of(item: Item) -> str:
    return str(item.get("entity", {}).get("S", ""))


# Real-time tokens and connections ---------------------------------------------------------------


def realtime_token_item(token_hash: str, grant: Grant, expires_at: int) -> Item:
    head = {"entity": Entity.REALTIME_TOKEN, "expiresAt": expires_at}
    return serialize(keys.realtime_token_key(token_hash) | head | _attributes(grant))


def grant_from_item(item: Item) -> Grant:
    values = deserialize(item)
    values.pop("expiresAt", None)
    return _model(Grant, values)


def connection_item(connection: Connection, expires_at: int) -> Item:
    attributes = _attributes(connection)
    key = keys.connection_key(connection.id) | keys.connection_index_key(
        connection.tenant_id, connection.id, attributes["connectedAt"]
    )
    return serialize(key | {"entity": Entity.CONNECTION, "expiresAt": expires_at} | attributes)


def connection_from_item(item: Item) -> Connection:
    values = deserialize(item)
    for bookkeeping in (keys.GSI1PK, keys.GSI1SK, "expiresAt"):
        values.pop(bookkeeping, None)
    return _model(Connection, values)


# Idempotency-Key marks ---------------------------------------------------------------------------


def keyed_write_item(request: KeyedRequest, ticket_id: str, message_id: str | None) -> Item:
    key = keys.keyed_write_key(request.tenant_id, request.key)
    values = {"requestHash": request.request_hash, "ticketId": ticket_id, "messageId": message_id}
    return serialize(key | {"entity": Entity.KEYED_WRITE, "expiresAt": request.expires_at} | values)


def keyed_write_from_item(item: Item) -> KeyedWrite:
    values = deserialize(item)
    return KeyedWrite(
        request_hash=values["requestHash"],
        ticket_id=values["ticketId"],
        message_id=values.get("messageId"),
        expires_at=int(values["expiresAt"]),
    )
