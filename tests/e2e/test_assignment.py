"""Automatic assignment and the agent's email, through the table's stream, over HTTP."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from tests.e2e.conftest import Client, Stack

WAIT_SECONDS = 20


def wait_for(check: Any, what: str, seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def outbox(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/_ministack/ses/messages", timeout=5) as response:
        document = json.load(response)
    return [message for account in document.get("messages", {}).values() for message in account]


def test_a_new_ticket_is_assigned_to_an_agent_who_gets_an_email(api: Client, stack: Stack) -> None:
    # When a ticket is created
    created = api.create(
        {"customerExternalId": "user_42", "subject": "Card declined twice", "priority": "HIGH"}
    )
    assert created.status == 201
    number = created.data["ticketNumber"]

    # Then within seconds an agent has it, with the reasoning recorded
    def assigned() -> dict[str, Any] | None:
        ticket = api.get(number).data
        return ticket if ticket["assignedAgent"] else None

    ticket = wait_for(assigned, "assignment")
    assert ticket["status"] == "IN_PROGRESS"
    assert ticket["assignment"]["agentId"] == ticket["assignedAgent"]["id"]
    assert ticket["assignment"]["candidates"]

    # And, on the local stack, the agent's email is in the outbox
    if stack.endpoint:
        agent_email = ticket["assignedAgent"]["email"]

        def emailed() -> bool:
            return any(
                agent_email in (message.get("To") or []) and number in (message.get("Subject") or "")
                for message in outbox(stack.endpoint)
            )

        wait_for(emailed, "the agent's email")
