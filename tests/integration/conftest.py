"""Integration fixtures: a moto table built from template.yaml, seeded tenants, and the API."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.moto_table import moto_table
from tests.support.receiver import Receiver, receiver
from tests.support.streams import SENDER, Outbox
from tests.support.webhooks import WebhookPipeline
from tickets import admin, clients
from tickets.store.agents import AgentStore
from tickets.store.customers import CustomerStore
from tickets.store.repository import TicketRepository
from tickets.store.tenants import TenantStore
from tickets.stream import processor


@pytest.fixture
def table() -> Iterator[str]:
    """An empty table, and the package's clients pointed at it."""
    with moto_table() as name:
        yield name


@pytest.fixture
def repository(table: str) -> TicketRepository:
    return TicketRepository(clients.dynamodb(), table)


@pytest.fixture
def tenants(table: str) -> TenantStore:
    return TenantStore(clients.dynamodb(), table)


@pytest.fixture
def customers(table: str) -> CustomerStore:
    return CustomerStore(clients.dynamodb(), table)


@pytest.fixture
def agents(table: str) -> AgentStore:
    return AgentStore(clients.dynamodb(), table)


@pytest.fixture
def seed(
    request: pytest.FixtureRequest, tenants: TenantStore, customers: CustomerStore, agents: AgentStore
) -> Seeder:
    """Tenant acme (prefix INV) with customer user_42 and agent agent_n1, as in the SupportDesk example.
    A module's `pytest.mark.tenant(...)` gives the tenant more fields (a sender, admin addresses)."""
    marker = request.node.get_closest_marker("tenant")
    seeder = Seeder(tenants, customers, agents)
    seeder.tenant(**(marker.kwargs if marker else {}))
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


@pytest.fixture
def outbox(table: str) -> Iterator[Outbox]:
    """SES with the tenant's sender verified; the stream function's cached automation built afresh
    on the clients of this test's mock."""
    boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    processor.automation.cache_clear()
    yield Outbox(clients.sesv2())
    processor.automation.cache_clear()


@pytest.fixture
def pipeline(table: str, seed: Seeder, atomic_requests: None) -> WebhookPipeline:
    """The stream, the bus and the webhook functions. The delivery function attempts a batch's
    deliveries in threads: DynamoDB applies each of their conditional writes atomically, moto only one
    at a time (atomic_requests)."""
    return WebhookPipeline(table)


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1."""
    with receiver() as listening:
        yield listening


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def output(self) -> dict[str, Any]:
        assert self.code == 0, self.err
        result: dict[str, Any] = json.loads(self.out.strip().splitlines()[-1])
        return result

    @property
    def error_line(self) -> str:
        """What the CLI printed on stderr, which must be one line (and so no traceback)."""
        assert len(self.err.splitlines()) == 1, self.err
        assert not self.out, self.out
        return self.err.rstrip("\n")


Cli = Callable[..., Outcome]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """The CLI run in-process, as `python -m tickets.admin ARGUMENTS...`."""

    def run(*arguments: str) -> Outcome:
        capsys.readouterr()
        try:
            code = admin.main(list(arguments))
        except SystemExit as usage_error:  # argparse
            code = int(usage_error.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run
