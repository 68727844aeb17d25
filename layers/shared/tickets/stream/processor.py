"""DynamoDB stream records to the ticket's history, the event bus and automation: Powertools
BatchProcessor with partial batch responses, so one failing record (SES down, say) is retried without
redoing the batch's other records. A record's events are kept and published before its automation
runs: a record retried after a failed email keeps them once, and publishes them again under the same
ids, which the consumers keep once (logic/deliveries.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets import clients
from tickets.keys import Entity
from tickets.logic import events
from tickets.logic.automation import Automation
from tickets.models.domain import Message, TicketEvent, TicketSummary
from tickets.notify.mailer import Mailer
from tickets.notify.publisher import EventPublisher
from tickets.settings import get_event_settings, get_settings
from tickets.store import items
from tickets.store.agents import AgentStore
from tickets.store.history import HistoryStore
from tickets.store.items import Item
from tickets.store.lists import ListStore
from tickets.store.notifications import NotificationStore
from tickets.store.repository import TicketRepository
from tickets.store.tenants import TenantStore

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@lru_cache(maxsize=1)
def automation() -> Automation:
    settings = get_settings()
    client, table = clients.dynamodb(), settings.table_name
    return Automation(
        TicketRepository(client, table),
        TenantStore(client, table),
        AgentStore(client, table),
        ListStore(client, table),
        mailer=Mailer(clients.sesv2(), NotificationStore(client, table)),
        default_sender=settings.default_sender_email,
    )


@lru_cache(maxsize=1)
def history() -> HistoryStore:
    return HistoryStore(clients.dynamodb(), get_settings().table_name)


@lru_cache(maxsize=1)
def publisher() -> EventPublisher:
    return EventPublisher(clients.events(), get_event_settings().event_bus_name)


@lru_cache(maxsize=1)
def tickets() -> TicketRepository:
    return TicketRepository(clients.dynamodb(), get_settings().table_name)


def _keep_and_publish(
    found: list[TicketEvent], ticket: TicketSummary | None, message: Message | None = None
) -> None:
    history().record(found)
    publisher().publish([events.envelope(event, ticket, message) for event in found])


class Change(NamedTuple):
    """One record's item before (None: a new item) and after. `sequence` is the record's sequence
    number: it names the change for entities that keep no version (a redelivery brings the same)."""

    old: Item | None
    new: Item
    sequence: str


# What each entity's record does.
def _ticket(change: Change) -> None:
    before = items.ticket_from_items(change.old, None) if change.old else None
    after = items.ticket_from_items(change.new, None)
    _keep_and_publish(events.ticket_events(before, after), after.summary())
    automation().ticket_changed(before, after)


def _message(change: Change) -> None:
    if change.old:  # a message is written once
        return
    message = items.message_from_item(change.new)
    ticket = tickets().get_ticket(message.tenant_id, message.ticket_id)  # the ticket after the reply
    _keep_and_publish(events.message_events(message), ticket.summary() if ticket else None, message)
    automation().message_added(message)


def _deletion(change: Change) -> None:
    """A ticket deleted: its event goes to the bus only, as its history goes with it."""
    if change.old:
        return
    deletion = items.deletion_from_item(change.new)
    publisher().publish(
        [events.envelope(event, deletion.ticket) for event in events.deletion_events(deletion)]
    )


def _customer(change: Change) -> None:
    if change.old:  # a new customer is told of by its ticket's ticket.created
        before, after = items.customer_from_item(change.old), items.customer_from_item(change.new)
        publisher().publish(events.customer_events(before, after, change.sequence))


def _agent(change: Change) -> None:
    before = items.agent_from_item(change.old) if change.old else None
    after = items.agent_from_item(change.new)
    if before is not None:
        publisher().publish(events.agent_events(before, after, change.sequence))
    automation().agent_changed(before, after)


def _webhook(change: Change) -> None:
    before = items.webhook_from_item(change.old) if change.old else None
    after = items.webhook_from_item(change.new)
    if before is not None and before.enabled and not after.enabled:
        automation().webhook_disabled(after)


_BY_ENTITY: dict[str, Callable[[Change], None]] = {
    Entity.TICKET: _ticket,
    Entity.MESSAGE: _message,
    Entity.DELETION: _deletion,
    Entity.CUSTOMER: _customer,
    Entity.AGENT: _agent,
    Entity.WEBHOOK: _webhook,
}


def handle_record(record: DynamoDBRecord) -> None:
    images = record.raw_event.get("dynamodb", {})
    new, old = images.get("NewImage"), images.get("OldImage")
    if not new:
        if old and items.entity_of(old) == Entity.TICKET:  # a deleted ticket's history goes with it
            deleted = items.ticket_from_items(old, None)
            history().forget(deleted.tenant_id, deleted.id)
        return
    on_change = _BY_ENTITY.get(items.entity_of(new))
    if on_change is not None:
        on_change(Change(old, new, str(images.get("SequenceNumber", ""))))


def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """{"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}: the records to retry."""
    response = process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
    return dict(response)
