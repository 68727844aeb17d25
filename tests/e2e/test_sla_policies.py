"""SLA policies over HTTP on the deployed stack: an admin puts, reads, lists and deletes one; an agent
key may not."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import Client, Stack

POLICY = {
    "name": "Standard support",
    "targets": {"URGENT": {"firstResponseMinutes": 30, "resolutionMinutes": 480}},
    "businessHours": {
        "timezone": "Europe/Berlin",
        "weekly": {"mon": [["09:00", "17:00"]], "fri": [["09:00", "13:00"], ["14:00", "17:00"]]},
        "holidays": ["2026-12-25"],
    },
    "appliesTo": {"department": "Billing"},
}


def test_an_admin_puts_reads_lists_and_deletes_a_policy(api: Client) -> None:
    policy_id = f"e2e-{uuid.uuid4().hex[:12]}"
    path = f"/v1/sla-policies/{policy_id}"
    created = api.request("PUT", path, json=POLICY)
    assert created.status == 201, created.json
    assert created.data["businessHours"]["weekly"]["fri"] == [["09:00", "13:00"], ["14:00", "17:00"]]
    assert api.request("PUT", path, json=POLICY | {"name": "Billing"}).status == 200
    assert api.request("GET", path).data["name"] == "Billing"
    assert policy_id in [policy["id"] for policy in api.request("GET", "/v1/sla-policies").data]
    assert api.request("DELETE", path).status == 204
    gone = api.request("GET", path)
    assert gone.status == 404
    assert gone.error["code"] == "SLA_POLICY_NOT_FOUND"


def test_an_agent_key_may_not_see_the_policies(stack: Stack) -> None:
    agent = Client(stack.api_url, stack.keys["agent"])
    refused = agent.request("GET", "/v1/sla-policies")
    assert refused.status == 403
    assert refused.error["code"] == "FORBIDDEN"
