"""Every change is an event: what a ticket write, or a message, was, derived from the item before and
after it (the table's stream). Pure: the stream function records them (store/history.py) and
publishes them (notify/publisher.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from tickets.ids import format_timestamp
from tickets.logic import sla_clock
from tickets.models.domain import (
    UNKNOWN_ACTOR,
    Actor,
    Agent,
    Customer,
    EventEnvelope,
    FieldChange,
    Message,
    Ticket,
    TicketDeletion,
    TicketEvent,
    TicketSummary,
)
from tickets.models.enums import EventType

# What a PATCH (or the automatic assignment) can change, by the name the API writes: ticket.updated
# tells of these, the status and the agent have events of their own.
_UPDATED_FIELDS = ("subject", "priority", "category", "department", "topic", "tagIds", "metadata")
_STATUS_FIELDS = ("status", "awaitingResponseFrom")
# What customer.updated and agent.updated tell of: their details, never an agent's load.
_CUSTOMER_FIELDS = ("email", "name", "metadata")
_AGENT_FIELDS = ("name", "email", "level", "available", "maxOpenTickets")


def event_id(tenant_id: str, subject: str, change: str, event_type: EventType) -> str:
    """The same for the same change whenever it is derived: a stream record delivered twice makes
    the same event, which its history and its deliveries then keep once. `subject` is a ticket's id,
    or `customer/<id>` and `agent/<id>`."""
    digest = hashlib.sha256(f"{tenant_id}/{subject}/{change}/{event_type}".encode()).hexdigest()
    return f"evt_{digest[:32]}"


def ticket_events(before: Ticket | None, after: Ticket) -> list[TicketEvent]:
    """The events of one ticket write, in the order they are told: created; or updated, status changed,
    assigned or unassigned (none for a write that changed none of these, such as a reply's count)."""

    def event(event_type: EventType, changes: list[FieldChange]) -> TicketEvent:
        return _event(
            after.tenant_id,
            after.id,
            f"v{after.version}",
            event_type,
            occurred_at=after.updated_at,
            actor=after.changed_by,
            changes=changes,
        )

    if before is None:
        return [event(EventType.TICKET_CREATED, [])]
    old, new = _fields(before), _fields(after)
    events = []
    updated = _changes(old, new, _UPDATED_FIELDS)
    if updated:
        events.append(event(EventType.TICKET_UPDATED, updated))
    if old["status"] != new["status"]:
        events.append(event(EventType.TICKET_STATUS_CHANGED, _changes(old, new, _STATUS_FIELDS)))
    if old["assignedAgent"] != new["assignedAgent"]:
        assigned = EventType.TICKET_UNASSIGNED if after.assigned_agent is None else EventType.TICKET_ASSIGNED
        events.append(event(assigned, _changes(old, new, ("assignedAgent",))))
    return events + sla_events(before, after)


def sla_events(before: Ticket, after: Ticket) -> list[TicketEvent]:
    """sla.warning and sla.breached: one per metric whose warning or breach the write recorded (the
    clock sweep's), at the moment it was recorded, with the metric's due time."""
    found = []
    for event_type, moment in ((EventType.SLA_WARNING, "warned_at"), (EventType.SLA_BREACHED, "breached_at")):
        for name, metric in sla_clock.newly_recorded(before, after, moment):
            at = getattr(metric, moment)
            field = f"sla.{name}.{to_camel(moment)}"
            found.append(
                _event(
                    after.tenant_id,
                    after.id,
                    f"v{after.version}/{name}",
                    event_type,
                    occurred_at=at,
                    actor=after.changed_by,
                    changes=[
                        FieldChange.model_validate({"field": field, "from": None, "to": format_timestamp(at)})
                    ],
                    metric=name,
                    due_at=metric.due_at,
                )
            )
    return found


def message_events(message: Message) -> list[TicketEvent]:
    """A message posted: a public reply or an internal note (told apart by `internal`)."""
    return [
        _event(
            message.tenant_id,
            message.ticket_id,
            f"m{message.id}",
            EventType.MESSAGE_CREATED,
            occurred_at=message.created_at,
            actor=message.posted_by,
            message_id=message.id,
            internal=message.internal,
        )
    ]


def deletion_events(deletion: TicketDeletion) -> list[TicketEvent]:
    """A ticket deleted: told once, by whoever deleted it (its history goes with it)."""
    ticket = deletion.ticket
    return [
        _event(
            ticket.tenant_id,
            ticket.id,
            "deleted",
            EventType.TICKET_DELETED,
            occurred_at=deletion.deleted_at,
            actor=deletion.deleted_by,
        )
    ]


def customer_events(before: Customer, after: Customer, change: str) -> list[EventEnvelope]:
    """An existing customer's details changed (none when a write left them as they were). `change`
    names the stream record (its sequence number), as a customer keeps no version."""
    return _profile_events(
        EventType.CUSTOMER_UPDATED, "customer", before, after, change=change, names=_CUSTOMER_FIELDS
    )


def agent_events(before: Agent, after: Agent, change: str) -> list[EventEnvelope]:
    """An existing agent's profile changed; its load moving (an assignment, a close) is no event."""
    return _profile_events(
        EventType.AGENT_UPDATED, "agent", before, after, change=change, names=_AGENT_FIELDS
    )


def _profile_events(
    event_type: EventType,
    part: str,
    before: Customer | Agent,
    after: Customer | Agent,
    *,
    change: str,
    names: tuple[str, ...],
) -> list[EventEnvelope]:
    """`part` is the envelope's field for the entity, and the event id's subject with its id."""
    changes = _changes(_fields(before), _fields(after), names)
    if not changes:
        return []
    return [
        EventEnvelope.model_validate(
            {
                "id": event_id(after.tenant_id, f"{part}/{after.id}", change, event_type),
                "type": event_type,
                "occurred_at": after.updated_at,
                "tenant_id": after.tenant_id,
                "actor": after.changed_by or UNKNOWN_ACTOR,
                "changes": changes,
                part: after,
            }
        )
    ]


def envelope(
    event: TicketEvent, ticket: TicketSummary | None, message: Message | None = None
) -> EventEnvelope:
    """The event as its consumers get it: with the ticket after the change (and the message posted)."""
    return EventEnvelope(
        id=event.id,
        type=event.type,
        occurred_at=event.occurred_at,
        tenant_id=event.tenant_id,
        actor=event.actor,
        changes=event.changes,
        metric=event.metric,
        due_at=event.due_at,
        ticket=ticket,
        message=message,
    )


def event_document(envelope: EventEnvelope) -> str:
    """The event as webhooks and the real-time push send it: `{type, timestamp, data}` (Standard
    Webhooks' shape), `data` the envelope without its null values."""
    data = envelope.model_dump(mode="json", by_alias=True, exclude_none=True)
    document = {"type": envelope.type, "timestamp": format_timestamp(envelope.occurred_at), "data": data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _event(
    tenant_id: str,
    ticket_id: str,
    change: str,
    event_type: EventType,
    *,
    occurred_at: datetime,
    actor: Actor | None,
    **details: Any,
) -> TicketEvent:
    """`change` names the write (the ticket's version, or the message) the event's id derives from."""
    return TicketEvent(
        tenant_id=tenant_id,
        ticket_id=ticket_id,
        id=event_id(tenant_id, ticket_id, change, event_type),
        type=event_type,
        occurred_at=occurred_at,
        actor=actor or UNKNOWN_ACTOR,
        **details,
    )


def _fields(entity: BaseModel) -> dict[str, Any]:
    return entity.model_dump(mode="json", by_alias=True)


def _changes(old: dict[str, Any], new: dict[str, Any], names: tuple[str, ...]) -> list[FieldChange]:
    return [
        FieldChange.model_validate({"field": name, "from": old.get(name), "to": new.get(name)})
        for name in names
        if old.get(name) != new.get(name)
    ]
