"""A ticket's history over HTTP: the stream function tells each change as the deployed stack runs it."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Client
from tests.e2e.test_assignment import wait_for


def test_a_ticket_created_and_answered_is_told_in_its_history_by_who_did_it(api: Client) -> None:
    # Given a ticket, answered by an agent
    created = api.create({"customerExternalId": "user_42", "subject": "Invoice missing", "priority": "LOW"})
    assert created.status == 201
    number = created.data["ticketNumber"]
    assert api.reply(number, {"message": "Sent again.", "from": {"role": "AGENT"}}, "/messages").status == 201

    # When its history is read once the stream has seen the writes
    def told() -> list[dict[str, Any]] | None:
        response = api.request("GET", f"/v1/tickets/{number}/events", params={"limit": "100"})
        assert response.status == 200, response.json
        events: list[dict[str, Any]] = response.json["data"]
        return events if any(event["type"] == "message.created" for event in events) else None

    events = wait_for(told, "the reply's event")
    # Then it begins with the creation by this key (an admin's), and holds the reply
    assert (events[0]["type"], events[0]["actor"]["role"]) == ("ticket.created", "admin")
    reply = next(event for event in events if event["type"] == "message.created")
    assert (reply["actor"]["role"], reply["internal"]) == ("admin", False)
    # And a method it does not serve is a 405 naming the one it does
    refused = api.request("POST", f"/v1/tickets/{number}/events", json={})
    assert (refused.status, refused.headers.get("Allow")) == (405, "GET")
