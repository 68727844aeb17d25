"""The delivery queue's tasks to webhook attempts (logic/deliveries.py). The records of a batch are
attempted side by side, each in a thread of its own, so a slow endpoint (up to the 10 s timeout) holds
back no other endpoint's attempt. A failed record is handed over again, alone (partial batch response)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets import clients
from tickets.logic.deliveries import Deliverer
from tickets.models.webhooks import DeliveryTask
from tickets.notify.delivery_queue import DeliveryQueue
from tickets.settings import get_settings, get_webhook_settings
from tickets.store.secrets import SecretBox
from tickets.store.webhooks import WebhookStore

processor = AsyncBatchProcessor(event_type=EventType.SQS)
# A thread for each record of a batch (template.yaml's BatchSize): asyncio's default pool has fewer on
# Lambda's small share of a CPU, which would queue attempts behind a slow endpoint's.
BATCH_SIZE = 10
_attempts = ThreadPoolExecutor(max_workers=BATCH_SIZE, thread_name_prefix="attempt")


@lru_cache(maxsize=1)
def deliverer() -> Deliverer:
    settings = get_webhook_settings()
    return Deliverer(
        WebhookStore(clients.dynamodb(), get_settings().table_name),
        SecretBox(clients.kms(), settings.key_id),
        DeliveryQueue(clients.sqs(), settings.queue_url),
        allow_loopback=settings.loopback_allowed,
    )


async def handle_record(record: SQSRecord) -> None:
    task = DeliveryTask.model_validate_json(record.body)
    await asyncio.get_running_loop().run_in_executor(_attempts, deliverer().attempt, task)


def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = async_process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
    return dict(response)
