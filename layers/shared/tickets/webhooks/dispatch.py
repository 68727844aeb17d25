"""The event bus's events (through the WebhookEvents queue) to webhook deliveries, one per endpoint
that wants the event, each with its first attempt queued (logic/deliveries.py). Powertools
BatchProcessor with partial batch responses: a failed event is handed over again, alone."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets import clients
from tickets.logic.deliveries import Dispatcher
from tickets.models.domain import EventEnvelope
from tickets.notify.delivery_queue import DeliveryQueue
from tickets.settings import get_settings, get_webhook_settings
from tickets.store.webhooks import WebhookStore

processor = BatchProcessor(event_type=EventType.SQS)


@lru_cache(maxsize=1)
def dispatcher() -> Dispatcher:
    webhooks = WebhookStore(clients.dynamodb(), get_settings().table_name)
    return Dispatcher(webhooks, DeliveryQueue(clients.sqs(), get_webhook_settings().queue_url))


def handle_record(record: SQSRecord) -> None:
    """A record's body is the bus's event; its detail, the event as published (notify/publisher.py)."""
    envelope = EventEnvelope.model_validate(json.loads(record.body)["detail"])
    dispatcher().dispatch([envelope])


def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
    return dict(response)
