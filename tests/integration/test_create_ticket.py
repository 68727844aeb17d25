"""POST /v1/tickets: creating tickets for a tenant's customers, the defaults, numbering per tenant,
idempotency by externalId, and every way a create is rejected without writing anything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.events import api_event, load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse, invoke
from tests.support.moto_table import table_items

MINIMAL = {"customerExternalId": "user_42", "subject": "Payment failed for order #12345"}
TAG_A = "6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d"


def _uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _nested(depth: int) -> dict[str, Any]:
    """A metadata object nested `depth` objects deep: {"l1": {"l2": ... {"l<depth>": 1}}}."""
    value: Any = 1
    for level in range(depth, 0, -1):
        value = {f"l{level}": value}
    return value  # type: ignore[no-any-return]


def _send(api: Api, body: dict[str, Any]) -> ApiResponse:
    """The body as a client sends it: UTF-8 JSON, non-ASCII characters not escaped."""
    return api.create(raw_body=json.dumps(body, ensure_ascii=False))


def assert_no_tickets(api: Api) -> None:
    listed = api.list()
    assert listed.status == 200, listed.json
    assert listed.data == []
    assert listed.json["stats"]["total"] == 0


# The examples of the seed APIs -------------------------------------------------------------------


def test_supportdesk_example_creates_an_open_ticket_for_the_customer(api: Api) -> None:
    # Given the SupportDesk create example, as its curl sends it
    event = load_event("create_ticket.json")

    # When it is posted
    created = invoke("create_ticket", event)

    # Then the ticket is created with a number, the customer, the fields sent and the server's defaults
    assert created.status == 201, created.json
    assert created.json["success"] is True
    ticket = created.data
    assert ticket["ticketNumber"] == "INV-1"
    assert ticket["subject"] == "Payment failed for order #12345"
    assert ticket["description"].startswith("Payment attempt failed with CARD_DECLINED")
    assert ticket["priority"] == "HIGH"
    assert ticket["metadata"] == {"orderId": "12345", "amount": 99.9}
    assert ticket["channel"] == "API"
    assert ticket["status"] == "OPEN"
    assert ticket["customer"]["externalId"] == "user_42"
    assert ticket["customer"]["email"] == "john@acme.com"
    assert ticket["customer"]["name"] == "John Doe"
    assert ticket["customer"]["id"]
    assert ticket["assignedAgent"] is None
    assert ticket["awaitingResponseFrom"] == "AGENT"
    assert ticket["messageCount"] == 0
    assert ticket["hasAgentReply"] is False
    assert ticket["firstResponseAt"] is None
    assert ticket["closedAt"] is None
    assert ticket["version"] == 1
    assert ticket["createdAt"] == ticket["updatedAt"]

    # And it is stored as returned
    got = api.get(ticket["id"])
    assert got.status == 200, got.json
    assert {name: got.data[name] for name in ticket} == ticket


def test_marketplace_example_keeps_external_id_topic_reference_order_and_attachments(api: Api) -> None:
    # Given the JTL-style marketplace example (externalId, topic, reference, order, attachments)
    event = load_event("create_ticket_marketplace.json")

    # When it is posted
    created = invoke("create_ticket", event)

    # Then every marketplace field comes back, the order amount as a JSON number
    assert created.status == 201, created.json
    ticket = created.data
    assert ticket["externalId"] == "CASE-01071982"
    assert ticket["topic"] == "QUESTION"
    assert ticket["reference"] == {"type": "ORDERID", "id": "19820701"}
    assert ticket["order"] == {
        "orderId": "ord_xyz789",
        "invoiceId": "INV-12345",
        "productName": "Premium License",
        "amount": 29.99,
        "currency": "USD",
    }
    assert isinstance(ticket["order"]["amount"], float)
    assert ticket["replyRequested"] is True
    assert ticket["awaitingResponseFrom"] == "AGENT"
    assert [(a["filename"], a["contentType"]) for a in ticket["attachments"]] == [("RedDot.png", "image/png")]

    # And the stored ticket reads back the same, amount still the number 29.99
    got = api.get(ticket["id"])
    assert got.status == 200, got.json
    assert got.data["order"] == ticket["order"]
    assert got.data["reference"] == ticket["reference"]
    assert got.data["attachments"] == ticket["attachments"]


def test_a_ticket_opened_with_a_message_has_it_as_its_first_message_from_the_customer(api: Api) -> None:
    # Given a create with the customer's own words, and when the ticket was opened where it came from
    body = MINIMAL | {"message": "My card was charged twice.", "sourceCreatedAt": "2023-11-07T05:31:56Z"}

    # When it is posted
    created = api.create(body)

    # Then the ticket opens with that message, from the customer (by its name), and awaits an agent
    assert created.status == 201, created.json
    ticket = created.data
    assert (ticket["messageCount"], ticket["awaitingResponseFrom"]) == (1, "AGENT")
    assert ticket["sourceCreatedAt"] == "2023-11-07T05:31:56.000000Z"
    assert ticket["createdAt"] > ticket["sourceCreatedAt"]  # createdAt: when it reached us
    got = api.get(ticket["id"]).data
    assert [(m["message"], m["from"], m["internal"]) for m in got["messages"]] == [
        ("My card was charged twice.", {"role": "CUSTOMER", "id": None, "name": "John Doe"}, False)
    ]
    assert got["messages"][0]["createdAt"] == ticket["createdAt"]
    assert got["description"] is None and got["sourceCreatedAt"] == ticket["sourceCreatedAt"]


@pytest.mark.parametrize(
    ("opened_as", "status", "load"),
    [
        pytest.param(
            {"status": "ON_HOLD", "assignedAgentId": "agent_n1"}, "ON_HOLD", 1, id="on-hold-with-agent"
        ),
        pytest.param({"assignedAgentId": "agent_n1"}, "IN_PROGRESS", 1, id="agent-picks-it-up"),
        pytest.param({"status": "CLOSED", "assignedAgentId": "agent_n1"}, "CLOSED", 0, id="closed"),
        pytest.param({"status": "WAITING_ON_CUSTOMER"}, "WAITING_ON_CUSTOMER", 0, id="awaiting-customer"),
    ],
)
def test_a_ticket_opened_as_it_already_is_is_written_so_at_version_1(
    api: Api, opened_as: dict[str, str], status: str, load: int
) -> None:
    # When an admin creates a ticket with a status and an agent
    created = api.create(MINIMAL | opened_as)

    # Then it is written so in one go: version 1, the status rules applied, the agent's load with it
    assert created.status == 201, created.json
    ticket = created.data
    assert (ticket["status"], ticket["version"]) == (status, 1)
    assert (ticket["assignedAgent"] or {}).get("id") == opened_as.get("assignedAgentId")
    assert (ticket["closedAt"] is not None) == (status == "CLOSED")
    agents = {agent["id"]: agent for agent in api.list_agents().data}
    assert agents["agent_n1"]["openTickets"] == load
    stats = api.list().json["stats"]
    assert stats["byStatus"][status] == 1 and stats["unassigned"] == 0


@pytest.mark.parametrize(
    ("opened_as", "role", "status", "code"),
    [
        pytest.param({"assignedAgentId": "agent_n1"}, "integration", 403, "FORBIDDEN", id="integration-key"),
        pytest.param({"status": "CLOSED"}, "integration", 403, "FORBIDDEN", id="integration-key-status"),
        pytest.param({"assignedAgentId": "nobody"}, "admin", 404, "AGENT_NOT_FOUND", id="unknown-agent"),
        pytest.param({"status": "IN_PROGRESS"}, "admin", 409, "CONFLICT", id="in-progress-without-agent"),
    ],
)
def test_a_ticket_opened_as_it_cannot_be_is_refused_and_writes_nothing(
    seed: Seeder, opened_as: dict[str, str], role: str, status: int, code: str
) -> None:
    before = table_items()
    response = Api("acme", role=role).create(MINIMAL | opened_as)
    assert_error(response, status, code)
    assert table_items() == before


def test_a_ticket_for_a_channel_seller_the_tenant_answers_for_keeps_the_seller(
    api: Api, seed: Seeder
) -> None:
    # Given acme answers for channel seller 4711
    seed.tenants.set_channel_sellers("acme", ["4711"])
    # When a ticket is created for that seller
    created = api.create(MINIMAL | {"channelSellerId": "4711"})
    # Then it is created and keeps the seller
    assert created.status == 201, created.json
    assert created.data["channelSellerId"] == "4711"
    assert api.list().data[0]["channelSellerId"] == "4711"


@pytest.mark.parametrize("sellers", [[], ["4712"]], ids=["no-sellers", "another-seller"])
def test_a_ticket_for_a_channel_seller_the_tenant_does_not_answer_for_is_403_and_writes_nothing(
    api: Api, seed: Seeder, sellers: list[str]
) -> None:
    # Given acme answers for no seller, or for another one, and a ticket made with an externalId
    seed.tenants.set_channel_sellers("acme", sellers)
    first = api.create(MINIMAL | {"externalId": "CASE-1"})
    before = table_items()
    # When a ticket for seller 4711 is created (with a new externalId, and with the existing one)
    refused = api.create(MINIMAL | {"channelSellerId": "4711"})
    repeat = api.create(MINIMAL | {"channelSellerId": "4711", "externalId": "CASE-1"})
    # Then both are 403 SELLER_NOT_SERVED naming channelSellerId, and nothing was written
    assert first.status == 201, first.json
    assert_error(refused, 403, "SELLER_NOT_SERVED", "channelSellerId")
    assert_error(repeat, 403, "SELLER_NOT_SERVED", "channelSellerId")
    assert table_items() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"sourceCreatedAt": 1699335116}, "sourceCreatedAt", id="time-a-number"),
        pytest.param({"sourceCreatedAt": "2023-11-07"}, "sourceCreatedAt", id="time-a-date"),
        pytest.param({"sourceCreatedAt": "2023-11-07T05:31:56"}, "sourceCreatedAt", id="time-no-zone"),
        pytest.param({"channelSellerId": "47 11"}, "channelSellerId", id="seller-a-space"),
        pytest.param({"channelSellerId": "s" * 51}, "channelSellerId", id="seller-over-50"),
        pytest.param({"message": "   "}, "message", id="message-blank"),
        pytest.param({"message": "a\u0000b"}, "message", id="message-nul"),
    ],
)
def test_invalid_opening_fields_are_400_naming_the_field_and_write_nothing(
    api: Api, changes: dict[str, Any], field: str
) -> None:
    before = table_items()
    response = api.create(MINIMAL | changes)
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert table_items() == before


# Defaults ----------------------------------------------------------------------------------------


def test_minimal_create_gets_the_documented_defaults(api: Api) -> None:
    # Given only the required fields
    # When the ticket is created
    created = api.create(MINIMAL)

    # Then the server fills in the defaults
    assert created.status == 201, created.json
    ticket = created.data
    assert ticket["priority"] == "MEDIUM"
    assert ticket["replyRequested"] is True
    assert ticket["channel"] == "API"
    assert ticket["tagIds"] == []
    assert ticket["status"] == "OPEN"
    assert ticket["awaitingResponseFrom"] == "AGENT"
    assert ticket["attachments"] == []
    for absent in ("description", "category", "department", "topic", "metadata", "reference", "order"):
        assert ticket[absent] is None, absent
    assert ticket["externalId"] is None


def test_reply_requested_false_awaits_nobody_and_does_not_count_as_needing_a_response(api: Api) -> None:
    # Given a ticket that asks for no reply (an information only ticket)
    # When it is created
    created = api.create(MINIMAL | {"replyRequested": False})

    # Then nobody is awaited, and the stats do not count it as needing a response
    assert created.status == 201, created.json
    assert created.data["replyRequested"] is False
    assert created.data["awaitingResponseFrom"] == "NONE"
    stats = api.list().json["stats"]
    assert stats["total"] == 1
    assert stats["needsResponse"] == 0


def test_tag_ids_are_kept_and_make_the_ticket_listable_by_tag(api: Api) -> None:
    # Given a create with two tags
    created = api.create(MINIMAL | {"tagIds": [TAG_A, _uuid(2)]})
    assert created.status == 201, created.json

    # When listing by one of them
    listed = api.list(tag=TAG_A)

    # Then the ticket carries both tags and is found by the filter
    assert created.data["tagIds"] == [TAG_A, _uuid(2)]
    assert [t["id"] for t in listed.data] == [created.data["id"]]


# Numbering ---------------------------------------------------------------------------------------


def test_ticket_numbers_count_up_per_tenant_with_each_tenants_prefix(api: Api, seed: Seeder) -> None:
    # Given a second tenant with its own prefix and a customer
    seed.tenant("globex", "GLX", name="Globex")
    seed.customer("globex")
    globex = Api("globex")

    # When both tenants create tickets, interleaved
    numbers = [
        api.create(MINIMAL).data["ticketNumber"],
        api.create(MINIMAL).data["ticketNumber"],
        globex.create(MINIMAL).data["ticketNumber"],
        api.create(MINIMAL).data["ticketNumber"],
        globex.create(MINIMAL).data["ticketNumber"],
    ]

    # Then each tenant counts from 1 under its own prefix
    assert numbers == ["INV-1", "INV-2", "GLX-1", "INV-3", "GLX-2"]
    # And each tenant lists only its own tickets
    assert sorted(t["ticketNumber"] for t in api.list().data) == ["INV-1", "INV-2", "INV-3"]
    assert sorted(t["ticketNumber"] for t in globex.list().data) == ["GLX-1", "GLX-2"]
    assert api.list().json["stats"]["total"] == 3
    assert globex.list().json["stats"]["total"] == 2


# Idempotency by externalId -----------------------------------------------------------------------


def test_creating_again_with_the_same_external_id_returns_the_existing_ticket(api: Api) -> None:
    # Given a ticket created with the caller's own id
    first = api.create(MINIMAL | {"externalId": "CASE-01071982"})
    assert first.status == 201, first.json

    # When the caller retries with the same externalId (even with a changed body)
    again = api.create(MINIMAL | {"externalId": "CASE-01071982", "subject": "A retry with another subject"})

    # Then it gets the existing ticket with 200, not a duplicate
    assert again.status == 200, again.json
    assert again.data["id"] == first.data["id"]
    assert again.data["ticketNumber"] == "INV-1"
    assert again.data["subject"] == first.data["subject"]
    listed = api.list()
    assert [t["id"] for t in listed.data] == [first.data["id"]]
    assert listed.json["stats"]["total"] == 1
    # And the retry used up no ticket number
    assert api.create(MINIMAL).data["ticketNumber"] == "INV-2"


def test_the_same_external_id_in_another_tenant_is_a_separate_ticket(api: Api, seed: Seeder) -> None:
    # Given a ticket of acme created with an externalId
    seed.tenant("globex", "GLX", name="Globex")
    seed.customer("globex")
    mine = api.create(MINIMAL | {"externalId": "CASE-7"})
    assert mine.status == 201, mine.json

    # When another tenant creates a ticket with the same externalId
    theirs = Api("globex").create(MINIMAL | {"externalId": "CASE-7"})

    # Then it is a new ticket of that tenant, and acme still has exactly its own
    assert theirs.status == 201, theirs.json
    assert theirs.data["id"] != mine.data["id"]
    assert theirs.data["ticketNumber"] == "GLX-1"
    assert theirs.data["externalId"] == "CASE-7"
    assert [t["id"] for t in api.list().data] == [mine.data["id"]]
    assert [t["id"] for t in Api("globex").list().data] == [theirs.data["id"]]


# Customer and tenant -----------------------------------------------------------------------------


def test_unknown_customer_is_404_and_writes_nothing(api: Api) -> None:
    # Given a customerExternalId no customer of the tenant has
    # When a ticket is created for it
    response = api.create(MINIMAL | {"customerExternalId": "user_404", "externalId": "CASE-404"})

    # Then 404 CUSTOMER_NOT_FOUND names the field, and nothing was written
    assert_error(response, 404, "CUSTOMER_NOT_FOUND", "customerExternalId")
    assert_no_tickets(api)
    # And no number was used up, nor the externalId reserved
    retried = api.create(MINIMAL | {"externalId": "CASE-404"})
    assert retried.status == 201, retried.json
    assert retried.data["ticketNumber"] == "INV-1"


def test_customer_of_another_tenant_is_404_for_this_tenant(api: Api, seed: Seeder) -> None:
    # Given a customer that exists only in tenant globex
    seed.tenant("globex", "GLX", name="Globex")
    seed.customer("globex", external_id="globex_only")

    # When acme creates a ticket for that customer
    response = api.create(MINIMAL | {"customerExternalId": "globex_only"})

    # Then acme is told the customer does not exist, and nothing was written in either tenant
    assert_error(response, 404, "CUSTOMER_NOT_FOUND", "customerExternalId")
    assert_no_tickets(api)
    assert_no_tickets(Api("globex"))


def test_request_without_tenant_context_is_401_and_writes_nothing(api: Api) -> None:
    # Given a request whose authorizer context carries no tenant
    event = api_event("create_ticket", body=MINIMAL, tenant_id=None)

    # When it reaches the handler
    response = invoke("create_ticket", event)

    # Then it is 401 UNAUTHORIZED and nothing was written
    assert_error(response, 401, "UNAUTHORIZED")
    assert_no_tickets(api)


@pytest.mark.parametrize(
    "tenant_id",
    [
        pytest.param("nobody", id="tenant-that-does-not-exist"),
        pytest.param("acme corp!", id="malformed-tenant-id"),
    ],
)
def test_request_from_an_unknown_tenant_is_401_and_writes_nothing(api: Api, tenant_id: str) -> None:
    # Given a tenant id the desk does not know
    stranger = Api(tenant_id)

    # When it creates a ticket
    response = stranger.create(MINIMAL)

    # Then it is 401 UNAUTHORIZED (not a 404 about the customer), and acme is untouched
    assert_error(response, 401, "UNAUTHORIZED")
    assert_no_tickets(api)


# Accepted at the limits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"subject": "s" * 1024}, "subject", id="subject-of-1024-chars"),
        pytest.param({"description": "a" * 65534 + "é"}, "description", id="description-of-65536-utf8-bytes"),
        pytest.param({"metadata": _nested(5)}, "metadata", id="metadata-nested-5-deep"),
        pytest.param({"tagIds": [_uuid(n) for n in range(10)]}, "tagIds", id="10-tag-ids"),
        pytest.param({"externalId": "e" * 256}, "externalId", id="external-id-of-256-chars"),
        pytest.param(
            {"attachments": [{"filename": f"f{n}.png", "contentType": "image/png"} for n in range(10)]},
            "attachments",
            id="10-attachments",
        ),
        pytest.param({"order": {"amount": 0, "currency": "EUR"}}, "order", id="order-amount-zero"),
    ],
)
def test_values_at_the_limit_are_accepted_and_stored_intact(
    api: Api, changes: dict[str, Any], field: str
) -> None:
    # Given a create with one field exactly at its documented limit
    # When it is sent
    created = _send(api, MINIMAL | changes)

    # Then the ticket is created and reads back with the value unchanged
    assert created.status == 201, created.json
    got = api.get(created.data["id"])
    assert got.status == 200, got.json
    if field == "order":
        assert got.data["order"]["amount"] == 0
        assert got.data["order"]["currency"] == "EUR"
    elif field == "attachments":
        assert [a["filename"] for a in got.data["attachments"]] == [f"f{n}.png" for n in range(10)]
    else:
        assert got.data[field] == changes[field]


def test_json_content_type_with_a_charset_is_accepted(api: Api) -> None:
    # Given a JSON body sent as application/json; charset=utf-8
    # When it is posted
    created = api.create(MINIMAL, headers={"Content-Type": "application/json; charset=utf-8"})

    # Then the ticket is created
    assert created.status == 201, created.json
    assert api.list().json["stats"]["total"] == 1


# Validation: one bad input at a time -------------------------------------------------------------

_MISSING = object()


def _with(**changes: Any) -> dict[str, Any]:
    """MINIMAL with fields changed, or removed when the value is _MISSING."""
    body = MINIMAL | changes
    return {name: value for name, value in body.items() if value is not _MISSING}


_ATTACHMENT = {"filename": "RedDot.png", "contentType": "image/png"}

INVALID_CREATES = [
    pytest.param(_with(customerExternalId=_MISSING), "customerExternalId", id="missing-customerExternalId"),
    pytest.param(_with(subject=_MISSING), "subject", id="missing-subject"),
    pytest.param(_with(subject=""), "subject", id="empty-subject"),
    pytest.param(_with(subject="s" * 1025), "subject", id="subject-of-1025-chars"),
    pytest.param(_with(subject="Payment\nfailed"), "subject", id="subject-with-newline"),
    pytest.param(_with(subject="Payment\x00failed"), "subject", id="subject-with-NUL"),
    pytest.param(_with(priority="SEVERE"), "priority", id="priority-SEVERE"),
    pytest.param(_with(priority="high"), "priority", id="priority-lower-case"),
    pytest.param(_with(topic="OTHER"), "topic", id="topic-OTHER"),
    # 65535 characters but 65537 bytes of UTF-8: the limit is in bytes, not characters.
    pytest.param(_with(description="a" * 65533 + "éé"), "description", id="description-over-64KiB-utf8"),
    pytest.param(_with(metadata=_nested(6)), "metadata", id="metadata-nested-6-deep"),
    pytest.param(_with(metadata={"note": "x" * 8200}), "metadata", id="metadata-over-8KiB"),
    pytest.param(_with(tagIds=["not-a-uuid"]), "tagIds", id="tagIds-non-uuid"),
    pytest.param(_with(tagIds=[TAG_A, TAG_A]), "tagIds", id="tagIds-duplicate"),
    pytest.param(_with(tagIds=[TAG_A, TAG_A.upper()]), "tagIds", id="tagIds-duplicate-in-other-case"),
    pytest.param(_with(tagIds=[_uuid(n) for n in range(11)]), "tagIds", id="11-tagIds"),
    pytest.param(_with(reference={"type": "ORDERID"}), "reference.id", id="reference-without-id"),
    pytest.param(_with(order={"amount": 10, "currency": "usd"}), "order.currency", id="order-currency-lower"),
    pytest.param(
        _with(order={"amount": 10, "currency": "XYZ"}), "order.currency", id="order-currency-not-iso-4217"
    ),
    pytest.param(
        _with(order={"amount": 10, "currency": "XXX"}), "order.currency", id="order-currency-none-code"
    ),
    pytest.param(_with(order={"amount": -1, "currency": "USD"}), "order.amount", id="order-amount-negative"),
    pytest.param(_with(externalId="e" * 257), "externalId", id="externalId-of-257-chars"),
    pytest.param(_with(attachments=[_ATTACHMENT] * 11), "attachments", id="11-attachments"),
    pytest.param(
        _with(attachments=[{"filename": "a.png", "contentType": "png"}]),
        "attachments.0.contentType",
        id="attachment-contentType-png",
    ),
    pytest.param(
        _with(attachments=[_ATTACHMENT | {"size": "12"}]),
        "attachments.0.size",
        id="attachment-size-as-string",
    ),
    pytest.param(_with(replyRequested="yes"), "replyRequested", id="replyRequested-yes"),
    pytest.param(_with(channel="EMAIL"), "channel", id="unknown-field-channel"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_CREATES)
def test_invalid_create_is_400_naming_the_field_and_writes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    # Given a create that is valid but for one field
    # When it is sent
    response = _send(api, body)

    # Then it is 400 VALIDATION_ERROR naming that field, and no ticket exists
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert_no_tickets(api)


def test_every_invalid_field_is_listed_at_once(api: Api) -> None:
    # Given a create with four problems
    body = {
        "subject": "",
        "priority": "SEVERE",
        "order": {"currency": "usd"},
        "channel": "EMAIL",
    }

    # When it is sent
    response = api.create(body)

    # Then one 400 lists all of them, and nothing was written
    assert_error(
        response,
        400,
        "VALIDATION_ERROR",
        "customerExternalId",
        "subject",
        "priority",
        "order.currency",
        "channel",
    )
    assert_no_tickets(api)


def test_invalid_example_event_lists_each_bad_field(api: Api) -> None:
    # Given the invalid example of events/ (empty subject, unknown priority, server-owned channel)
    event = load_event("create_ticket_invalid.json")

    # When it is posted
    response = invoke("create_ticket", event)

    # Then each problem is named, and nothing was written
    assert_error(response, 400, "VALIDATION_ERROR", "subject", "priority", "channel")
    assert_no_tickets(api)


@pytest.mark.parametrize(
    ("request_kwargs", "field"),
    [
        pytest.param({"raw_body": '{"subject": '}, "body", id="malformed-json"),
        pytest.param({"body": [MINIMAL]}, "body", id="json-array-holding-a-valid-ticket"),
        pytest.param({"body": [1, 2]}, "body", id="json-array-of-numbers"),
        pytest.param({"body": "a ticket"}, "body", id="json-string"),
        pytest.param({"raw_body": ""}, "body", id="empty-body"),
        pytest.param({}, "body", id="no-body"),
    ],
)
def test_body_that_is_not_a_json_object_is_400_and_writes_nothing(
    api: Api, request_kwargs: dict[str, Any], field: str
) -> None:
    # Given a body that is not one JSON object sent as application/json
    # When it is posted
    response = api.create(**request_kwargs)

    # Then it is 400 VALIDATION_ERROR naming the body, and nothing was written
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert_no_tickets(api)


@pytest.mark.parametrize(
    "body",
    [pytest.param("not json", id="not json"), pytest.param("{bad", id="broken object")],
)
def test_a_body_that_is_not_json_is_reported_the_same_way_whatever_it_looks_like(api: Api, body: str) -> None:
    # Given text that is not JSON, whether or not it starts like an object
    # When it is posted
    response = api.create(raw_body=body)

    # Then both are the same 400: "The body is not valid JSON", naming the body
    assert_error(response, 400, "VALIDATION_ERROR", "body")
    assert response.error["message"] == "The body is not valid JSON"
    assert response.error["details"] == [{"field": "body", "message": "is not valid JSON"}]
    assert_no_tickets(api)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"body": MINIMAL, "headers": {"Content-Type": "text/plain"}}, id="text-plain"),
        pytest.param(
            {
                "raw_body": "customerExternalId=user_42&subject=Hi",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
            id="form-urlencoded",
        ),
    ],
)
def test_a_body_of_another_media_type_is_415_and_writes_nothing(
    api: Api, request_kwargs: dict[str, Any]
) -> None:
    # Given a body sent with a Content-Type other than application/json
    # When it is posted
    response = api.create(**request_kwargs)

    # Then it is 415 UNSUPPORTED_MEDIA_TYPE naming Content-Type, and nothing was written
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")
    assert_no_tickets(api)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        pytest.param(99.9, 99.9, id="as sent"),
        pytest.param(0.1 + 0.2, 0.3, id="float noise rounded away"),
        pytest.param(1e-9, 0.0, id="below a ten-thousandth"),
        pytest.param(813.0, 813.0, id="a whole number written as a float"),
    ],
)
def test_an_order_amount_is_kept_to_four_decimal_places(api: Api, sent: float, kept: float) -> None:
    # Given an order amount as a client's floats write it
    # When the ticket is created
    response = api.create(MINIMAL | {"order": {"amount": sent, "currency": "EUR"}})
    # Then the amount is kept to 4 decimal places, in the answer and as stored
    assert response.status == 201, response.json
    assert response.data["order"]["amount"] == kept
    assert api.get(response.data["id"]).data["order"]["amount"] == kept


def test_a_json_body_sent_without_any_content_type_is_read_as_json(api: Api) -> None:
    # Given a valid ticket body sent with no Content-Type header at all
    event = api_event("create_ticket", body=MINIMAL)
    event["headers"].pop("Content-Type")
    event["multiValueHeaders"].pop("Content-Type")

    # When it is posted
    response = invoke("create_ticket", event)

    # Then it is created as if it had been sent as application/json
    assert response.status == 201, response.json
    assert response.data["subject"] == MINIMAL["subject"]


def test_body_over_128_KiB_is_413_and_writes_nothing(api: Api) -> None:
    # Given a body just over 128 KiB
    body = MINIMAL | {"description": "a" * (128 * 1024)}

    # When it is posted
    response = api.create(body)

    # Then it is 413 PAYLOAD_TOO_LARGE, and nothing was written
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert_no_tickets(api)
