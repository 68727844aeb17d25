"""DynamoDB stream records to automation: Powertools BatchProcessor with partial batch responses,
so one failing record (SES down, say) is retried without redoing the batch's other records."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets import clients
from tickets.keys import Entity
from tickets.logic.automation import Automation
from tickets.notify.mailer import Mailer
from tickets.settings import get_settings
from tickets.store import items
from tickets.store.agents import AgentStore
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


def handle_record(record: DynamoDBRecord) -> None:
    change = record.raw_event.get("dynamodb", {})
    new, old = change.get("NewImage"), change.get("OldImage")
    if not new:
        return  # deletions cause nothing
    entity = items.entity_of(new)
    if entity == Entity.TICKET:
        before = items.ticket_from_items(old, None) if old else None
        automation().ticket_changed(before, items.ticket_from_items(new, None))
    elif entity == Entity.MESSAGE and not old:
        automation().message_added(items.message_from_item(new))
    elif entity == Entity.AGENT:
        automation().agent_changed(items.agent_from_item(old) if old else None, items.agent_from_item(new))


def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """{"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}: the records to retry."""
    response = process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
    return dict(response)
