"""Sellgate's documented requests, sent verbatim over HTTP (only the base URL replaced), answered as
its document shows (shared/seeds/sellgate-tickets-api.txt); its bad input refused with nothing
written; another tenant's key sees none of it."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.conftest import Client, Stack, curl
from tests.support.documents import (
    SELLGATE_GET_EXAMPLE_FIELDS,
    SELLGATE_LIST_KEYS,
    SELLGATE_MESSAGE_FIELDS,
    SELLGATE_META_FIELDS,
    SELLGATE_ORDER,
    SELLGATE_STATS_FIELDS,
    SELLGATE_TICKET_FIELDS,
)

# The document's reply example: its body, as its curl writes it.
REPLY_BODY = """{
"message": "Your order has been resent. Please check your email."
}"""
CLOSE_BODY = """{
"status": "closed"
}"""


def sellgate(
    stack: Stack, method: str, path: str, body: str | None = None, key: str | None = None
) -> requests.Response:
    """As the document's curl: its path under our base URL, its Bearer key, JSON when there is a body."""
    return curl(stack, method, f"/compat/sellgate{path}", body, key)


@pytest.fixture
def ticket(api: Client, run_tag: str) -> dict[str, Any]:
    """A ticket about an order, as an integration creates it natively."""
    created = api.create(
        {
            "customerExternalId": "user_42",
            "subject": "Order not received",
            "description": "I haven't received my order yet.",
            "order": SELLGATE_ORDER,
            "tagIds": [run_tag],
        }
    )
    assert created.status == 201, created.json
    ticket: dict[str, Any] = created.data
    return ticket


def assert_ticket_object(row: dict[str, Any]) -> None:
    """The document's Ticket Object: its fields, its words and types."""
    assert set(row) == SELLGATE_TICKET_FIELDS
    assert row["status"] in ("open", "closed")
    assert row["awaiting_response_from"] in ("owner", "customer")
    assert isinstance(row["message_count"], int) and isinstance(row["has_owner_reply"], bool)
    assert row["order_amount"] is None or isinstance(row["order_amount"], float)


def test_the_documents_list_request_is_answered_as_the_document_shows(
    stack: Stack, api: Client, ticket: dict[str, Any]
) -> None:
    # Given an older open ticket beside the newest one
    older = api.create({"customerExternalId": "user_42", "subject": "Older"})
    assert older.status == 201, older.json
    ticket = api.create(
        {"customerExternalId": "user_42", "subject": "Order not received", "order": SELLGATE_ORDER}
    ).data
    # When the document's example lists the open tickets
    response = sellgate(stack, "GET", "/v1/tickets?status=open")

    # Then it is the document's list: data of Ticket Objects, the stats, and meta with the exact total
    assert response.status_code == 200, response.text
    document = response.json()
    assert set(document) == SELLGATE_LIST_KEYS
    assert set(document["stats"]) == SELLGATE_STATS_FIELDS
    assert set(document["meta"]) == SELLGATE_META_FIELDS
    assert document["meta"]["total"] == document["stats"]["open"]
    assert (document["meta"]["limit"], document["meta"]["offset"]) == (25, 0)
    stats = document["stats"]
    assert stats["total"] == stats["open"] + stats["closed"] and stats["needsResponse"] <= stats["total"]
    for row in document["data"]:
        assert_ticket_object(row)
        assert row["status"] == "open"
    # And the newest is the ticket just created, its fields as the document names them
    newest = document["data"][0]
    assert newest["id"] == ticket["id"]
    assert (newest["subject"], newest["customer_email"], newest["awaiting_response_from"]) == (
        "Order not received",
        "john@acme.com",
        "owner",
    )
    assert (newest["order_id"], newest["invoice_id"], newest["product_name"]) == (
        "ord_xyz789",
        "INV-12345",
        "Premium License",
    )
    assert (newest["order_amount"], newest["order_currency"], newest["closed_at"]) == (29.99, "USD", None)
    # And page 2 of one ticket a page is the next one, at offset 1
    second = sellgate(stack, "GET", "/v1/tickets?status=open&limit=1&page=2").json()
    assert second["meta"] == {"total": second["stats"]["open"], "limit": 1, "offset": 1}
    assert [row["id"] for row in second["data"]] == [document["data"][1]["id"]]


def test_reply_get_and_close_as_the_document_shows(stack: Stack, ticket: dict[str, Any]) -> None:
    path = f"/v1/tickets/{ticket['id']}"
    # When the document's reply is sent, then the ticket read, then closed with the document's body
    replied = sellgate(stack, "POST", path, REPLY_BODY)
    got = sellgate(stack, "GET", path)
    closed = sellgate(stack, "PATCH", path, CLOSE_BODY)
    reopened = sellgate(stack, "PATCH", path, '{"status": "open"}')

    # Then the reply is the seller's message
    assert replied.status_code == 201, replied.text
    message = replied.json()["data"]
    assert set(message) == SELLGATE_MESSAGE_FIELDS
    assert (message["sender"], message["message"]) == (
        "seller",
        "Your order has been resent. Please check your email.",
    )
    # And the get is the document's ticket with its messages, the seller's reply among them
    assert got.status_code == 200, got.text
    data = got.json()["data"]
    assert set(data) >= SELLGATE_GET_EXAMPLE_FIELDS
    assert (data["id"], data["subject"], data["status"], data["order_id"]) == (
        ticket["id"],
        "Order not received",
        "open",
        "ord_xyz789",
    )
    assert data["messages"] == [message]
    assert (data["has_owner_reply"], data["awaiting_response_from"], data["message_count"]) == (
        True,
        "customer",
        1,
    )
    # And the PATCH closes it, and open reopens it
    assert closed.status_code == 200, closed.text
    assert_ticket_object(closed.json()["data"])
    assert (closed.json()["data"]["status"], closed.json()["data"]["closed_at"] is not None) == (
        "closed",
        True,
    )
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["data"]["status"], reopened.json()["data"]["closed_at"]) == ("open", None)


# (method, path after /v1/tickets, with {id} for the ticket's; body), and the field the 400 names
BAD_REQUESTS = [
    pytest.param(("PATCH", "/{id}", '{"status": "CLOSED"}'), "status", id="status-upper-case"),
    pytest.param(
        ("PATCH", "/{id}", '{"status": "closed", "priority": "HIGH"}'), "priority", id="native-field"
    ),
    pytest.param(("POST", "/{id}", '{"message": ""}'), "message", id="message-empty"),
    pytest.param(("POST", "/{id}", "{}"), "message", id="message-missing"),
    pytest.param(("GET", "?status=OPEN", None), "status", id="list-status-upper-case"),
    pytest.param(("GET", "?page=401", None), "page", id="page-past-the-numbered-tickets"),
]


@pytest.mark.parametrize(("request_", "field"), BAD_REQUESTS)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    stack: Stack, api: Client, ticket: dict[str, Any], request_: tuple[str, str, str | None], field: str
) -> None:
    method, path, body = request_
    response = sellgate(stack, method, "/v1/tickets" + path.replace("{id}", ticket["id"]), body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in {detail["field"] for detail in error["details"]}
    # (the stream may assign the ticket meanwhile: that is its only change)
    after = api.get(ticket["id"]).data
    assert (after["messageCount"], after["priority"], after["closedAt"]) == (0, "MEDIUM", None)
    assert after["status"] in ("OPEN", "IN_PROGRESS")


def test_another_tenants_key_sees_none_of_it(stack: Stack, ticket: dict[str, Any]) -> None:
    key = stack.keys.get("otherTenantAdmin")
    if key is None:
        pytest.skip("isolation needs a second tenant's admin key (OTHER_TENANT_API_KEY)")
    path = f"/v1/tickets/{ticket['id']}"
    listed = sellgate(stack, "GET", "/v1/tickets", key=key).json()
    assert ticket["id"] not in {row["id"] for row in listed["data"]}
    for method, body in (("GET", None), ("POST", REPLY_BODY), ("PATCH", CLOSE_BODY)):
        response = sellgate(stack, method, path, body, key=key)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "TICKET_NOT_FOUND"
