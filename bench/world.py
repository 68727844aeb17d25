"""The tenant the round-trip, cost and stream sections work in: as tests/support seeds it (tenant acme,
prefix INV, customers user_42 and user_7, agents agent_n1 and agent_n2), with a sender address, an API
key for the authorizer, and tickets in bulk so every list has entries. The request bodies are those of
events/*.json, the files `sam local invoke -e` uses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from bench import seeding
from tests.support.events import EVENTS
from tests.support.factories import Seeder
from tests.support.handlers import Api
from tickets import clients
from tickets.ids import utc_now
from tickets.logic.api_keys import key_hash, new_key_id, new_secret
from tickets.models.domain import Agent, ApiKey, Tenant
from tickets.models.enums import Role
from tickets.store.access import AccessRepository
from tickets.store.repository import TicketRepository

TENANT = "acme"
PREFIX = "INV"
SENDER = "support@acme.example"
SEED = 7


@cache
def body(event_file: str) -> dict[str, Any]:
    """The JSON body of an events/ file."""
    with (EVENTS / event_file).open() as handle:
        return json.loads(json.load(handle)["body"])  # type: ignore[no-any-return]


@cache
def authorizer_event() -> dict[str, Any]:
    with (EVENTS / "authorizer_request.json").open() as handle:
        return json.load(handle)  # type: ignore[no-any-return]


@dataclass
class World:
    table: str
    repository: TicketRepository
    api: Api
    secret: str  # an admin API key of the tenant, for the authorizer


def seed(table: str, tickets: int = 0, capacity: int = 10) -> World:
    """The tenant, its people, a key, and `tickets` bulk-made tickets (numbers INV-1..INV-n).
    `capacity`: how many open tickets each agent may hold (automatic assignment)."""
    seeder = Seeder.over(table)
    seeder.tenants.create_tenant(
        Tenant(id=TENANT, name="Acme Inc.", ticket_prefix=PREFIX, sender_email=SENDER)
    )
    seeder.customer(TENANT, "user_42")
    seeder.customer(TENANT, "user_7", email="jane@acme.com", name="Jane Roe")
    for agent_id, name in (("agent_n1", "Agent N1"), ("agent_n2", "Agent N2")):
        seeder.agents.put_agent(
            Agent(
                tenant_id=TENANT,
                id=agent_id,
                name=name,
                email=f"{agent_id}@acme.com",
                max_open_tickets=capacity,
                created_at=utc_now(),
            )
        )
    secret = new_secret()
    key = ApiKey(tenant_id=TENANT, id=new_key_id(), role=Role.ADMIN, name="bench", created_at=utc_now())
    AccessRepository(clients.dynamodb(), table).add_key(key, key_hash(secret))
    boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity=SENDER)
    if tickets:
        from bench.aws import moto_table  # noqa: PLC0415 - moto's backend only when seeding

        batch = list(seeding.tickets(TENANT, PREFIX, tickets, SEED))
        seeding.insert(moto_table(table), table, batch)
        # The tenant's counter continues after the bulk tickets, as if the API had made them.
        clients.dynamodb().update_item(
            TableName=table,
            Key={"PK": {"S": f"TENANT#{TENANT}"}, "SK": {"S": "#TENANT"}},
            UpdateExpression="SET ticketSequence = :n",
            ExpressionAttributeValues={":n": {"N": str(tickets)}},
        )
    repository = TicketRepository(clients.dynamodb(), table)  # the bench reads tickets back through it
    return World(table=table, repository=repository, api=Api(TENANT), secret=secret)
