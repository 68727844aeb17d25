"""JTL SCX, drop-in: its document's Create Ticket, a ticket of the tenant that answers for the seller, the
buyer its customer, the message its first; the same ticketId answered with the same ticket; every rule of
the document's body, and every error, in its errorList."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.documents import (
    JTL_EXAMPLE,
    JTL_EXAMPLE_BODY,
    JTL_MISSING_SELLER_ERROR,
    JTL_REQUIRED_FIELDS,
)
from tests.support.events import api_event, load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse, invoke
from tests.support.moto_table import table_items

BUYER_KEY = "jtl:4711:Dave"
BODY_HINT = "Check the body — it must be one JSON object, sent as application/json."


def send(body: Any = None, raw_body: str | None = None, **kwargs: Any) -> ApiResponse:
    """The request as API Gateway hands it to JtlFunction, from acme's integration key unless said."""
    caller = {"role": "integration"} | kwargs
    return invoke("jtl", api_event("jtl_create_ticket", body=body, raw_body=raw_body, **caller))


def entries(response: ApiResponse) -> list[dict[str, Any]]:
    """The errorList, each entry checked to be the document's four fields and nothing else."""
    assert set(response.json) == {"errorList"}, response.json
    for entry in response.json["errorList"]:
        assert set(entry) == {"code", "message", "severity", "hint"}, entry
        assert entry["severity"] == "error"
        assert entry["message"] and entry["hint"]
    return response.json["errorList"]  # type: ignore[no-any-return]


@pytest.fixture
def sellers(seed: Seeder) -> Seeder:
    """acme answers for seller 4711 (the document's), globex (its own customers and agent) for 4712."""
    seed.tenants.set_channel_sellers("acme", ["4711"])
    seed.tenant("globex", "GLX", name="Globex")
    seed.tenants.set_channel_sellers("globex", ["4712"])
    return seed


def test_the_documents_example_creates_a_ticket_of_the_sellers_tenant(sellers: Seeder) -> None:
    # Given the document's example request, its body as its curl sends it (the events/ file holds it)
    event = load_event("jtl_create_ticket.json")
    event["requestContext"]["authorizer"]["role"] = "integration"

    # When it is sent
    response = invoke("jtl", event)

    # Then it is 201 with the ticket's id and number, bare, as a channel API answers
    assert response.status == 201, response.json
    assert set(response.json) == {"id", "ticketNumber"}
    assert response.json["ticketNumber"] == "INV-1"
    # And the ticket holds what the channel sent, mapped onto the native fields
    ticket = Api("acme").get(response.json["id"]).data
    assert (ticket["subject"], ticket["topic"]) == ("Pod bay door seems to be locked.", "QUESTION")
    assert ticket["reference"] == {"type": "ORDERID", "id": "19820701"}
    assert (ticket["externalId"], ticket["channelSellerId"]) == ("CASE-01071982", "4711")
    assert [(a["filename"], a["contentType"]) for a in ticket["attachments"]] == [("RedDot.png", "image/png")]
    assert ticket["replyRequested"] is True
    # And its source time is the channel's createdAt, its own createdAt the time it reached us
    assert ticket["sourceCreatedAt"] == "2023-11-07T05:31:56.000000Z"
    assert ticket["createdAt"] > ticket["sourceCreatedAt"]
    # And the buyer is a customer of the tenant, under the seller and its name
    assert (ticket["customer"]["externalId"], ticket["customer"]["name"]) == (BUYER_KEY, "Dave")
    assert Api("acme").get_customer(BUYER_KEY).data["name"] == "Dave"
    # And the message is the first message, from the customer, and the ticket awaits an agent
    assert [(m["message"], m["from"]["role"], m["from"]["name"]) for m in ticket["messages"]] == [
        ("Open the pod bay doors HAL.", "CUSTOMER", "Dave")
    ]
    assert ticket["messageCount"] == 1
    assert (ticket["status"], ticket["awaitingResponseFrom"]) == ("OPEN", "AGENT")
    assert ticket["description"] is None


def test_the_same_ticket_id_again_answers_200_with_the_first_ticket_and_writes_nothing(
    sellers: Seeder,
) -> None:
    # Given the example sent once
    first = send(raw_body=JTL_EXAMPLE_BODY)
    assert first.status == 201, first.json
    before = table_items()

    # When the channel sends the same ticketId again (its retry; even with another subject)
    again = send(JTL_EXAMPLE | {"subject": "Pod bay door, second attempt."})

    # Then it is 200 with the ticket made the first time, and not one item was written
    assert again.status == 200, again.json
    assert again.json == first.json
    assert table_items() == before


def test_a_buyer_seen_before_is_the_same_customer_and_its_details_are_kept(sellers: Seeder) -> None:
    # Given the buyer is a customer already, whose email the tenant keeps
    sellers.customer("acme", BUYER_KEY, email="dave@discovery.one", name="Dave Bowman")

    # When two tickets of that buyer arrive
    first = send(JTL_EXAMPLE)
    second = send(JTL_EXAMPLE | {"ticketId": "CASE-2"})

    # Then both are that customer's, whose details stay as the tenant keeps them
    assert (first.status, second.status) == (201, 201), (first.json, second.json)
    api = Api("acme")
    customers = {api.get(reply.json["id"]).data["customer"]["id"] for reply in (first, second)}
    assert customers == {api.get_customer(BUYER_KEY).data["id"]}
    customer = api.get_customer(BUYER_KEY).data
    assert (customer["email"], customer["name"]) == ("dave@discovery.one", "Dave Bowman")
    assert api.list_customers().json["meta"]["count"] == 2  # user_42 and Dave: no second Dave


def test_buyer_names_that_differ_only_in_slashes_or_escapes_are_different_customers(sellers: Seeder) -> None:
    # Given buyers whose names would meet if "/" were simply escaped as "%2F"
    names = ["AC/DC", "AC%2FDC", "AC%DC"]

    # When each opens a ticket
    replies = [
        send(JTL_EXAMPLE | {"ticketId": f"CASE-{n}", "from": {"role": "BUYER", "name": name}})
        for n, name in enumerate(names)
    ]

    # Then each is a customer of its own, named as sent, with a key that has no "/"
    api = Api("acme")
    customers = [api.get(reply.json["id"]).data["customer"] for reply in replies]
    assert [customer["name"] for customer in customers] == names
    assert [customer["externalId"] for customer in customers] == [
        "jtl:4711:AC%2FDC",
        "jtl:4711:AC%252FDC",
        "jtl:4711:AC%25DC",
    ]


def test_a_created_at_of_an_early_year_is_kept_as_a_four_digit_year(sellers: Seeder) -> None:
    # Given a channel time in the year 704, 18 hours behind UTC (a valid date-time, if an odd one)
    response = send(JTL_EXAMPLE | {"createdAt": "0704-01-02T06:51:11-18:08"})
    # Then the ticket keeps it in UTC, its year written with four digits as every stored time is
    assert response.status == 201, response.json
    assert Api("acme").get(response.json["id"]).data["sourceCreatedAt"] == "0704-01-03T00:59:11.000000Z"


def test_reply_requested_false_awaits_nobody(sellers: Seeder) -> None:
    response = send(JTL_EXAMPLE | {"replyRequested": False})
    assert response.status == 201, response.json
    assert Api("acme").get(response.json["id"]).data["awaitingResponseFrom"] == "NONE"


@pytest.mark.parametrize("seller_id", ["4712", "9999"], ids=["another-tenants-seller", "nobodys-seller"])
def test_a_seller_the_tenant_does_not_answer_for_is_403_and_writes_nothing(
    sellers: Seeder, seller_id: str
) -> None:
    # Given the table as it is (acme answers for 4711 only)
    before = table_items()

    # When acme's key sends a ticket for another seller
    response = send(JTL_EXAMPLE | {"sellerId": seller_id})

    # Then it is one SEL403 entry pointing at sellerId, and nothing was written (no buyer either)
    assert response.status == 403
    [entry] = entries(response)
    assert entry["code"] == "SEL403"
    assert seller_id in entry["message"]
    assert "`sellerId`" in entry["hint"]
    assert table_items() == before


def test_the_documents_error_example_is_answered_as_the_document_shows(sellers: Seeder) -> None:
    # Given the example without its sellerId
    before = table_items()
    body = {name: value for name, value in JTL_EXAMPLE.items() if name != "sellerId"}

    # When it is sent
    response = send(body)

    # Then the answer is the document's error example, field by field, and nothing was written
    assert response.status == 400
    assert response.json == JTL_MISSING_SELLER_ERROR
    assert table_items() == before


def test_a_body_missing_six_required_fields_gets_six_entries(sellers: Seeder) -> None:
    # Given a body with only the sellerId of the seven required fields
    body = {"sellerId": "4711"}

    # When it is sent
    response = send(body)

    # Then each of the six missing fields has its VAL100 entry, in the document's words
    assert response.status == 400
    assert [(entry["code"], entry["message"]) for entry in entries(response)] == [
        ("VAL100", f"Required field {name} not found") for name in JTL_REQUIRED_FIELDS[1:]
    ]
    assert all(
        f"`{name}`" in entry["hint"]
        for name, entry in zip(JTL_REQUIRED_FIELDS[1:], entries(response), strict=True)
    )


def test_every_problem_of_a_body_is_an_entry_of_its_own(sellers: Seeder) -> None:
    # Given a body wrong in five ways at once
    body = JTL_EXAMPLE | {
        "sellerId": "47 11",
        "subject": "s" * 1025,
        "topic": "COMPLAINT",
        "replyRequested": "yes",
        "channel": "ebay",
    }
    # When it is sent
    response = send(body)
    # Then there is one entry per problem, each with its code and the field in its hint
    assert response.status == 400
    found = {(entry["code"], entry["hint"].split("`")[1]) for entry in entries(response)}
    assert found == {
        ("VAL101", "sellerId"),
        ("VAL102", "subject"),
        ("VAL103", "topic"),
        ("VAL101", "replyRequested"),
        ("VAL104", "channel"),
    }


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        pytest.param({"sellerId": "47-11"}, "VAL101", "sellerId", id="sellerId-not-a-word"),
        pytest.param({"sellerId": "s" * 51}, "VAL101", "sellerId", id="sellerId-over-50"),
        pytest.param({"sellerId": ""}, "VAL101", "sellerId", id="sellerId-empty"),
        pytest.param({"sellerId": "Müller"}, "VAL101", "sellerId", id="sellerId-not-ascii"),
        pytest.param({"sellerId": 4711}, "VAL101", "sellerId", id="sellerId-a-number"),
        pytest.param({"ticketId": ""}, "VAL102", "ticketId", id="ticketId-empty"),
        pytest.param({"ticketId": "t" * 257}, "VAL102", "ticketId", id="ticketId-over-256"),
        pytest.param({"topic": "question"}, "VAL103", "topic", id="topic-lower-case"),
        pytest.param({"topic": "OTHER"}, "VAL103", "topic", id="topic-not-in-the-list"),
        pytest.param({"createdAt": "yesterday"}, "VAL101", "createdAt", id="createdAt-not-a-date"),
        pytest.param({"createdAt": 1699335116}, "VAL101", "createdAt", id="createdAt-a-number"),
        pytest.param({"createdAt": "2023-11-07T05:31:56"}, "VAL101", "createdAt", id="createdAt-no-zone"),
        pytest.param(
            {"createdAt": "0001-01-01T00:00:00+05:00"},
            "VAL101",
            "createdAt",
            id="createdAt-before-year-1-in-utc",
        ),
        pytest.param({"from": "Dave"}, "VAL101", "from", id="from-a-string"),
        pytest.param({"from": {"role": "SELLER", "name": "Dave"}}, "VAL103", "from.role", id="role-seller"),
        pytest.param({"from": {"role": "BUYER"}}, "VAL100", "from.name", id="name-missing"),
        pytest.param({"from": {"role": "BUYER", "name": "D" * 65}}, "VAL102", "from.name", id="name-over-64"),
        pytest.param(
            {"from": {"role": "BUYER", "name": "Da\nve"}}, "VAL101", "from.name", id="name-two-lines"
        ),
        pytest.param(
            {"from": {"role": "BUYER", "name": "Dave", "email": "d@x.io"}},
            "VAL104",
            "from.email",
            id="from-extra",
        ),
        pytest.param({"subject": ""}, "VAL102", "subject", id="subject-empty"),
        pytest.param({"subject": "s" * 1025}, "VAL102", "subject", id="subject-over-1024"),
        pytest.param({"message": ""}, "VAL102", "message", id="message-empty"),
        pytest.param({"message": "m" * 1025}, "VAL102", "message", id="message-over-1024"),
        pytest.param({"message": "   "}, "VAL101", "message", id="message-blank"),
        pytest.param({"reference": "19820701"}, "VAL101", "reference", id="reference-a-string"),
        pytest.param({"reference": {"type": "ORDERID"}}, "VAL100", "reference.id", id="reference-no-id"),
        pytest.param({"replyRequested": "true"}, "VAL101", "replyRequested", id="replyRequested-a-string"),
        pytest.param(
            {"attachment": [{"filename": "a.png", "contentType": "image/png"}] * 11},
            "VAL102",
            "attachment",
            id="attachment-11",
        ),
        pytest.param(
            {"attachment": [{"filename": "a.png"}]},
            "VAL100",
            "attachment[0].contentType",
            id="attachment-no-type",
        ),
        pytest.param(
            {"attachment": {"filename": "a.png", "contentType": "image/png"}},
            "VAL101",
            "attachment",
            id="attachment-not-a-list",
        ),
        pytest.param({"externalId": "CASE-1"}, "VAL104", "externalId", id="a-native-field"),
    ],
)
def test_each_rule_of_the_document_is_an_entry_naming_the_field_and_nothing_is_written(
    sellers: Seeder, changes: dict[str, Any], code: str, field: str
) -> None:
    # Given the table as it is
    before = table_items()
    # When the example is sent with one field breaking a rule of the document
    response = send(JTL_EXAMPLE | changes)
    # Then it is 400 with one entry, of that rule's code, whose hint names the field; nothing is written
    assert response.status == 400, response.json
    [entry] = entries(response)
    assert entry["code"] == code, entry
    assert entry["hint"].startswith(f"Check the field `{field}` — "), entry
    assert table_items() == before


def test_what_the_document_allows_at_its_limits_is_accepted(sellers: Seeder) -> None:
    # Given a body at every limit of the document: sellerId 50, ticketId 256, texts 1024, 10 attachments
    sellers.tenants.set_channel_sellers("acme", ["S" * 50])
    body = JTL_EXAMPLE | {
        "sellerId": "S" * 50,
        "ticketId": "T" * 256,
        "subject": "s" * 1024,
        "message": "m" * 1024,
        "attachment": [{"filename": f"{n}.png", "contentType": "image/png"} for n in range(10)],
    }
    body.pop("reference")
    body.pop("replyRequested")
    # When it is sent
    response = send(body)
    # Then the ticket is made with every value intact, and the defaults of what was left out
    assert response.status == 201, response.json
    ticket = Api("acme").get(response.json["id"]).data
    assert (ticket["externalId"], ticket["subject"]) == ("T" * 256, "s" * 1024)
    assert ticket["messages"][0]["message"] == "m" * 1024
    assert len(ticket["attachments"]) == 10
    assert (ticket["reference"], ticket["replyRequested"]) == (None, True)


@pytest.mark.parametrize(
    ("raw_body", "headers", "status", "code"),
    [
        pytest.param('{"sellerId": "4711",', {}, 400, "VAL105", id="malformed-json"),
        pytest.param(f"[{JTL_EXAMPLE_BODY}]", {}, 400, "VAL105", id="an-array"),
        pytest.param(JTL_EXAMPLE_BODY, {"Content-Type": "text/plain"}, 415, "REQ415", id="text-plain"),
        pytest.param(
            json.dumps(JTL_EXAMPLE | {"message": "m" * (129 * 1024)}), {}, 413, "REQ413", id="over-128-KiB"
        ),
    ],
)
def test_bodies_refused_before_routing_are_answered_in_the_errorlist_too(
    sellers: Seeder, raw_body: str, headers: dict[str, str], status: int, code: str
) -> None:
    before = table_items()
    response = send(raw_body=raw_body, headers=headers)
    assert response.status == status, response.json
    assert [entry["code"] for entry in entries(response)] == [code]
    assert table_items() == before


def test_a_request_without_the_authorizers_context_is_401_in_the_errorlist(sellers: Seeder) -> None:
    before = table_items()
    response = send(JTL_EXAMPLE, tenant_id=None)
    assert response.status == 401
    assert [entry["code"] for entry in entries(response)] == ["AUTH401"]
    assert table_items() == before


@pytest.mark.parametrize("role", ["integration", "admin"])
def test_integration_and_admin_keys_create(sellers: Seeder, role: str) -> None:
    response = send(JTL_EXAMPLE, role=role)
    assert response.status == 201, response.json


def test_an_agent_key_may_not_create_and_nothing_is_written(sellers: Seeder) -> None:
    # Given the table as it is
    before = table_items()
    # When an agent key sends the example
    response = send(JTL_EXAMPLE, role="agent", agent_id="agent_n1")
    # Then it is one AUTH403 entry, and no ticket nor customer was written
    assert response.status == 403
    assert [entry["code"] for entry in entries(response)] == ["AUTH403"]
    assert table_items() == before


def test_each_tenant_answers_for_its_own_sellers_and_has_its_own_tickets(sellers: Seeder) -> None:
    # Given acme's ticket CASE-01071982 for seller 4711
    mine = send(JTL_EXAMPLE)
    assert mine.status == 201, mine.json

    # When globex sends the same body (seller 4711, which it does not answer for), then for its 4712
    refused = send(JTL_EXAMPLE, tenant_id="globex")
    theirs = send(JTL_EXAMPLE | {"sellerId": "4712"}, tenant_id="globex")

    # Then globex is refused for acme's seller, and its own seller's ticket is a new ticket of globex
    assert refused.status == 403
    assert [entry["code"] for entry in entries(refused)] == ["SEL403"]
    assert theirs.status == 201, theirs.json
    assert theirs.json["id"] != mine.json["id"]
    assert theirs.json["ticketNumber"] == "GLX-1"
    globex_ticket = Api("globex").get(theirs.json["id"]).data
    assert globex_ticket["customer"]["externalId"] == "jtl:4712:Dave"
    # And neither tenant sees the other's ticket
    assert [ticket["id"] for ticket in Api("acme").list().data] == [mine.json["id"]]
    assert [ticket["id"] for ticket in Api("globex").list().data] == [theirs.json["id"]]


def test_the_example_event_file_is_the_documents_body() -> None:
    assert load_event("jtl_create_ticket.json")["body"] == JTL_EXAMPLE_BODY
