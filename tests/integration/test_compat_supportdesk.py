"""SupportDesk, drop-in: its document's create request, answered as its document shows, with its
errors; the same ticket as the native API's, for the same tenant only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.documents import SUPPORTDESK_EXAMPLE, SUPPORTDESK_TICKET_FIELDS
from tests.support.events import api_event, load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse, invoke
from tests.support.moto_table import table_items
from tickets.models.domain import TenantPlan


def create(body: Any = None, **kwargs: Any) -> ApiResponse:
    return invoke("supportdesk", api_event("supportdesk_create_ticket", body=body, **kwargs))


def test_the_documents_example_creates_a_ticket_answered_as_the_document_shows(api: Api) -> None:
    # Given the document's example request (the events/ file holds it)
    # When it is sent
    response = invoke("supportdesk", load_event("supportdesk_create_ticket.json"))

    # Then it is 201 with the document's fields, in the envelope
    assert response.status == 201, response.json
    assert set(response.json) == {"success", "data", "timestamp"}
    ticket = response.data
    assert set(ticket) == SUPPORTDESK_TICKET_FIELDS
    assert ticket["ticketNumber"] == "INV-1"
    assert (ticket["subject"], ticket["priority"], ticket["channel"]) == (
        SUPPORTDESK_EXAMPLE["subject"],
        "HIGH",
        "API",
    )
    assert ticket["status"] == "OPEN" and ticket["assignedAgent"] is None  # assigned on the stream
    assert set(ticket["customer"]) == {"id", "externalId", "email"}
    assert (ticket["customer"]["externalId"], ticket["customer"]["email"]) == ("user_42", "john@acme.com")
    assert response.headers["ETag"] == '"1"'
    # And it is the native API's ticket, with the description and metadata sent
    native = api.get(ticket["id"]).data
    assert native["ticketNumber"] == "INV-1"
    assert (native["description"], native["metadata"]) == (
        SUPPORTDESK_EXAMPLE["description"],
        SUPPORTDESK_EXAMPLE["metadata"],
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"subject": "No customer"}, "customerExternalId", id="customer-missing"),
        pytest.param(SUPPORTDESK_EXAMPLE | {"priority": "high"}, "priority", id="priority-lower-case"),
        pytest.param(
            SUPPORTDESK_EXAMPLE | {"externalId": "CASE-1"},
            "externalId",
            id="a-native-field-the-document-lacks",
        ),
        pytest.param(SUPPORTDESK_EXAMPLE | {"tagIds": ["not-a-uuid"]}, "tagIds.0", id="tag-not-a-uuid"),
        pytest.param(SUPPORTDESK_EXAMPLE | {"subject": ""}, "subject", id="subject-empty"),
    ],
)
def test_invalid_input_is_400_validation_error_and_writes_nothing(
    seed: Seeder, body: dict[str, Any], field: str
) -> None:
    # Given the table as it is
    before = table_items()
    # When a create the document does not allow is sent
    response = create(body)
    # Then it is the document's 400 VALIDATION_ERROR naming the field, and nothing was written
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert table_items() == before


def test_an_unknown_customer_is_404_customer_not_found_and_writes_nothing(seed: Seeder) -> None:
    before = table_items()
    response = create(SUPPORTDESK_EXAMPLE | {"customerExternalId": "user_nobody"})
    assert_error(response, 404, "CUSTOMER_NOT_FOUND", "customerExternalId")
    assert table_items() == before


def test_a_tenant_at_its_monthly_quota_gets_403_plan_limit_reached(seed: Seeder) -> None:
    # Given a tenant whose plan allows one ticket a month, which it has created
    seed.tenants.set_plan("acme", TenantPlan(monthly_ticket_quota=1))
    assert create(SUPPORTDESK_EXAMPLE).status == 201
    # When it creates another one through SupportDesk's route
    response = create(SUPPORTDESK_EXAMPLE)
    # Then it is the document's 403 PLAN_LIMIT_REACHED
    assert_error(response, 403, "PLAN_LIMIT_REACHED")


def test_the_ticket_is_the_callers_tenants_and_roles_apply(seed: Seeder) -> None:
    # Given tenant globex with its own customer user_42
    seed.tenant("globex", "GLX", name="Globex")
    seed.customer("globex", "user_42", email="hank@globex.com")
    # When globex creates through SupportDesk's route, and an agent key of acme tries to
    created = create(SUPPORTDESK_EXAMPLE, tenant_id="globex")
    refused = create(SUPPORTDESK_EXAMPLE, role="agent", agent_id="agent_n1")
    # Then globex's ticket is globex's (its prefix, its customer) and acme sees none; the agent may not
    assert created.status == 201, created.json
    assert created.data["ticketNumber"] == "GLX-1"
    assert created.data["customer"]["email"] == "hank@globex.com"
    assert Api("acme").list().json["stats"]["total"] == 0
    assert_error(refused, 403, "FORBIDDEN")


def test_the_example_event_file_is_the_documents_body() -> None:
    body = json.loads(load_event("supportdesk_create_ticket.json")["body"])
    assert body == SUPPORTDESK_EXAMPLE
