"""Integration fixtures: a moto table built from template.yaml, seeded tenants, and the API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.moto_table import moto_table
from tickets import clients
from tickets.settings import get_settings
from tickets.store.repository import TicketRepository


@pytest.fixture
def table() -> Iterator[str]:
    """An empty table, and the package's clients pointed at it."""
    with moto_table():
        yield get_settings().table_name


@pytest.fixture
def repository(table: str) -> TicketRepository:
    return TicketRepository(clients.dynamodb(), table)


@pytest.fixture
def seed(repository: TicketRepository) -> Seeder:
    """Tenant acme (prefix INV) with customer user_42 and agent agent_n1, as in the SupportDesk example."""
    seeder = Seeder(repository)
    seeder.tenant()
    seeder.customer()
    seeder.agent()
    return seeder


@pytest.fixture
def api(seed: Seeder) -> Api:
    return Api("acme")


@pytest.fixture
def atomic_requests(table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests that race threads: DynamoDB applies each request atomically; moto does not, so the
    package's client makes one request at a time. Lambda runs one request per container, so the races
    that matter are between service calls, which is where these tests run them."""
    client = clients.dynamodb()
    original, lock = client._make_api_call, threading.Lock()

    def atomic(operation: str, parameters: dict[str, Any]) -> Any:
        with lock:
            return original(operation, parameters)

    monkeypatch.setattr(client, "_make_api_call", atomic)
