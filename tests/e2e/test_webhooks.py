"""Webhooks end to end on the local stack: the deployed stream function, event bus, queues, dispatch and
delivery functions, to receivers on 127.0.0.1 that verify every delivery with the standardwebhooks
package. A deployment given by API_URL cannot reach this machine's 127.0.0.1, so these run locally."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Client, Stack
from tests.e2e.test_assignment import outbox, wait_for
from tests.support.receiver import Receiver, receiver, unused_port_url

# Events of one write share its time; the history tells them in this order (README, History).
ONE_WRITES_ORDER = [
    "ticket.created",
    "message.created",
    "ticket.updated",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.unassigned",
]
TICKET = {"customerExternalId": "user_42", "subject": "Parcel stuck in customs", "priority": "HIGH"}


@pytest.fixture(autouse=True)
def _local_stack_only() -> None:
    if os.environ.get("API_URL"):
        pytest.skip("the receivers listen on this machine's 127.0.0.1 (not reachable from a deployment)")


class Endpoints:
    """Endpoints made by a test, deleted after it: the stack outlives the test, and a tenant has at
    most 20."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.made: list[str] = []

    def make(self, url: str, event_types: list[str] | None = None) -> dict[str, Any]:
        response = self.client.request(
            "POST", "/v1/webhooks", json={"url": url, "eventTypes": event_types or ["*"]}
        )
        assert response.status == 201, response.json
        self.made.append(response.data["id"])
        return response.data  # type: ignore[no-any-return]

    def delete_all(self) -> None:
        for webhook_id in self.made:
            self.client.session.delete(f"{self.client.base_url}/v1/webhooks/{webhook_id}", timeout=30)


def _endpoints_of(client: Client) -> Iterator[Endpoints]:
    """Endpoints left by earlier runs (or the fuzz test's) are deleted first: they would take the
    tenant's 20, and their deliveries time to fail."""
    for left in client.request("GET", "/v1/webhooks").data:
        client.session.delete(f"{client.base_url}/v1/webhooks/{left['id']}", timeout=30)
    made = Endpoints(client)
    yield made
    made.delete_all()


@pytest.fixture
def endpoints(api: Client) -> Iterator[Endpoints]:
    yield from _endpoints_of(api)


@pytest.fixture
def other_endpoints(stack: Stack) -> Iterator[Endpoints]:
    yield from _endpoints_of(Client(stack.api_url, stack.keys["otherTenantAdmin"]))


def _types(hooks: Receiver, ticket_id: str) -> list[str]:
    payloads = [json.loads(entry.body) for entry in hooks.received]
    return [
        payload["type"] for payload in payloads if payload["data"].get("ticket", {}).get("id") == ticket_id
    ]


def test_a_tickets_life_reaches_the_endpoint_in_order_with_who_did_it(
    api: Client, stack: Stack, endpoints: Endpoints
) -> None:
    with receiver() as hooks:
        # Given
        webhook = endpoints.make(hooks.url)
        agent = Client(stack.api_url, stack.keys["agent"])
        # The demo agent takes the ticket whatever earlier tests (the fuzz test's PATCHes) left it as.
        room = {"available": True, "maxOpenTickets": 1000}
        assert api.request("PATCH", "/v1/agents/agent_n1", json=room).status == 200

        # When: created (then assigned by the stream), answered by the agent, closed
        ticket = api.create(TICKET).data
        wait_for(lambda: "ticket.assigned" in _types(hooks, ticket["id"]), "the assignment's event")
        assert agent.reply(ticket["id"], {"message": "Released today."}, "/messages").status == 201
        assert agent.update(ticket["id"], {"status": "CLOSED"}).status == 200
        wait_for(lambda: _closed(hooks, ticket["id"]), "the close's event")

        # Then every delivery is signed with the endpoint's secret, and they tell the life in order
        payloads = [entry.verified(webhook["secret"]) for entry in hooks.received]
        mine = sorted(
            (payload for payload in payloads if payload["data"].get("ticket", {}).get("id") == ticket["id"]),
            key=lambda payload: (payload["data"]["occurredAt"], ONE_WRITES_ORDER.index(payload["type"])),
        )
        told = [(payload["type"], payload["data"]["actor"]["role"]) for payload in mine]
        assert told[0] == ("ticket.created", "admin")
        assert set(told[1:3]) == {("ticket.status_changed", "system"), ("ticket.assigned", "system")}
        assert told[3] == ("message.created", "agent")
        assert told[-1] == ("ticket.status_changed", "agent")
        assert mine[-1]["data"]["ticket"]["status"] == "CLOSED"
        assert len({entry.webhook_id for entry in hooks.received}) == len(hooks.received)


def _closed(hooks: Receiver, ticket_id: str) -> bool:
    payloads = [json.loads(entry.body) for entry in hooks.received]
    return any(
        payload["data"].get("ticket", {}).get("id") == ticket_id
        and payload["data"]["ticket"]["status"] == "CLOSED"
        for payload in payloads
    )


def test_a_500_then_a_200_is_the_same_webhook_id_twice_and_the_log_shows_both(
    api: Client, endpoints: Endpoints
) -> None:
    with receiver() as hooks:
        # Given
        webhook = endpoints.make(hooks.url, ["ticket.created"])
        hooks.answer_with(500)

        # When
        api.create(TICKET)
        wait_for(lambda: len(hooks.received) >= 2, "the retry, 5 s after the 500")

        # Then
        first, second = hooks.received[:2]
        assert (first.status, second.status) == (500, 200)
        assert first.webhook_id == second.webhook_id
        assert second.signed_by(webhook["secret"])
        log = api.request("GET", f"/v1/webhooks/{webhook['id']}/deliveries").data
        assert [attempt["responseStatus"] for attempt in log[0]["attempts"]] == [500, 200]
        assert log[0]["status"] == "succeeded"


def test_an_endpoint_that_is_down_does_not_hold_back_another(api: Client, endpoints: Endpoints) -> None:
    with receiver() as hooks:
        # Given
        down = endpoints.make(unused_port_url(), ["ticket.created"])
        endpoints.make(hooks.url, ["ticket.created"])

        # When
        started = time.monotonic()
        api.create(TICKET)
        wait_for(lambda: hooks.received, "the delivery to the endpoint that is up")

        # Then
        assert time.monotonic() - started < 15
        log = api.request("GET", f"/v1/webhooks/{down['id']}/deliveries").data
        assert log[0]["attempts"][0]["error"] == "connection refused"


def test_resend_delivers_the_same_event_again(api: Client, endpoints: Endpoints) -> None:
    with receiver() as hooks:
        webhook = endpoints.make(hooks.url, ["ticket.created"])
        api.create(TICKET)
        wait_for(lambda: hooks.received, "the first delivery")
        (delivery,) = api.request("GET", f"/v1/webhooks/{webhook['id']}/deliveries").data

        resent = api.request("POST", f"/v1/webhooks/{webhook['id']}/deliveries/{delivery['id']}/resend")
        wait_for(lambda: len(hooks.received) >= 2, "the resent delivery")

        assert resent.status == 202
        assert hooks.received[0].body == hooks.received[1].body
        assert hooks.received[1].signed_by(webhook["secret"])


def test_a_disabled_endpoint_gets_nothing_and_another_tenants_never_hears_of_ours(
    api: Client, endpoints: Endpoints, other_endpoints: Endpoints
) -> None:
    with receiver() as disabled, receiver() as theirs, receiver() as watching:
        # Given
        off = endpoints.make(disabled.url)
        assert api.request("PATCH", f"/v1/webhooks/{off['id']}", json={"enabled": False}).status == 200
        other_endpoints.make(theirs.url)
        endpoints.make(watching.url, ["ticket.created"])

        # When
        api.create(TICKET)
        wait_for(lambda: watching.received, "the delivery to the enabled endpoint")
        time.sleep(2)  # what the others would have got has had its time

        # Then
        assert disabled.received == []
        assert theirs.received == []


def test_the_test_route_sends_a_signed_webhook_test(api: Client, endpoints: Endpoints) -> None:
    with receiver() as hooks:
        webhook = endpoints.make(hooks.url, ["ticket.created"])

        queued = api.request("POST", f"/v1/webhooks/{webhook['id']}/test")
        wait_for(lambda: hooks.received, "the test event")

        assert queued.status == 202
        assert hooks.received[0].verified(webhook["secret"])["type"] == "webhook.test"


def test_a_deletion_and_a_customers_and_an_agents_change_reach_the_endpoint_by_the_admins_key(
    api: Client, endpoints: Endpoints
) -> None:
    with receiver() as hooks:
        # Given
        webhook = endpoints.make(hooks.url, ["ticket.deleted", "customer.updated", "agent.updated"])
        ticket = api.create(TICKET).data
        agent = api.request("GET", "/v1/agents").data[0]
        customer = api.request("GET", "/v1/customers/user_42").data
        details = {name: customer[name] for name in ("email", "name", "metadata")}

        # When
        deleted = api.session.delete(f"{api.base_url}/v1/tickets/{ticket['id']}", timeout=30)
        assert deleted.status_code == 204
        renamed = f"{agent['name']} (renamed)"
        try:
            assert api.request("PATCH", f"/v1/agents/{agent['id']}", json={"name": renamed}).status == 200
            changed = details | {"name": f"{details['name']} (renamed)"}
            assert api.request("PUT", "/v1/customers/user_42", json=changed).status == 200
            wait_for(
                lambda: len(hooks.received) >= 3, "the deletion's, the agent's and the customer's events"
            )
            received = hooks.received[:3]  # before putting things back, which is told too
        finally:
            api.request("PATCH", f"/v1/agents/{agent['id']}", json={"name": agent["name"]})
            api.request("PUT", "/v1/customers/user_42", json=details)

        # Then
        payloads = [entry.verified(webhook["secret"]) for entry in received]
        told = {payload["type"]: payload["data"] for payload in payloads}
        assert len(told) == 3
        assert told["ticket.deleted"]["ticket"]["id"] == ticket["id"]
        assert {data["actor"]["role"] for data in told.values()} == {"admin"}
        assert told["agent.updated"]["changes"] == [{"field": "name", "from": agent["name"], "to": renamed}]
        assert told["customer.updated"]["changes"] == [
            {"field": "name", "from": details["name"], "to": changed["name"]}
        ]


def test_an_endpoint_the_delivery_disables_is_emailed_to_the_tenants_admins(
    api: Client, stack: Stack, endpoints: Endpoints
) -> None:
    endpoint = stack.endpoint
    assert endpoint, "the local stack file names its emulator, whose email outbox this reads"
    with receiver() as hooks:
        # Given an endpoint that answers 410 Gone
        webhook = endpoints.make(hooks.url, ["ticket.created"])
        hooks.answer_with(410)

        # When
        api.create(TICKET)

        # Then the demo tenant's admin address (ops@acme.com) is told which endpoint and why
        def emailed() -> bool:
            return any(
                "ops@acme.com" in (message.get("To") or []) and hooks.url in (message.get("Subject") or "")
                for message in outbox(endpoint)
            )

        wait_for(emailed, "the admin's email")
        assert api.request("GET", f"/v1/webhooks/{webhook['id']}").data["enabled"] is False
