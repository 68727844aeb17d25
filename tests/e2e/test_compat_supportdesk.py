"""SupportDesk's documented request, sent verbatim over HTTP (only the base URL replaced), and its
errors: answered as its document shows (shared/seeds/supportdesk-create-ticket.txt)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.conftest import Stack
from tests.support.documents import SUPPORTDESK_TICKET_FIELDS

# The document's curl example: its body, as the document writes it.
DOCUMENT_BODY = """{
"customerExternalId": "user_42",
"subject": "Payment failed for order #12345",
"description": "Payment attempt failed with CARD_DECLINED. Customer has been notified by email.",
"priority": "HIGH",
"metadata": { "orderId": "12345", "amount": 99.9 }
}"""


def post(stack: Stack, body: str, key: str | None = None) -> requests.Response:
    """As the document's curl: its URL with our base, its headers."""
    return requests.post(
        f"{stack.api_url}/compat/supportdesk/api/v1/tickets/api-create",
        headers={
            "X-API-Key": key or stack.keys.get("integration", stack.api_key),
            "Content-Type": "application/json",
        },
        data=body.encode(),
        timeout=30,
    )


def test_the_documents_example_is_answered_field_by_field_as_the_document_shows(stack: Stack) -> None:
    # When the document's example is sent verbatim
    response = post(stack, DOCUMENT_BODY)

    # Then it is 201 with the document's envelope and ticket fields, values as the document's example
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    assert set(document) == {"success", "data", "timestamp"} and document["success"] is True
    ticket = document["data"]
    assert set(ticket) == SUPPORTDESK_TICKET_FIELDS
    assert ticket["ticketNumber"].startswith("INV-")
    assert ticket["subject"] == "Payment failed for order #12345"
    assert (ticket["priority"], ticket["channel"]) == ("HIGH", "API")
    assert ticket["status"] in ("OPEN", "IN_PROGRESS")  # assignment runs on the stream, just after
    assert ticket["customer"] == {
        "id": ticket["customer"]["id"],
        "externalId": "user_42",
        "email": "john@acme.com",
    }


def test_its_three_documented_errors_come_in_its_format(stack: Stack) -> None:
    # When a field is missing, or the customer is unknown
    missing = post(stack, '{"customerExternalId": "user_42"}')
    unknown = post(stack, DOCUMENT_BODY.replace('"user_42"', '"user_nobody"'))

    # Then they are the document's 400 VALIDATION_ERROR and 404 CUSTOMER_NOT_FOUND
    assert missing.status_code == 400, missing.text
    assert missing.json()["error"]["code"] == "VALIDATION_ERROR"
    assert {detail["field"] for detail in missing.json()["error"]["details"]} == {"subject"}
    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["error"]["code"] == "CUSTOMER_NOT_FOUND"


def test_the_other_tenants_key_creates_in_the_other_tenant(stack: Stack) -> None:
    # Given the second tenant's admin key (tenant globex, prefix GLX, its own user_42)
    key = stack.keys.get("otherTenantAdmin")
    if key is None:
        pytest.skip("isolation needs a second tenant's admin key (OTHER_TENANT_API_KEY)")
    # When it sends the same example
    response = post(stack, DOCUMENT_BODY, key=key)
    # Then the ticket is globex's
    assert response.status_code == 201, response.text
    assert response.json()["data"]["ticketNumber"].startswith("GLX-")
