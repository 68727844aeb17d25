"""Tenants, customers and agents written straight to the table (their APIs arrive in later issues)."""

from __future__ import annotations

from typing import Any

from tickets.ids import new_ulid, utc_now
from tickets.models.domain import Agent, Customer, Tenant
from tickets.store.repository import TicketRepository


class Seeder:
    def __init__(self, repository: TicketRepository) -> None:
        self.repository = repository

    def tenant(self, tenant_id: str = "acme", prefix: str = "INV", name: str = "Acme Inc.") -> Tenant:
        tenant = Tenant(id=tenant_id, name=name, ticket_prefix=prefix)
        self.repository.create_tenant(tenant)
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
        self.repository.put_customer(customer)
        return customer

    def agent(self, tenant_id: str = "acme", agent_id: str = "agent_n1", name: str = "Agent N1") -> Agent:
        agent = Agent(
            tenant_id=tenant_id, id=agent_id, name=name, email=f"{agent_id}@acme.com", created_at=utc_now()
        )
        self.repository.put_agent(agent)
        return agent
