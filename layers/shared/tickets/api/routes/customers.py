"""/v1/customers: upsert, get and list the tenant's customers (the people tickets are created for)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from tickets.api.request import IdempotencyKey, caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import envelope, enveloped, success
from tickets.api.services import customer_service
from tickets.ids import utc_now
from tickets.models.domain import Customer
from tickets.models.requests import ListCustomersQuery, UpsertCustomerRequest
from tickets.models.responses import CustomerListEnvelope
from tickets.models.types import CustomerExternalId

app = build_resolver()
# Customers' own ids, percent-encoded in the path by the client (the resolver decodes them).
ExternalId = Annotated[CustomerExternalId, Path()]


@app.put(
    "/v1/customers/<externalId>",
    summary="Create or replace a customer",
    responses={200: enveloped(Customer, "Replaced"), 201: enveloped(Customer, "Created")},
)
def upsert_customer(
    externalId: ExternalId,
    request: Annotated[UpsertCustomerRequest, Body(embed=False)],
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    customer, created = customer_service().upsert(caller(app), externalId, request)
    return success(customer, HTTPStatus.CREATED if created else HTTPStatus.OK)


@app.get(
    "/v1/customers/<externalId>",
    summary="Get a customer",
    responses={200: enveloped(Customer, "The customer")},
)
def get_customer(externalId: ExternalId) -> Response[str]:
    return success(customer_service().get(caller(app), externalId))


@app.get(
    "/v1/customers",
    summary="List customers",
    responses={
        200: {"description": "A page", "content": {"application/json": {"model": CustomerListEnvelope}}}
    },
)
def list_customers(query: Annotated[ListCustomersQuery, Query()]) -> Response[str]:
    reject_unknown_query(app, ListCustomersQuery)
    page = customer_service().list(caller(app), query)
    return envelope(CustomerListEnvelope(data=page.data, meta=page.meta, timestamp=utc_now()))
