"""The customers of a tenant: who tickets are created for."""

from __future__ import annotations

from typing import Any

from tickets.errors import CustomerNotFound
from tickets.ids import new_ulid, utc_now
from tickets.logic import access
from tickets.logic.access import Action, Caller
from tickets.logic.cursor import CursorCodec
from tickets.models.domain import Customer
from tickets.models.requests import ListCustomersQuery, UpsertCustomerRequest
from tickets.models.responses import CustomerPage, PageMeta
from tickets.store.customers import CustomerStore

_SCOPE = "customers"


class CustomerService:
    def __init__(self, customers: CustomerStore, cursors: CursorCodec) -> None:
        self._customers = customers
        self._cursors = cursors

    def upsert(
        self, caller: Caller, external_id: str, request: UpsertCustomerRequest
    ) -> tuple[Customer, bool]:
        """The customer as stored, and True when it was created by this call."""
        access.require(caller, Action.WRITE_CUSTOMERS)
        details = {"email": request.email, "name": request.name, "metadata": request.metadata}
        return self._customers.upsert_customer(_new_customer(caller, external_id, details))

    def ensure(self, caller: Caller, external_id: str, name: str | None) -> Customer:
        """The customer, created with `name` when there is none yet; an existing one is left as it is
        (its details are the tenant's to keep, not overwritten by whoever names it next)."""
        access.require(caller, Action.WRITE_CUSTOMERS)
        stored, _ = self._customers.add_customer(_new_customer(caller, external_id, {"name": name}))
        return stored

    def get(self, caller: Caller, external_id: str) -> Customer:
        access.require(caller, Action.READ_CUSTOMERS)
        customer = self._customers.get_customer(caller.tenant_id, external_id)
        if customer is None:
            raise CustomerNotFound(external_id, field="externalId")
        return customer

    def list(self, caller: Caller, query: ListCustomersQuery) -> CustomerPage:
        access.require(caller, Action.READ_CUSTOMERS)
        start = self._cursors.decode(caller.tenant_id, _SCOPE, query.cursor) if query.cursor else None
        customers, resume = self._customers.list_customers(caller.tenant_id, start, query.limit)
        cursor = self._cursors.encode(caller.tenant_id, _SCOPE, resume) if resume else None
        return CustomerPage(
            data=customers, meta=PageMeta(limit=query.limit, count=len(customers), next_cursor=cursor)
        )


def _new_customer(caller: Caller, external_id: str, details: dict[str, Any]) -> Customer:
    """A customer of the caller's tenant as first written: a new id, created and updated now."""
    now = utc_now()
    return Customer(
        tenant_id=caller.tenant_id,
        id=new_ulid(now),
        external_id=external_id,
        created_at=now,
        updated_at=now,
        changed_by=access.actor_of(caller),
        **details,
    )
