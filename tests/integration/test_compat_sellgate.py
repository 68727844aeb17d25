"""Sellgate, drop-in: its list (page numbers, status words, stats and meta), its get with every
message, its reply as the seller and its close and reopen, answered in its document's shapes; the
same tickets as the native API's, for the same tenant only (shared/seeds/sellgate-tickets-api.txt)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.documents import (
    SELLGATE_CLOSE_EXAMPLE,
    SELLGATE_GET_EXAMPLE_FIELDS,
    SELLGATE_LIST_KEYS,
    SELLGATE_MESSAGE_FIELDS,
    SELLGATE_META_FIELDS,
    SELLGATE_ORDER,
    SELLGATE_REPLY_EXAMPLE,
    SELLGATE_STATS_FIELDS,
    SELLGATE_TICKET_FIELDS,
)
from tests.support.events import api_event, load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse, invoke
from tests.support.moto_table import table_items
from tickets.logic.listing import MAX_NUMBERED_TICKETS


def sellgate(route: str, caller: dict[str, Any] | None = None, **kwargs: Any) -> ApiResponse:
    return invoke("sellgate", api_event(f"sellgate_{route}", **(caller or {}), **kwargs))


def list_tickets(**query: str) -> ApiResponse:
    return sellgate("list_tickets", query=query)


def create(api: Api, subject: str = "help", **fields: Any) -> dict[str, Any]:
    response = api.create({"customerExternalId": "user_42", "subject": subject} | fields)
    assert response.status == 201, response.json
    ticket: dict[str, Any] = response.data
    return ticket


def test_the_list_is_the_documents_with_status_words_stats_and_exact_totals(api: Api) -> None:
    # Given three tickets, one of them closed and one answered by the seller
    first = create(api, "help", order=SELLGATE_ORDER)
    answered = create(api, "where is it")
    closed = create(api, "thanks")
    api.reply(answered["id"], {"message": "On its way"})
    api.update(closed["id"], {"status": "CLOSED"})

    # When the document's request lists the open ones
    response = invoke("sellgate", load_event("sellgate_list_tickets.json"))

    # Then it is the document's list: its keys, the Ticket Object's fields, the stats and meta exact
    assert response.status == 200, response.json
    assert set(response.json) == SELLGATE_LIST_KEYS
    rows = response.json["data"]
    assert [row["id"] for row in rows] == [answered["id"], first["id"]]  # newest first
    for row in rows:
        assert set(row) == SELLGATE_TICKET_FIELDS
    assert set(response.json["stats"]) == SELLGATE_STATS_FIELDS
    assert response.json["stats"] == {"total": 3, "open": 2, "closed": 1, "needsResponse": 1}
    assert set(response.json["meta"]) == SELLGATE_META_FIELDS
    assert response.json["meta"] == {"total": 2, "limit": 25, "offset": 0}
    # And each field maps from the native ticket
    by_id = {row["id"]: row for row in rows}
    assert by_id[first["id"]] | {"created_at": None, "updated_at": None} == {
        "id": first["id"],
        "subject": "help",
        "status": "open",
        "awaiting_response_from": "owner",
        "customer_email": "john@acme.com",
        "order_id": "ord_xyz789",
        "invoice_id": "INV-12345",
        "product_name": "Premium License",
        "order_amount": 29.99,
        "order_currency": "USD",
        "message_count": 0,
        "has_owner_reply": False,
        "created_at": None,
        "updated_at": None,
        "closed_at": None,
    }
    assert by_id[first["id"]]["created_at"] == first["createdAt"]
    assert (by_id[answered["id"]]["awaiting_response_from"], by_id[answered["id"]]["has_owner_reply"]) == (
        "customer",
        True,
    )
    assert by_id[answered["id"]]["message_count"] == 1
    assert by_id[answered["id"]]["order_id"] is None
    # And closed lists the closed one, with its closing time; no status lists all three
    closed_rows = list_tickets(status="closed").json
    assert [(row["id"], row["status"]) for row in closed_rows["data"]] == [(closed["id"], "closed")]
    assert closed_rows["data"][0]["closed_at"] is not None
    assert closed_rows["meta"]["total"] == 1
    assert list_tickets().json["meta"]["total"] == 3


def test_page_numbers_walk_the_list_without_gaps_or_repeats(api: Api) -> None:
    # Given seven open tickets and a closed one
    created = [create(api, f"ticket {index}")["id"] for index in range(7)]
    api.update(create(api, "closed")["id"], {"status": "CLOSED"})

    # When the open ones are read three to a page, page after page
    pages = [list_tickets(status="open", limit="3", page=str(page)).json for page in (1, 2, 3, 4)]

    # Then the pages hold them all once, newest first, with their offsets; past the end a page is empty
    assert [[row["id"] for row in page["data"]] for page in pages] == [
        created[6:3:-1],
        created[3:0:-1],
        created[0:1],
        [],
    ]
    assert [page["meta"] for page in pages] == [
        {"total": 7, "limit": 3, "offset": offset} for offset in (0, 3, 6, 9)
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param({"status": "OPEN"}, "status", id="status-upper-case"),
        pytest.param({"status": "pending"}, "status", id="status-not-a-word"),
        pytest.param({"page": "0"}, "page", id="page-zero"),
        pytest.param({"page": "two"}, "page", id="page-not-a-number"),
        pytest.param({"limit": "101"}, "limit", id="limit-over-100"),
        pytest.param({"limit": "0"}, "limit", id="limit-zero"),
        pytest.param({"cursor": "abc"}, "cursor", id="a-native-parameter"),
        pytest.param({"limit": "100", "page": "101"}, "page", id="page-past-the-numbered-tickets"),
    ],
)
def test_a_query_the_document_does_not_allow_is_400_naming_the_parameter(
    api: Api, query: dict[str, str], field: str
) -> None:
    assert_error(list_tickets(**query), 400, "VALIDATION_ERROR", field)


def test_pages_stop_at_the_numbered_limit_and_point_to_the_native_cursor(api: Api) -> None:
    # Given the page size of 25, the last page within the first 10,000 tickets is 400
    last = MAX_NUMBERED_TICKETS // 25
    # When that page and the one after it are asked for
    within = list_tickets(page=str(last))
    past = list_tickets(page=str(last + 1))
    # Then the first is a (here empty) page, the second a 400 that says where to read on
    assert within.status == 200 and within.json["data"] == []
    assert_error(past, 400, "VALIDATION_ERROR", "page")
    assert "cursor" in past.json["error"]["details"][0]["message"]


def test_get_is_the_ticket_with_every_message_as_the_document_shows(api: Api) -> None:
    # Given a ticket with 130 messages, more than one page of the native API, from both sides
    ticket = create(api, "Order not received", order=SELLGATE_ORDER)
    for index in range(130):
        sender = "CUSTOMER" if index % 2 == 0 else "AGENT"
        assert (
            api.reply(ticket["id"], {"message": f"message {index}", "from": {"role": sender}}).status == 201
        )

    # When Sellgate's get asks for it (by its number, as native ids are accepted everywhere)
    response = sellgate("get_ticket", ticket_id=ticket["ticketNumber"])

    # Then it is the document's ticket with all 130 messages, oldest first, as customer and seller
    assert response.status == 200, response.json
    assert set(response.json) == {"data"}
    data = response.json["data"]
    assert SELLGATE_GET_EXAMPLE_FIELDS <= set(data) == SELLGATE_TICKET_FIELDS | {"messages"}
    assert (data["id"], data["subject"], data["order_id"]) == (
        ticket["id"],
        "Order not received",
        "ord_xyz789",
    )
    assert data["message_count"] == len(data["messages"]) == 130
    assert [message["message"] for message in data["messages"]] == [f"message {i}" for i in range(130)]
    assert [message["sender"] for message in data["messages"][:2]] == ["customer", "seller"]
    assert all(set(message) == SELLGATE_MESSAGE_FIELDS for message in data["messages"])
    assert response.headers["ETag"] == f'"{131}"'


def test_the_documents_reply_is_the_sellers_and_the_ticket_then_awaits_the_customer(api: Api) -> None:
    # Given an open ticket awaiting the seller
    ticket = create(api)
    # When the document's reply is sent
    response = sellgate("reply_ticket", ticket_id=ticket["id"], body=SELLGATE_REPLY_EXAMPLE)
    # Then it is 201 with the message, from the seller; the ticket has the seller's reply
    assert response.status == 201, response.json
    message = response.json["data"]
    assert set(message) == SELLGATE_MESSAGE_FIELDS
    assert (message["sender"], message["message"]) == ("seller", SELLGATE_REPLY_EXAMPLE["message"])
    row = list_tickets().json["data"][0]
    assert (row["awaiting_response_from"], row["has_owner_reply"], row["message_count"]) == (
        "customer",
        True,
        1,
    )
    assert api.get(ticket["id"]).data["messages"][0]["from"]["role"] == "AGENT"


def test_patch_closes_and_reopens(api: Api) -> None:
    # Given an open ticket
    ticket = create(api)
    # When the document's PATCH closes it, and open reopens it
    closed = sellgate("update_ticket", ticket_id=ticket["id"], body=SELLGATE_CLOSE_EXAMPLE)
    reopened = sellgate("update_ticket", ticket_id=ticket["id"], body={"status": "open"})
    # Then the answers are the ticket, closed (with its time) then open again and awaiting the seller
    assert closed.status == 200, closed.json
    assert set(closed.json["data"]) == SELLGATE_TICKET_FIELDS
    assert (closed.json["data"]["status"], closed.json["data"]["closed_at"] is not None) == ("closed", True)
    assert api.get(ticket["id"]).data["status"] == "OPEN"
    assert reopened.status == 200, reopened.json
    assert (reopened.json["data"]["status"], reopened.json["data"]["closed_at"]) == ("open", None)
    assert reopened.json["data"]["awaiting_response_from"] == "owner"
    assert reopened.headers["ETag"] == '"3"'


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        pytest.param("update_ticket", {"status": "CLOSED"}, "status", id="status-upper-case"),
        pytest.param("update_ticket", {"status": "resolved"}, "status", id="status-not-a-word"),
        pytest.param("update_ticket", {}, "status", id="status-missing"),
        pytest.param(
            "update_ticket", {"status": "closed", "priority": "HIGH"}, "priority", id="native-field"
        ),
        pytest.param("reply_ticket", {}, "message", id="message-missing"),
        pytest.param("reply_ticket", {"message": ""}, "message", id="message-empty"),
        pytest.param("reply_ticket", {"message": "hi", "internal": True}, "internal", id="native-field"),
    ],
)
def test_a_write_the_document_does_not_allow_is_400_and_writes_nothing(
    api: Api, route: str, body: dict[str, Any], field: str
) -> None:
    ticket = create(api)
    before = table_items()
    assert_error(sellgate(route, ticket_id=ticket["id"], body=body), 400, "VALIDATION_ERROR", field)
    assert table_items() == before


def test_tenants_see_only_their_own_tickets_and_roles_apply(api: Api, seed: Seeder) -> None:
    # Given a ticket of acme, and tenant globex with none
    ticket = create(api)
    seed.tenant("globex", "GLX", name="Globex")
    globex = {"tenant_id": "globex"}
    integration = {"role": "integration"}

    # When globex lists, gets, replies to and closes through Sellgate, and acme's integration key replies
    listed = sellgate("list_tickets", globex)
    got = sellgate("get_ticket", globex, ticket_id=ticket["id"])
    replied = sellgate("reply_ticket", globex, ticket_id=ticket["id"], body=SELLGATE_REPLY_EXAMPLE)
    closed = sellgate("update_ticket", globex, ticket_id=ticket["id"], body=SELLGATE_CLOSE_EXAMPLE)
    as_integration = sellgate(
        "reply_ticket", integration, ticket_id=ticket["id"], body=SELLGATE_REPLY_EXAMPLE
    )

    # Then globex sees nothing of acme's, and an integration key may not answer as the seller
    assert listed.json["data"] == [] and listed.json["stats"]["total"] == 0
    for response in (got, replied, closed):
        assert_error(response, 404, "TICKET_NOT_FOUND")
    assert_error(as_integration, 403, "FORBIDDEN")
    assert api.get(ticket["id"]).data["messageCount"] == 0
