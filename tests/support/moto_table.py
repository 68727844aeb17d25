"""The table of template.yaml in moto, for a test or for a whole module, and what it holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from tests.support.aws import table_definition
from tickets import clients
from tickets.api.services import (
    agent_service,
    customer_service,
    ticket_service,
    token_service,
    webhook_service,
)
from tickets.realtime import authorizer, connections, push
from tickets.settings import get_event_settings, get_settings, get_webhook_settings
from tickets.store.idempotency import idempotency_store
from tickets.stream import processor
from tickets.webhooks.deliver import deliverer
from tickets.webhooks.dispatch import dispatcher


def forget_built_services() -> None:
    """Clients and services are built once per container; each table builds them inside its own mocks."""
    clients.reset()
    api = (ticket_service, customer_service, agent_service, webhook_service, token_service, idempotency_store)
    stream = (processor.automation, processor.publisher, processor.tickets)
    realtime = (authorizer.tokens, connections.connections, connections.poster, push.pusher)
    for service in (*api, *stream, dispatcher, deliverer, *realtime):
        service.cache_clear()


def create_event_and_webhook_resources() -> None:
    """What the stream function and the webhook functions reach besides the table: the event bus, the
    delivery queue and the secrets' key, named as the test environment names them (tests/conftest.py)."""
    boto3.client("events").create_event_bus(Name=get_event_settings().event_bus_name)
    webhooks = get_webhook_settings()
    boto3.client("sqs").create_queue(QueueName=webhooks.queue_url.rsplit("/", 1)[-1])
    kms = boto3.client("kms")
    key_id = kms.create_key(Description="webhook secrets")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=webhooks.key_id, TargetKeyId=key_id)


@contextmanager
def moto_table() -> Iterator[str]:
    """An empty table in its own moto, with the package's clients pointed at it; its name."""
    with mock_aws():
        settings = get_settings()
        boto3.client("dynamodb").create_table(**table_definition(settings.table_name))
        create_event_and_webhook_resources()
        forget_built_services()
        try:
            yield settings.table_name
        finally:
            forget_built_services()


def table_items() -> list[dict[str, Any]]:
    """Every item of the table (typed attribute values, as Scan returns them), in key order: compare two
    snapshots to see whether anything was written. Read from moto's store rather than through Scan, whose
    response serializer costs about 4 ms an item: fast enough to compare the whole table around each of
    hundreds of requests."""
    region = clients.dynamodb().meta.region_name
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(get_settings().table_name)
    return [item.to_json()["Attributes"] for item in table.all_items()]
