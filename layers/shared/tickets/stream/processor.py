"""DynamoDB stream records to the ticket's history, the event bus and automation: Powertools
BatchProcessor with partial batch responses, so one failing record (SES down, say) is retried without
redoing the batch's other records. A record's events are kept and published before its automation
runs: a record retried after a failed email keeps them once, and publishes them again under the same
ids, which the consumers keep once (logic/deliveries.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

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


def handle_record(record: DynamoDBRecord) -> None:
    change = record.raw_event.get("dynamodb", {})
    new, old = change.get("NewImage"), change.get("OldImage")
    if not new:
        if old and items.entity_of(old) == Entity.TICKET:  # a deleted ticket's history goes with it
            deleted = items.ticket_from_items(old, None)
            history().forget(deleted.tenant_id, deleted.id)
        return
    entity = items.entity_of(new)
    if entity == Entity.TICKET:
        before = items.ticket_from_items(old, None) if old else None
        after = items.ticket_from_items(new, None)
        _keep_and_publish(events.ticket_events(before, after), after.summary())
        automation().ticket_changed(before, after)
    elif entity == Entity.MESSAGE and not old:
        message = items.message_from_item(new)
        ticket = tickets().get_ticket(message.tenant_id, message.ticket_id)  # the ticket after the reply
        _keep_and_publish(events.message_events(message), ticket.summary() if ticket else None, message)
        automation().message_added(message)
    elif entity == Entity.AGENT:
        automation().agent_changed(items.agent_from_item(old) if old else None, items.agent_from_item(new))


def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """{"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}: the records to retry."""
    response = process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
    return dict(response)
