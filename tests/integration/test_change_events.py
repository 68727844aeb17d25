"""The events that are not a live ticket's history: a ticket deleted, a customer's details and an
agent's profile changed, each with the identity that made it; and the email to a tenant's admins when
the delivery disables one of its webhook endpoints. Through the real stream, bus, dispatch and
delivery handlers to a receiver on 127.0.0.1 (tests/support/webhooks.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.handlers import Api
from tests.support.receiver import Receiver
from tests.support.streams import SENDER, Outbox
from tests.support.webhooks import WebhookPipeline
from tickets.ids import utc_now
from tickets.models.domain import OPERATOR, Customer
from tickets.store.customers import CustomerStore

ADMINS = ["ops@acme.com", "cto@acme.com"]
TICKET: dict[str, Any] = {
    "customerExternalId": "user_42",
    "subject": "Payment failed for order #12345",
    "description": "Payment attempt failed with CARD_DECLINED.",
    "priority": "HIGH",
}
ADMIN_ACTOR = {"role": "admin", "id": "key_acme"}
# The tenant with a sender (verified in SES) and two admin addresses
pytestmark = [pytest.mark.tenant(sender_email=SENDER, admin_emails=ADMINS), pytest.mark.usefixtures("outbox")]


def _listening(api: Api, hooks: Receiver, event_types: list[str]) -> dict[str, Any]:
    response = api.create_webhook({"url": hooks.url, "eventTypes": event_types})
    assert response.status == 201, response.json
    return response.data  # type: ignore[no-any-return]


def _heard(hooks: Receiver) -> list[dict[str, Any]]:
    return [json.loads(entry.body) for entry in hooks.received]


# ticket.deleted ------------------------------------------------------------------------------------


def test_a_deleted_ticket_is_told_once_with_who_deleted_it_and_what_it_was(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given an endpoint for deletions, and a ticket
    webhook = _listening(api, hooks, ["ticket.deleted"])
    ticket = api.create(TICKET).data
    pipeline.run()

    # When an admin deletes it, and the stream hands its records over twice
    assert api.delete(ticket["id"]).status == 204
    records = pipeline.stream.pending()
    pipeline.stream.deliver(records)
    pipeline.stream.deliver(records)
    pipeline.dispatch()
    pipeline.deliver()

    # Then the endpoint hears of it once, signed, by the admin's key, with the ticket as it was
    (delivered,) = hooks.received
    payload = delivered.verified(webhook["secret"])
    assert payload["type"] == "ticket.deleted"
    assert payload["data"]["actor"] == ADMIN_ACTOR
    assert payload["data"]["ticket"]["id"] == ticket["id"]
    assert payload["data"]["ticket"]["ticketNumber"] == ticket["ticketNumber"]
    assert payload["data"]["changes"] == []
    # And the ticket's history went with it
    assert api.events(ticket["id"]).status == 404


# customer.updated ----------------------------------------------------------------------------------


def test_a_customers_changed_details_are_one_event_with_what_changed(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    _listening(api, hooks, ["customer.updated"])
    integration = Api("acme", role="integration")

    # When an integration changes the customer's name and adds metadata
    body = {"email": "john@acme.com", "name": "John Q. Doe", "metadata": {"plan": "pro"}}
    assert integration.put_customer("user_42", body).status == 200
    pipeline.run()

    # Then
    (payload,) = _heard(hooks)
    assert payload["type"] == "customer.updated"
    assert payload["data"]["actor"] == {"role": "integration", "id": "key_acme"}
    assert payload["data"]["customer"]["externalId"] == "user_42"
    assert payload["data"]["customer"]["name"] == "John Q. Doe"
    assert payload["data"]["changes"] == [
        {"field": "name", "from": "John Doe", "to": "John Q. Doe"},
        {"field": "metadata", "to": {"plan": "pro"}},  # null is left out of a delivery: none before
    ]
    assert "ticket" not in payload["data"]


def test_a_new_customer_or_the_same_details_again_are_no_customer_event(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    _listening(api, hooks, ["customer.updated"])

    # When a customer is created, and one is put unchanged
    assert api.put_customer("user_new", {"name": "New Customer"}).status == 201
    assert api.put_customer("user_42", {"email": "john@acme.com", "name": "John Doe"}).status == 200
    pipeline.run()

    # Then nothing is told
    assert _heard(hooks) == []


def test_the_admin_cli_changing_a_customer_is_told_as_the_operator(
    customers: CustomerStore, api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    _listening(api, hooks, ["customer.updated"])
    now = utc_now()

    # When (as `admin put-customer` writes it)
    changed = Customer(
        tenant_id="acme",
        id="ignored-for-an-existing-customer",
        external_id="user_42",
        email="john.doe@acme.com",
        name="John Doe",
        created_at=now,
        updated_at=now,
        changed_by=OPERATOR,
    )
    customers.upsert_customer(changed)
    pipeline.run()

    # Then
    (payload,) = _heard(hooks)
    assert payload["data"]["actor"] == {"role": "operator"}
    assert payload["data"]["changes"] == [
        {"field": "email", "from": "john@acme.com", "to": "john.doe@acme.com"}
    ]


# agent.updated -------------------------------------------------------------------------------------


def test_an_agents_profile_change_is_one_event_and_its_load_moving_is_none(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    _listening(api, hooks, ["agent.updated"])

    # When a ticket is assigned to the agent (its load moves), and an admin then changes its profile
    ticket = api.create(TICKET).data
    pipeline.run()
    assert api.get(ticket["id"]).data["assignedAgent"]["id"] == "agent_n1"
    assert _heard(hooks) == []
    assert api.patch_agent("agent_n1", {"available": False, "maxOpenTickets": 4}).status == 200
    pipeline.run()

    # Then only the profile change is told, by the admin's key
    (payload,) = _heard(hooks)
    assert payload["type"] == "agent.updated"
    assert payload["data"]["actor"] == ADMIN_ACTOR
    assert payload["data"]["agent"]["id"] == "agent_n1"
    assert payload["data"]["agent"]["openTickets"] == 1
    assert payload["data"]["changes"] == [
        {"field": "available", "from": True, "to": False},
        {"field": "maxOpenTickets", "from": 10, "to": 4},
    ]
    assert payload["timestamp"] == payload["data"]["agent"]["updatedAt"]


def test_a_redelivered_agent_record_is_told_once(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver
) -> None:
    # Given
    _listening(api, hooks, ["agent.updated"])
    assert api.patch_agent("agent_n1", {"name": "Agent One"}).status == 200

    # When the stream hands the record over twice
    records = pipeline.stream.pending()
    pipeline.stream.deliver(records)
    pipeline.stream.deliver(records)
    pipeline.dispatch()
    pipeline.deliver()

    # Then
    assert [payload["type"] for payload in _heard(hooks)] == ["agent.updated"]


# A disabled endpoint's email -----------------------------------------------------------------------


def test_an_endpoint_the_delivery_disables_is_emailed_to_each_admin_once(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver, outbox: Outbox
) -> None:
    # Given an endpoint that answers 410 Gone
    webhook = _listening(api, hooks, ["ticket.created"])
    hooks.answer_with(410)

    # When an event reaches it, and the stream hands the endpoint's records over again
    api.create(TICKET)
    pipeline.run()
    records = pipeline.stream.pending()
    pipeline.stream.deliver(records)
    pipeline.stream.deliver(records)

    # Then each admin address gets one email naming the endpoint and why
    to_admins = [email for email in outbox.emails if email.to[0] in ADMINS]
    assert sorted(email.to[0] for email in to_admins) == sorted(ADMINS)
    for email in to_admins:
        assert email.sender == SENDER
        assert email.subject == f"Webhook endpoint disabled: {hooks.url}"
        assert email.text is not None and webhook["id"] in email.text and "410 Gone" in email.text


def test_an_endpoint_an_admin_disables_is_emailed_to_nobody(
    api: Api, pipeline: WebhookPipeline, hooks: Receiver, outbox: Outbox
) -> None:
    # Given
    webhook = _listening(api, hooks, ["ticket.created"])

    # When
    assert api.patch_webhook(webhook["id"], {"enabled": False}).status == 200
    pipeline.run()

    # Then
    assert [email for email in outbox.emails if email.to[0] in ADMINS] == []
