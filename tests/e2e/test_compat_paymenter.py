"""Paymenter's documented requests, sent verbatim over HTTP (only the base URL replaced, and the
example's ticket 1 by the ticket the test made), answered as its document shows
(shared/seeds/paymenter-tickets-api.txt); its bad input in Laravel's format, with nothing written;
another tenant's key sees none of it."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.conftest import Client, Stack, curl
from tests.support.documents import (
    PAYMENTER_ATTRIBUTES,
    PAYMENTER_CREATE_EXAMPLE,
    PAYMENTER_LINKS,
    PAYMENTER_LIST_KEYS,
    PAYMENTER_MESSAGE_ATTRIBUTES,
    PAYMENTER_META,
    PAYMENTER_RESOURCE_KEYS,
    PAYMENTER_USER_ATTRIBUTES,
)

# The document's curl bodies, as it writes them.
CREATE_BODY = """{
"subject": "Billing question",
"user_id": 1,
"status": "open",
"priority": "medium",
"department": "billing"
}"""
UPDATE_BODY = """{
"status": "closed",
"priority": "low"
}"""
MESSAGE_BODY = """{
"ticket_id": 1,
"message": "Thank you for contacting support. We are investigating your issue.",
"user_id": 5
}"""


def paymenter(
    stack: Stack, method: str, path: str, body: str | None = None, key: str | None = None
) -> requests.Response:
    """As the document's curl: its path under our base URL, its headers."""
    return curl(stack, method, f"/compat/paymenter/api/v1/admin{path}", body, key, Accept="application/json")


@pytest.fixture
def ticket(stack: Stack) -> dict[str, Any]:
    """The document's create example, sent verbatim: the ticket the other examples name as 1."""
    response = paymenter(stack, "POST", "/tickets", CREATE_BODY)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_the_documents_create_is_answered_as_the_document_shows(ticket: dict[str, Any]) -> None:
    assert set(ticket) == PAYMENTER_RESOURCE_KEYS
    assert ticket["type"] == "tickets" and ticket["id"].isdigit()
    attributes = ticket["attributes"]
    assert set(attributes) == PAYMENTER_ATTRIBUTES
    assert {name: attributes[name] for name in PAYMENTER_CREATE_EXAMPLE} == PAYMENTER_CREATE_EXAMPLE
    assert attributes["assigned_to"] is None  # assignment runs on the stream, just after


def test_messages_then_the_ticket_with_messages_and_user(stack: Stack, ticket: dict[str, Any]) -> None:
    number = ticket["id"]
    # When the customer writes, then the document's message from staff member 5 answers
    asked = paymenter(
        stack,
        "POST",
        "/ticket-messages",
        f'{{"ticket_id": {number}, "message": "I cannot log in.", "user_id": 1}}',
    )
    answered = paymenter(
        stack, "POST", "/ticket-messages", MESSAGE_BODY.replace('"ticket_id": 1', f'"ticket_id": {number}')
    )
    got = paymenter(stack, "GET", f"/tickets/{number}?include=messages,user")

    # Then both are the document's ticket_messages, from users 1 and 5
    for response, user in ((asked, 1), (answered, 5)):
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert data["type"] == "ticket_messages" and set(data["attributes"]) == PAYMENTER_MESSAGE_ATTRIBUTES
        assert data["attributes"]["user_id"] == user
    # And the get is the document's "Ticket with Messages": relationships and included users and messages
    assert got.status_code == 200, got.text
    document = got.json()
    assert set(document) == {"data", "included"}
    data = document["data"]
    assert data["id"] == number and data["attributes"]["status"] == "replied"
    assert data["relationships"]["user"] == {"data": {"type": "users", "id": "1"}}
    assert [item["type"] for item in data["relationships"]["messages"]["data"]] == ["ticket_messages"] * 2
    users = [item for item in document["included"] if item["type"] == "users"]
    assert users == [{"type": "users", "id": "1", "attributes": users[0]["attributes"]}]
    assert set(users[0]["attributes"]) == PAYMENTER_USER_ATTRIBUTES
    assert (users[0]["attributes"]["first_name"], users[0]["attributes"]["last_name"]) == ("John", "Doe")
    messages = [item for item in document["included"] if item["type"] == "ticket_messages"]
    assert [message["attributes"]["user_id"] for message in messages] == [1, 5]
    assert (
        messages[1]["attributes"]["message"]
        == "Thank you for contacting support. We are investigating your issue."
    )


def test_the_documents_lists_and_filters(stack: Stack, ticket: dict[str, Any]) -> None:
    # When the document's list and its three filter examples are sent
    listed = paymenter(stack, "GET", "/tickets")
    filtered = {
        name: paymenter(stack, "GET", f"/tickets?filter[{name}]={value}")
        for name, value in (("status", "open"), ("priority", "high"), ("user_id", "1"))
    }

    # Then the list is the document's: data, links and meta, 15 a page, in id order
    assert listed.status_code == 200, listed.text
    document = listed.json()
    assert set(document) == PAYMENTER_LIST_KEYS
    assert set(document["links"]) == PAYMENTER_LINKS and set(document["meta"]) == PAYMENTER_META
    meta = document["meta"]
    assert (meta["current_page"], meta["per_page"], meta["from"]) == (1, 15, 1)
    assert meta["path"] == f"{stack.api_url}/compat/paymenter/api/v1/admin/tickets"
    assert document["links"]["first"] == f"{meta['path']}?page=1" and document["links"]["prev"] is None
    # And its links lead where they say: the first page is this one
    followed = requests.get(
        document["links"]["first"], headers={"Authorization": f"Bearer {stack.api_key}"}, timeout=30
    )
    assert followed.status_code == 200, followed.text
    assert [item["id"] for item in followed.json()["data"]] == [item["id"] for item in document["data"]]
    ids = [int(item["id"]) for item in document["data"]]
    assert ids == sorted(ids) and len(ids) <= 15
    for item in document["data"]:
        assert set(item) == PAYMENTER_RESOURCE_KEYS | {"relationships"}
        assert set(item["attributes"]) == PAYMENTER_ATTRIBUTES
    # And each filter lists only what it names
    expected = {"status": ("status", "open"), "priority": ("priority", "high"), "user_id": ("user_id", 1)}
    for name, response in filtered.items():
        assert response.status_code == 200, response.text
        attribute, value = expected[name]
        assert all(item["attributes"][attribute] == value for item in response.json()["data"]), name
    mine = paymenter(stack, "GET", "/tickets?filter[user_id]=1&sort=-id&per_page=1").json()["data"]
    assert [item["id"] for item in mine] == [ticket["id"]]


def test_the_documents_update_then_delete(stack: Stack, ticket: dict[str, Any]) -> None:
    number = ticket["id"]
    updated = paymenter(stack, "PUT", f"/tickets/{number}", UPDATE_BODY)
    assert updated.status_code == 200, updated.text
    attributes = updated.json()["data"]["attributes"]
    assert (attributes["status"], attributes["priority"], attributes["subject"]) == (
        "closed",
        "low",
        "Billing question",
    )

    deleted = paymenter(stack, "DELETE", f"/tickets/{number}")
    assert deleted.status_code == 204 and deleted.content == b""
    gone = paymenter(stack, "GET", f"/tickets/{number}")
    assert gone.status_code == 404 and set(gone.json()) == {"message"}


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        pytest.param(
            ("POST", "/tickets", CREATE_BODY.replace("Billing question", "s" * 256)),
            "subject",
            id="subject-over-255",
        ),
        pytest.param(
            ("POST", "/tickets", CREATE_BODY.replace('"open"', '"OPEN"')), "status", id="status-native-word"
        ),
        pytest.param(("PUT", "/tickets/{id}", '{"priority": "p1"}'), "priority", id="priority-not-a-word"),
        pytest.param(
            ("POST", "/ticket-messages", MESSAGE_BODY.replace('"user_id": 5', '"user_id": 77')),
            "user_id",
            id="neither-user-nor-staff",
        ),
        pytest.param(("GET", "/tickets?sort=department", None), "sort", id="sort-department"),
    ],
)
def test_bad_input_is_laravels_422_and_writes_nothing(
    stack: Stack, api: Client, ticket: dict[str, Any], request_: tuple[str, str, str | None], field: str
) -> None:
    method, path, body = request_
    number = ticket["id"]
    text = body.replace('"ticket_id": 1', f'"ticket_id": {number}') if body else None
    response = paymenter(stack, method, path.replace("{id}", number), text)
    assert response.status_code == 422, response.text
    document = response.json()
    assert set(document) == {"message", "errors"} and field in document["errors"]
    after = api.get(number).data
    assert (after["messageCount"], after["priority"]) == (0, "MEDIUM")


def test_another_tenants_key_sees_none_of_it(stack: Stack, ticket: dict[str, Any]) -> None:
    key = stack.keys.get("otherTenantAdmin")
    if key is None:
        pytest.skip("isolation needs a second tenant's admin key (OTHER_TENANT_API_KEY)")
    number = ticket["id"]
    mine = paymenter(stack, "GET", f"/tickets/{number}").json()["data"]
    theirs = paymenter(stack, "GET", f"/tickets/{number}", key=key)
    # globex may have a ticket of that number: its own, never acme's
    assert theirs.status_code == 404 or theirs.json()["data"]["attributes"] != mine["attributes"]
    # And acme's ticket is not in globex's list of its user 1
    listed = paymenter(stack, "GET", "/tickets?filter[user_id]=1&per_page=100", key=key).json()["data"]
    created = {item["attributes"]["created_at"] for item in listed}
    assert mine["attributes"]["created_at"] not in created
