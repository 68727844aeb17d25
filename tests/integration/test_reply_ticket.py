"""POST /v1/tickets/{id} and POST /v1/tickets/{id}/messages: replies, notes, the status rules they
drive, tenant isolation, and rejected replies that leave the ticket as it was."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.events import load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, invoke

MESSAGES = "/v1/tickets/{ticketId}/messages"
AGENT_REPLY = {"message": "Your order has been resent. Please check your email."}
CUSTOMER_REPLY = {"message": "I still haven't received it.", "from": {"role": "CUSTOMER", "name": "John Doe"}}
INTERNAL_NOTE = {
    "message": "Carrier confirms the parcel is lost; refund approved.",
    "internal": True,
    "from": {"role": "AGENT", "id": "agent_n1", "name": "Agent N1"},
}


def _at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def snapshot(api: Api, reference: str) -> dict[str, Any]:
    """The ticket with its messages, as GET returns it."""
    got = api.get(reference)
    assert got.status == 200, got.json
    return got.data  # type: ignore[no-any-return]


@pytest.fixture
def ticket(api: Api) -> dict[str, Any]:
    """A new, unassigned ticket INV-1 of acme, awaiting an agent."""
    created = api.create({"customerExternalId": "user_42", "subject": "Parcel not delivered"})
    assert created.status == 201, created.json
    assert created.data["messageCount"] == 0
    return created.data  # type: ignore[no-any-return]


# Agent replies -----------------------------------------------------------------------------------


def test_agent_public_reply_waits_on_customer_and_records_the_first_response(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given a new ticket awaiting an agent
    # When an agent replies publicly (role defaults to AGENT)
    reply = api.reply(ticket["id"], AGENT_REPLY)

    # Then the message is stored and the ticket now waits on the customer
    assert reply.status == 201, reply.json
    message, after = reply.data["message"], reply.data["ticket"]
    assert message["message"] == AGENT_REPLY["message"]
    assert message["from"]["role"] == "AGENT"
    assert message["internal"] is False
    assert message["ticketId"] == ticket["id"]
    assert after["status"] == "WAITING_ON_CUSTOMER"
    assert after["awaitingResponseFrom"] == "CUSTOMER"
    assert after["hasAgentReply"] is True
    assert after["firstResponseAt"] is not None
    assert after["messageCount"] == 1
    assert after["version"] == ticket["version"] + 1
    # And GET shows the same state
    stored = snapshot(api, ticket["id"])
    assert stored["status"] == "WAITING_ON_CUSTOMER"
    assert stored["firstResponseAt"] == after["firstResponseAt"]
    assert [m["id"] for m in stored["messages"]] == [message["id"]]


def test_the_agent_reply_event_file_replies_on_the_sellgate_route(api: Api, ticket: dict[str, Any]) -> None:
    # Given the agent reply example of events/, aimed at our ticket
    event = load_event("reply_ticket_agent.json", ticket_id=ticket["id"])

    # When it is sent
    reply = invoke("reply_ticket", event)

    # Then the reply is added
    assert reply.status == 201, reply.json
    assert reply.data["ticket"]["status"] == "WAITING_ON_CUSTOMER"
    assert snapshot(api, ticket["id"])["messageCount"] == 1


def test_second_agent_reply_keeps_the_first_response_time_and_counts_every_message(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given a ticket an agent already answered
    first = api.reply(ticket["id"], AGENT_REPLY)
    assert first.status == 201, first.json
    first_response_at = first.data["ticket"]["firstResponseAt"]

    # When the agent replies again
    second = api.reply(ticket["id"], {"message": "Any news on your side?"}, resource=MESSAGES)

    # Then the first response time stays, and both messages are counted
    assert second.status == 201, second.json
    assert second.data["ticket"]["firstResponseAt"] == first_response_at
    assert second.data["ticket"]["messageCount"] == 2
    assert second.data["ticket"]["version"] == ticket["version"] + 2
    stored = snapshot(api, ticket["id"])
    assert stored["firstResponseAt"] == first_response_at
    assert stored["messageCount"] == 2
    assert len(stored["messages"]) == 2


def test_reply_with_an_attachment_keeps_the_attachment(api: Api, ticket: dict[str, Any]) -> None:
    # Given a reply carrying an attachment
    attachment = {"filename": "label.pdf", "contentType": "application/pdf", "size": 1200}

    # When it is sent
    reply = api.reply(ticket["id"], AGENT_REPLY | {"attachments": [attachment]})

    # Then the stored message carries it
    assert reply.status == 201, reply.json
    stored = snapshot(api, ticket["id"])["messages"][0]["attachments"]
    assert [(a["filename"], a["contentType"], a["size"]) for a in stored] == [
        ("label.pdf", "application/pdf", 1200)
    ]


# Customer replies --------------------------------------------------------------------------------


def test_customer_reply_on_an_unassigned_ticket_puts_it_back_to_open_awaiting_an_agent(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given an unassigned ticket waiting on the customer
    assert api.reply(ticket["id"], AGENT_REPLY).status == 201

    # When the customer answers (the events/ example, on the /messages route)
    reply = invoke("reply_ticket", load_event("reply_ticket_customer.json", ticket_id=ticket["id"]))

    # Then the ticket is OPEN again and awaits an agent
    assert reply.status == 201, reply.json
    assert reply.data["message"]["from"]["role"] == "CUSTOMER"
    after = reply.data["ticket"]
    assert after["status"] == "OPEN"
    assert after["awaitingResponseFrom"] == "AGENT"
    assert after["assignedAgent"] is None
    assert after["messageCount"] == 2
    assert after["hasAgentReply"] is True


def test_customer_reply_on_an_assigned_ticket_puts_it_back_in_progress(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given a ticket assigned to agent_n1 who replied to the customer
    assigned = api.update(ticket["id"], {"assignedAgentId": "agent_n1"})
    assert assigned.status == 200, assigned.json
    assert api.reply(ticket["id"], AGENT_REPLY).data["ticket"]["status"] == "WAITING_ON_CUSTOMER"

    # When the customer answers
    reply = api.reply(ticket["id"], CUSTOMER_REPLY, resource=MESSAGES)

    # Then the agent's ticket is IN_PROGRESS again and awaits the agent
    assert reply.status == 201, reply.json
    after = reply.data["ticket"]
    assert after["status"] == "IN_PROGRESS"
    assert after["awaitingResponseFrom"] == "AGENT"
    assert after["assignedAgent"]["id"] == "agent_n1"


def test_customer_reply_reopens_a_closed_ticket(api: Api, ticket: dict[str, Any]) -> None:
    # Given a closed ticket
    closed = api.update(ticket["id"], {"status": "CLOSED"})
    assert closed.status == 200, closed.json
    assert closed.data["closedAt"] is not None
    assert api.list().json["stats"]["closed"] == 1

    # When the customer writes again
    reply = api.reply(ticket["id"], CUSTOMER_REPLY)

    # Then the ticket is open again, awaits an agent, and is no longer counted as closed
    assert reply.status == 201, reply.json
    after = reply.data["ticket"]
    assert after["status"] == "OPEN"
    assert after["closedAt"] is None
    assert after["awaitingResponseFrom"] == "AGENT"
    stats = api.list().json["stats"]
    assert stats["closed"] == 0
    assert stats["open"] == 1
    assert snapshot(api, ticket["id"])["closedAt"] is None


# Internal notes ----------------------------------------------------------------------------------


def test_internal_note_is_stored_but_changes_neither_status_nor_who_is_awaited(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given a new ticket awaiting an agent
    # When an agent adds an internal note (the events/ example)
    reply = invoke("reply_ticket", load_event("reply_ticket_internal_note.json", ticket_id=ticket["id"]))

    # Then the note is counted but the status, the awaited party and the first response are untouched
    assert reply.status == 201, reply.json
    after = reply.data["ticket"]
    assert after["status"] == "OPEN"
    assert after["awaitingResponseFrom"] == "AGENT"
    assert after["hasAgentReply"] is False
    assert after["firstResponseAt"] is None
    assert after["messageCount"] == 1
    # And GET shows the note, marked internal, with its author
    [note] = snapshot(api, ticket["id"])["messages"]
    assert note["internal"] is True
    assert note["message"] == INTERNAL_NOTE["message"]
    assert note["from"] == {"role": "AGENT", "id": "agent_n1", "name": "Agent N1"}


def test_internal_note_keeps_a_ticket_waiting_on_the_customer(api: Api, ticket: dict[str, Any]) -> None:
    # Given a ticket waiting on the customer
    assert api.reply(ticket["id"], AGENT_REPLY).status == 201

    # When an agent adds an internal note
    reply = api.reply(ticket["id"], INTERNAL_NOTE, resource=MESSAGES)

    # Then it still waits on the customer
    assert reply.status == 201, reply.json
    assert reply.data["ticket"]["status"] == "WAITING_ON_CUSTOMER"
    assert reply.data["ticket"]["awaitingResponseFrom"] == "CUSTOMER"
    assert reply.data["ticket"]["messageCount"] == 2


# Reading the conversation ------------------------------------------------------------------------


def test_get_returns_the_messages_oldest_first_with_their_roles(api: Api, ticket: dict[str, Any]) -> None:
    # Given an agent reply, a customer answer and an internal note, in that order
    sent = [AGENT_REPLY, CUSTOMER_REPLY, INTERNAL_NOTE]
    for body in sent:
        assert api.reply(ticket["id"], body).status == 201

    # When the ticket is read
    stored = snapshot(api, ticket["id"])

    # Then the messages come oldest first, each with who wrote it
    messages = stored["messages"]
    assert [m["message"] for m in messages] == [body["message"] for body in sent]
    assert [m["from"]["role"] for m in messages] == ["AGENT", "CUSTOMER", "AGENT"]
    assert [m["internal"] for m in messages] == [False, False, True]
    times = [_at(m["createdAt"]) for m in messages]
    assert times == sorted(times)
    assert stored["messageCount"] == 3


def test_reply_by_ticket_number_reaches_the_ticket(api: Api, ticket: dict[str, Any]) -> None:
    # Given ticket INV-1
    # When an agent replies to it by number
    reply = api.reply("INV-1", AGENT_REPLY)

    # Then the reply lands on that ticket
    assert reply.status == 201, reply.json
    assert reply.data["ticket"]["id"] == ticket["id"]
    assert reply.data["message"]["ticketId"] == ticket["id"]
    assert snapshot(api, ticket["id"])["messageCount"] == 1


# Not found and tenant isolation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param("01JS3Q6Z8X9V2K4M7N5P0R1T2W", id="unknown-ticket-id"),
        pytest.param("INV-999", id="unknown-ticket-number"),
        pytest.param("not-a-ticket", id="neither-id-nor-number"),
    ],
)
def test_reply_to_an_unknown_ticket_is_404_and_writes_nothing(
    api: Api, ticket: dict[str, Any], reference: str
) -> None:
    # Given a reference that names no ticket of acme
    before = snapshot(api, ticket["id"])

    # When a reply is sent to it
    response = api.reply(reference, AGENT_REPLY)

    # Then it is 404 TICKET_NOT_FOUND and the existing ticket is untouched
    assert_error(response, 404, "TICKET_NOT_FOUND")
    assert snapshot(api, ticket["id"]) == before


@pytest.mark.parametrize("by", ["id", "number"])
def test_ticket_of_another_tenant_is_404_and_unchanged(
    api: Api, seed: Seeder, ticket: dict[str, Any], by: str
) -> None:
    # Given globex with its own ticket GLX-1, and acme's ticket INV-1
    seed.tenant("globex", "GLX", name="Globex")
    seed.customer("globex")
    globex = Api("globex")
    theirs = globex.create({"customerExternalId": "user_42", "subject": "Globex ticket"})
    assert theirs.status == 201, theirs.json
    acme_before = snapshot(api, ticket["id"])
    globex_before = snapshot(globex, theirs.data["id"])

    # When globex replies to acme's ticket, by its id or its number
    reference = ticket["id"] if by == "id" else ticket["ticketNumber"]
    response = globex.reply(reference, AGENT_REPLY)

    # Then globex is told it does not exist, and neither ticket changed
    assert_error(response, 404, "TICKET_NOT_FOUND")
    assert snapshot(api, ticket["id"]) == acme_before
    assert snapshot(globex, theirs.data["id"]) == globex_before


# Validation --------------------------------------------------------------------------------------

INVALID_REPLIES = [
    pytest.param({}, "message", id="missing-message"),
    pytest.param({"message": ""}, "message", id="empty-message"),
    pytest.param({"message": "  \n\t  "}, "message", id="whitespace-only-message"),
    pytest.param({"message": "a" * (64 * 1024 + 1)}, "message", id="message-over-64KiB"),
    pytest.param({"message": "Hi", "from": {"role": "BOT"}}, "from.role", id="from-role-BOT"),
    pytest.param(
        {"message": "Hi", "internal": True, "from": {"role": "CUSTOMER"}},
        ("internal", "from.role"),
        id="internal-note-from-a-customer",
    ),
    pytest.param({"message": "Hi", "internal": "true"}, "internal", id="internal-as-string"),
    pytest.param({"message": "Hi", "status": "CLOSED"}, "status", id="unknown-field-status"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_REPLIES)
def test_invalid_reply_is_400_naming_the_field_and_leaves_the_ticket_unchanged(
    api: Api, ticket: dict[str, Any], body: dict[str, Any], field: str | tuple[str, ...]
) -> None:
    # Given a ticket and a reply that is invalid in one way
    before = snapshot(api, ticket["id"])

    # When the reply is sent
    response = api.reply(ticket["id"], body)

    # Then it is 400 VALIDATION_ERROR naming the field, and no message was added
    assert_error(response, 400, "VALIDATION_ERROR", field)
    after = snapshot(api, ticket["id"])
    assert after["messageCount"] == 0
    assert after["version"] == before["version"]
    assert after["messages"] == []
    assert after == before


def test_message_of_exactly_64_KiB_is_accepted(api: Api, ticket: dict[str, Any]) -> None:
    # Given a message of exactly 65536 bytes of UTF-8 (65535 characters)
    text = "a" * 65534 + "é"

    # When it is sent
    reply = api.reply(ticket["id"], raw_body=json.dumps({"message": text}, ensure_ascii=False))

    # Then it is stored whole
    assert reply.status == 201, reply.json
    assert snapshot(api, ticket["id"])["messages"][0]["message"] == text


# Stats -------------------------------------------------------------------------------------------


def test_needs_response_follows_who_is_awaited_as_replies_come_in(api: Api, ticket: dict[str, Any]) -> None:
    # Given two new tickets, both awaiting an agent
    other = api.create({"customerExternalId": "user_42", "subject": "Second ticket"})
    assert other.status == 201, other.json

    def needs_response() -> int:
        return api.list().json["stats"]["needsResponse"]  # type: ignore[no-any-return]

    def awaiting_agent() -> list[str]:
        return sorted(t["id"] for t in api.list(awaiting="AGENT").data)

    assert needs_response() == 2

    # When an agent answers the first, the count drops
    api.reply(ticket["id"], AGENT_REPLY)
    assert needs_response() == 1
    assert awaiting_agent() == [other.data["id"]]

    # When an internal note is added, nothing moves
    api.reply(ticket["id"], INTERNAL_NOTE)
    assert needs_response() == 1

    # When the customer answers, it needs a response again
    api.reply(ticket["id"], CUSTOMER_REPLY)
    assert needs_response() == 2
    assert awaiting_agent() == sorted([ticket["id"], other.data["id"]])

    # When the first is closed, it no longer needs one
    api.update(ticket["id"], {"status": "CLOSED"})
    stats = api.list().json["stats"]
    assert stats["needsResponse"] == 1
    assert stats["total"] == 2
