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
from tickets.api.services import agent_service, customer_service, ticket_service
from tickets.settings import get_settings
from tickets.store.idempotency import idempotency_store
from tickets.stream.processor import automation


def forget_built_services() -> None:
    """Clients and services are built once per container; each table builds them inside its own mocks."""
    clients.reset()
    for service in (ticket_service, customer_service, agent_service, automation, idempotency_store):
        service.cache_clear()


@contextmanager
def moto_table() -> Iterator[str]:
    """An empty table in its own moto, with the package's clients pointed at it; its name."""
    with mock_aws():
        settings = get_settings()
        boto3.client("dynamodb").create_table(**table_definition(settings.table_name))
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
