"""Tenants, customers and agents written straight to the table (their APIs arrive in later issues),
and ticket models for the tests of pure rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tickets import clients
from tickets.ids import new_ulid, utc_now
from tickets.models.domain import Agent, Customer, CustomerRef, Tenant, Ticket
from tickets.models.enums import Awaiting, Priority, TicketStatus
from tickets.store.agents import AgentStore
from tickets.store.customers import CustomerStore
from tickets.store.tenants import TenantStore

T0 = datetime(2026, 4, 18, 10, 0, tzinfo=UTC)


def a_ticket(**fields: object) -> Ticket:
    """An OPEN, unassigned HIGH ticket awaiting an agent, created and updated at T0; `fields` change it."""
    values: dict[str, object] = {
        "tenant_id": "acme",
        "id": "01JS3Q6Z8X9V2K4M7N5P0R1T2W",
        "ticket_number": "INV-1042",
        "subject": "Payment failed for order #12345",
        "status": TicketStatus.OPEN,
        "priority": Priority.HIGH,
        "customer": CustomerRef(id="c1", external_id="user_42", email="john@acme.com"),
        "awaiting_response_from": Awaiting.AGENT,
        "created_at": T0,
        "updated_at": T0,
    }
    return Ticket.model_validate(values | fields)


class Seeder:
    def __init__(self, tenants: TenantStore, customers: CustomerStore, agents: AgentStore) -> None:
        self.tenants = tenants
        self.customers = customers
        self.agents = agents

    @classmethod
    def over(cls, table: str) -> Seeder:
        """A seeder of `table`, through the client the package's code uses (the test's mock)."""
        client = clients.dynamodb()
        return cls(TenantStore(client, table), CustomerStore(client, table), AgentStore(client, table))

    def tenant(
        self, tenant_id: str = "acme", prefix: str = "INV", name: str = "Acme Inc.", **fields: Any
    ) -> Tenant:
        tenant = Tenant(id=tenant_id, name=name, ticket_prefix=prefix, **fields)
        self.tenants.create_tenant(tenant)
        return tenant

    def customer(self, tenant_id: str = "acme", external_id: str = "user_42", **fields: Any) -> Customer:
        now = utc_now()
        values = {"email": "john@acme.com", "name": "John Doe"} | fields
        customer = Customer(
            tenant_id=tenant_id,
            id=new_ulid(now),
            external_id=external_id,
            created_at=now,
            updated_at=now,
            **values,
        )
        self.customers.put_customer(customer)
        return customer

    def agent(self, tenant_id: str = "acme", agent_id: str = "agent_n1", name: str = "Agent N1") -> Agent:
        agent = Agent(
            tenant_id=tenant_id, id=agent_id, name=name, email=f"{agent_id}@acme.com", created_at=utc_now()
        )
        self.agents.put_agent(agent)
        return agent
