"""SLA clocks on the local stack: a policy with a one-minute first response for URGENT tickets, the
deployed SlaClockFunction on its one-minute schedule, the stream, the bus, the webhook delivery and the
WebSocket push. An URGENT ticket left unanswered breaches, once; one answered within the minute is met.
Receivers listen on this machine's 127.0.0.1, so this runs against the local stack only."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Client
from tests.e2e.test_assignment import wait_for
from tests.e2e.test_realtime import dashboard
from tests.e2e.test_webhooks import Endpoints, _endpoints_of
from tests.support.receiver import receiver

# The target's minute, the sweep's minute, and the stream, bus and delivery after it.
BREACH_WAIT_SECONDS = 180


@pytest.fixture(autouse=True)
def _local_stack_only() -> None:
    if os.environ.get("API_URL"):
        pytest.skip("the receivers listen on this machine's 127.0.0.1 (not reachable from a deployment)")


@pytest.fixture
def department(api: Client) -> Iterator[str]:
    """A department of this test's own, and a policy for it: other tests' tickets have no clocks."""
    name = f"sla-e2e-{uuid.uuid4().hex[:8]}"
    policy = {
        "name": "One-minute first response",
        "targets": {"URGENT": {"firstResponseMinutes": 1}},
        "appliesTo": {"department": name},
    }
    assert api.request("PUT", f"/v1/sla-policies/{name}", json=policy).status == 201
    yield name
    api.request("DELETE", f"/v1/sla-policies/{name}")


@pytest.fixture
def endpoints(api: Client) -> Iterator[Endpoints]:
    yield from _endpoints_of(api)


def test_an_unanswered_urgent_ticket_breaches_once_and_an_answered_one_is_met(
    api: Client, department: str, endpoints: Endpoints
) -> None:
    ticket: dict[str, Any] = {
        "customerExternalId": "user_42",
        "subject": "Checkout is down",
        "priority": "URGENT",
        "department": department,
    }
    with receiver() as hooks, dashboard(api) as live:
        webhook = endpoints.make(hooks.url, ["sla.breached"])
        # Given two URGENT tickets under the policy
        left = api.create(ticket).data
        answered = api.create(ticket | {"subject": "Refund not received"}).data
        assert left["sla"]["firstResponse"]["targetMinutes"] == 1
        # When an agent answers one within the minute, and nobody the other
        reply = {"message": "Looking into it now.", "from": {"role": "AGENT"}}
        assert api.reply(answered["id"], reply, "/messages").status == 201

        # Then the unanswered one's breach reaches the WebSocket and the webhook
        pushed = live.read_until(
            lambda m: m["type"] == "sla.breached" and m["data"]["ticket"]["id"] == left["id"],
            "the breach's push",
            seconds=BREACH_WAIT_SECONDS,
        )
        assert pushed["data"]["metric"] == "firstResponse"
        assert pushed["data"]["dueAt"] == left["sla"]["firstResponse"]["dueAt"]
        heard = wait_for(lambda: _breaches(hooks, webhook["secret"], left["id"]), "the breach's delivery")
        assert heard[0]["data"]["actor"]["role"] == "system"

    # And the ticket records it, and its history tells of it once
    sla = api.get(left["id"]).data["sla"]
    assert sla["firstResponse"]["breachedAt"] is not None
    history = api.request("GET", f"/v1/tickets/{left['id']}/events").data
    assert [event["type"] for event in history].count("sla.breached") == 1
    # And the answered one is met, without a breach
    met = api.get(answered["id"]).data["sla"]["firstResponse"]
    assert met["metAt"] is not None
    assert met["breachedAt"] is None
    answered_history = api.request("GET", f"/v1/tickets/{answered['id']}/events").data
    assert "sla.breached" not in [event["type"] for event in answered_history]
    for made in (left, answered):
        api.update(made["id"], {"status": "CLOSED"})


def _breaches(hooks: Any, secret: str, ticket_id: str) -> list[dict[str, Any]]:
    payloads = [entry.verified(secret) for entry in hooks.received]
    return [
        payload
        for payload in payloads
        if payload["type"] == "sla.breached" and payload["data"]["ticket"]["id"] == ticket_id
    ]
