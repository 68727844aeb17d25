"""GET /v1/tickets/{ticketId} through the get handler: by id or number, every field, messages and paging."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse
from tickets import clients, keys
from tickets.ids import new_ulid
from tickets.models.domain import Message, MessageAuthor
from tickets.store import items

TAG = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
UNKNOWN_ULID = "01JS3Q6Z8X9V2K4M7N5P0R1T2W"
TICKET_FIELDS = {
    "id",
    "ticketNumber",
    "subject",
    "description",
    "status",
    "priority",
    "category",
    "department",
    "topic",
    "channel",
    "tagIds",
    "metadata",
    "reference",
    "order",
    "customer",
    "assignedAgent",
    "awaitingResponseFrom",
    "messageCount",
    "hasAgentReply",
    "replyRequested",
    "attachments",
    "externalId",
    "createdAt",
    "updatedAt",
    "firstResponseAt",
    "closedAt",
    "version",
}
FULL_TICKET: dict[str, Any] = {
    "customerExternalId": "user_42",
    "subject": "Payment failed for order #12345",
    "description": "Payment attempt failed with **CARD_DECLINED**.\n\nCustomer notified by email.",
    "priority": "HIGH",
    "category": "Billing",
    "department": "Payments",
    "topic": "REFUND",
    "metadata": {"orderId": "12345", "amount": 99.9, "retries": [1, 2]},
    "tagIds": [TAG],
    "reference": {"type": "ORDERID", "id": "19820701"},
    "order": {
        "orderId": "ord_xyz789",
        "invoiceId": "INV-12345",
        "productName": "Premium License",
        "amount": 29.99,
        "currency": "USD",
    },
    "externalId": "stripe-evt-0001",
    "replyRequested": True,
    "attachments": [
        {
            "filename": "receipt.pdf",
            "contentType": "application/pdf",
            "size": 1024,
            "url": "https://files.example.com/receipt.pdf",
        }
    ],
}


def _ok(response: ApiResponse, status: int = 200) -> ApiResponse:
    assert response.status == status, response.json
    return response


def _create(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"customerExternalId": "user_42", "subject": "Order stuck"} | fields
    return _ok(api.create(body), 201).data  # type: ignore[no-any-return]


def _not_found(response: ApiResponse) -> None:
    assert response.status == 404, response.json
    assert response.json["success"] is False
    assert response.error["code"] == "TICKET_NOT_FOUND"
    assert isinstance(response.json["timestamp"], str)


def _bad_request(response: ApiResponse, field_name: str) -> None:
    assert response.status == 400, response.json
    assert response.json["success"] is False
    assert response.error["code"] == "VALIDATION_ERROR"
    assert field_name in response.error_fields(), response.error


def _seed_messages(table: str, ticket_id: str, count: int, tenant_id: str = "acme") -> None:
    """`count` agent messages 'message 000'... written straight to the table, oldest first, in the
    past. Replying 100 times through the handler costs minutes in moto (it copies the whole table for
    every item of every transaction), so the bulk of a long conversation is seeded; the ticket's
    messageCount does not include these."""
    start = datetime.now(UTC) - timedelta(seconds=10)
    requests = []
    for number in range(count):
        at = start + timedelta(milliseconds=number)
        message = Message(
            tenant_id=tenant_id,
            id=new_ulid(at),
            ticket_id=ticket_id,
            message=f"message {number:03d}",
            from_=MessageAuthor(),
            created_at=at,
        )
        requests.append({"PutRequest": {"Item": items.message_item(message)}})
    for first in range(0, len(requests), 25):
        clients.dynamodb().batch_write_item(RequestItems={table: requests[first : first + 25]})
    time.sleep(0.002)  # the next message written through the API is strictly newer


# Finding a ticket ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["id", "lower-case id", "INV-3", "inv-3"])
def test_a_ticket_is_found_by_its_id_or_its_number_in_any_case(api: Api, reference: str) -> None:
    # Given three tickets
    _create(api)
    _create(api)
    third = _create(api, subject="The third one")
    asked = {"id": third["id"], "lower-case id": third["id"].lower()}.get(reference, reference)

    # When the third is asked for
    response = _ok(api.get(asked))

    # Then it is the third ticket
    assert response.json["success"] is True
    assert response.data["id"] == third["id"]
    assert response.data["ticketNumber"] == "INV-3"
    assert response.data["subject"] == "The third one"


def test_a_ticket_returns_every_field_it_was_created_with(api: Api) -> None:
    # Given a ticket created with every optional field
    created = _create(api, **FULL_TICKET)

    # When it is read back
    ticket = _ok(api.get(created["id"])).data

    # Then every ticket field is there, with the values sent and the server's defaults
    assert set(ticket) >= TICKET_FIELDS, TICKET_FIELDS - set(ticket)
    sent = {name: value for name, value in FULL_TICKET.items() if name != "customerExternalId"}
    assert {name: ticket[name] for name in sent} == sent
    assert ticket["id"] == created["id"]
    assert ticket["ticketNumber"] == "INV-1"
    assert ticket["status"] == "OPEN"
    assert ticket["channel"] == "API"
    assert ticket["customer"] == {
        "id": ticket["customer"]["id"],
        "externalId": "user_42",
        "email": "john@acme.com",
        "name": "John Doe",
    }
    assert ticket["customer"]["id"]
    assert ticket["assignedAgent"] is None
    assert ticket["awaitingResponseFrom"] == "AGENT"
    assert (ticket["messageCount"], ticket["hasAgentReply"], ticket["version"]) == (0, False, 1)
    assert ticket["createdAt"] == ticket["updatedAt"]
    assert ticket["firstResponseAt"] is None
    assert ticket["closedAt"] is None
    assert ticket["messages"] == []
    assert ticket["messagesCursor"] is None


def test_a_minimal_ticket_returns_every_field_with_nulls_and_empty_lists(api: Api) -> None:
    # Given a ticket created with only the required fields
    created = _create(api)

    # When it is read back
    ticket = _ok(api.get(created["id"])).data

    # Then every field is still present: absent values as null, lists empty, defaults filled in
    assert set(ticket) >= TICKET_FIELDS, TICKET_FIELDS - set(ticket)
    for name in ("description", "category", "department", "topic", "metadata", "reference", "order"):
        assert ticket[name] is None, name
    assert ticket["externalId"] is None
    assert ticket["tagIds"] == []
    assert ticket["attachments"] == []
    assert ticket["priority"] == "MEDIUM"
    assert ticket["replyRequested"] is True


def test_a_ticket_shows_its_agent_and_first_response_after_work_on_it(api: Api) -> None:
    # Given a ticket assigned to an agent who then replied
    ticket_id = _create(api)["id"]
    _ok(api.update(ticket_id, {"assignedAgentId": "agent_n1"}))
    reply = _ok(api.reply(ticket_id, {"message": "We are on it."}), 201).data

    # When it is read
    ticket = _ok(api.get(ticket_id)).data

    # Then the agent, the first response and the counters show it
    assert ticket["assignedAgent"] == {"id": "agent_n1", "name": "Agent N1", "email": "agent_n1@acme.com"}
    assert ticket["status"] == "WAITING_ON_CUSTOMER"
    assert ticket["awaitingResponseFrom"] == "CUSTOMER"
    assert ticket["hasAgentReply"] is True
    assert ticket["messageCount"] == 1
    assert ticket["firstResponseAt"] == reply["message"]["createdAt"]
    assert ticket["version"] == 3
    assert ticket["updatedAt"] > ticket["createdAt"]


# Messages ------------------------------------------------------------------------------------------


def test_messages_come_oldest_first_with_their_author(api: Api) -> None:
    # Given an agent reply, a customer answer and an internal note, in that order
    ticket_id = _create(api)["id"]
    _ok(api.reply(ticket_id, {"message": "first", "from": {"role": "AGENT", "name": "Ann"}}), 201)
    _ok(api.reply(ticket_id, {"message": "second", "from": {"role": "CUSTOMER"}}), 201)
    _ok(api.reply(ticket_id, {"message": "third", "internal": True}), 201)

    # When the ticket is read
    ticket = _ok(api.get(ticket_id)).data

    # Then its messages come oldest first, each with who wrote it
    messages = ticket["messages"]
    assert [m["message"] for m in messages] == ["first", "second", "third"]
    assert [m["from"]["role"] for m in messages] == ["AGENT", "CUSTOMER", "AGENT"]
    assert messages[0]["from"]["name"] == "Ann"
    assert [m["internal"] for m in messages] == [False, False, True]
    assert [m["createdAt"] for m in messages] == sorted(m["createdAt"] for m in messages)
    assert all(m["ticketId"] == ticket_id for m in messages)
    assert ticket["messageCount"] == 3
    assert ticket["messagesCursor"] is None


def test_more_than_100_messages_come_in_pages_with_a_messages_cursor(api: Api, table: str) -> None:
    # Given a ticket with 105 messages: 100 earlier ones, then 5 replies through the API
    ticket_id = _create(api)["id"]
    _seed_messages(table, ticket_id, 100)
    for number in range(100, 105):
        _ok(api.reply(ticket_id, {"message": f"message {number:03d}"}), 201)

    # When it is read
    first = _ok(api.get(ticket_id)).data

    # Then the first 100 messages come, oldest first, with a cursor for the rest
    assert [m["message"] for m in first["messages"]] == [f"message {n:03d}" for n in range(100)]
    assert first["messagesCursor"]

    # When the cursor is followed
    second = _ok(api.get(ticket_id, messagesCursor=first["messagesCursor"])).data

    # Then the last 5 come with the ticket again, and no further cursor
    assert [m["message"] for m in second["messages"]] == [f"message {n:03d}" for n in range(100, 105)]
    assert second["messagesCursor"] is None
    assert second["id"] == ticket_id
    assert second["ticketNumber"] == "INV-1"
    assert second["description"] == first["description"]
    assert second["messageCount"] == first["messageCount"] == 5  # the replies made through the API
    assert set(second) >= TICKET_FIELDS


def test_exactly_100_messages_come_in_one_page_without_a_cursor(api: Api, table: str) -> None:
    # Given a ticket with exactly 100 messages
    ticket_id = _create(api, description="Details")["id"]
    _seed_messages(table, ticket_id, 99)
    _ok(api.reply(ticket_id, {"message": "message 099"}), 201)

    # When it is read
    ticket = _ok(api.get(ticket_id)).data

    # Then all of them come at once, with no cursor to an empty page
    assert [m["message"] for m in ticket["messages"]] == [f"message {n:03d}" for n in range(100)]
    assert ticket["messagesCursor"] is None


def test_a_messages_cursor_of_another_ticket_is_rejected(api: Api, table: str) -> None:
    # Given a messagesCursor of a ticket with 101 messages, and another ticket
    busy = _create(api)["id"]
    _seed_messages(table, busy, 101)
    cursor = _ok(api.get(busy)).data["messagesCursor"]
    assert cursor
    other = _create(api)["id"]
    _seed_messages(table, other, 101)

    # When the cursor is used to read the other ticket
    response = api.get(other, messagesCursor=cursor)

    # Then it is a 400 naming messagesCursor
    _bad_request(response, "messagesCursor")


def test_a_list_cursor_or_garbage_is_not_a_messages_cursor(api: Api) -> None:
    # Given two tickets and the cursor of a one-ticket list page
    ticket_id = _create(api)["id"]
    _create(api)
    list_cursor = _ok(api.list(limit="1")).json["meta"]["nextCursor"]
    assert list_cursor

    # When the ticket is read with a cursor it never issued
    # Then each is a 400 naming messagesCursor
    for cursor in (list_cursor, "garbage", "abc.def", "eyJ2IjoxLCJwIjpbXX0.AAAAAAAAAAAAAAAAAAAAAA", ""):
        _bad_request(api.get(ticket_id, messagesCursor=cursor), "messagesCursor")


# Not found -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        UNKNOWN_ULID,
        UNKNOWN_ULID.lower(),
        "INV-999",
        "inv-0",
        "INV-",
        "-1",
        "GLX-1",
        "INV-1-1",
        "01JS3Q6Z8X9V2K4M7N5P0R1T2",
    ],
)
def test_an_unknown_id_or_number_is_ticket_not_found(api: Api, seed: Seeder, reference: str) -> None:
    # Given a ticket INV-1 of acme, and a ticket GLX-1 of another tenant
    _create(api)
    seed.tenant("globex", "GLX", name="Globex")
    seed.customer("globex", "user_42")
    _create(Api("globex"))

    # When acme asks for an id or number it does not have (another tenant's prefix included)
    response = api.get(reference)

    # Then it is a 404 TICKET_NOT_FOUND in the envelope
    _not_found(response)


@pytest.mark.parametrize(
    "reference", ["../../etc/passwd", "' OR 1=1 --", "%00", "a" * 64, "INV-1%00", "#TICKET"]
)
def test_a_garbage_id_is_ticket_not_found_in_the_envelope(api: Api, reference: str) -> None:
    # Given a ticket INV-1
    _create(api)

    # When something that is neither an id nor a number is asked for
    response = api.get(reference)

    # Then it is a 404 TICKET_NOT_FOUND in the envelope, without internals
    _not_found(response)
    assert "Traceback" not in response.error["message"]


@pytest.mark.parametrize("query", [{"page": "2"}, {"cursor": "x"}, {"messages_cursor": "x"}])
def test_an_unknown_query_parameter_is_rejected(api: Api, query: dict[str, str]) -> None:
    # Given a ticket
    ticket_id = _create(api)["id"]

    # When it is read with a query parameter the route does not know
    response = api.get(ticket_id, **query)

    # Then it is a 400 naming the parameter
    _bad_request(response, next(iter(query)))


def test_a_ticket_stored_with_a_currency_no_longer_accepted_still_reads_and_can_be_changed(
    api: Api, table: str
) -> None:
    # Given a ticket written before currencies were checked against ISO 4217 (its order is in "XYZ")
    created = api.create(
        {"customerExternalId": "user_42", "subject": "Old order", "order": {"currency": "USD"}}
    )
    assert created.status == 201, created.json
    key = items.serialize(keys.ticket_key("acme", created.data["id"]))
    clients.dynamodb().update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #order = :order",
        ExpressionAttributeNames={"#order": "order"},
        ExpressionAttributeValues={":order": {"S": '{"currency":"XYZ"}'}},
    )

    # When it is read, and changed
    got = api.get(created.data["id"])
    changed = api.update(created.data["id"], {"priority": "HIGH"})

    # Then it reads as stored, and a change that leaves the order alone keeps it as it is
    assert got.status == 200, got.json
    assert got.data["order"]["currency"] == "XYZ"
    assert changed.status == 200, changed.json
    assert changed.data["order"]["currency"] == "XYZ"
