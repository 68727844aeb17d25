"""PATCH /v1/tickets/{id}: only the fields sent change; closing, reopening, assigning and their effect
on lists and stats; tenant isolation; rejected updates that leave the ticket as it was."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.events import load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, invoke
from tests.support.moto_table import table_items

TAG_A = "6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d"
TAG_B = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
# What GET adds to the ticket fields PATCH returns.
_READ_ONLY_EXTRAS = ("messages", "messagesCursor")


def _at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def read(api: Api, reference: str) -> dict[str, Any]:
    """The ticket as GET returns it, without its messages."""
    got = api.get(reference)
    assert got.status == 200, got.json
    return {name: value for name, value in got.data.items() if name not in _READ_ONLY_EXTRAS}


def stats(api: Api) -> dict[str, Any]:
    return api.list().json["stats"]  # type: ignore[no-any-return]


@pytest.fixture
def ticket(api: Api) -> dict[str, Any]:
    """INV-1 of acme: open, unassigned, with category, department, topic, a tag and metadata."""
    created = api.create(
        {
            "customerExternalId": "user_42",
            "subject": "Payment failed for order #12345",
            "description": "Payment attempt failed with CARD_DECLINED.",
            "priority": "HIGH",
            "category": "billing",
            "department": "payments",
            "topic": "INCIDENT",
            "tagIds": [TAG_A],
            "metadata": {"orderId": "12345", "amount": 99.9},
        }
    )
    assert created.status == 201, created.json
    return created.data  # type: ignore[no-any-return]


# Only what is sent changes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("priority", "LOW", id="priority"),
        pytest.param("subject", "Card declined twice for order #12345", id="subject"),
        pytest.param("category", "refunds", id="category"),
        pytest.param("department", "support", id="department"),
        pytest.param("topic", "REFUND", id="topic"),
    ],
)
def test_patch_changes_only_the_field_sent(api: Api, ticket: dict[str, Any], field: str, value: str) -> None:
    # Given a ticket as stored
    before = read(api, ticket["id"])

    # When one field is patched
    response = api.update(ticket["id"], {field: value})

    # Then that field has the new value, the version is one more, updatedAt moved on, and nothing else changed
    assert response.status == 200, response.json
    after = response.data
    assert after[field] == value
    assert after["version"] == before["version"] + 1
    assert _at(after["updatedAt"]) > _at(before["updatedAt"])
    unchanged = set(before) - {field, "version", "updatedAt"}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}
    # And the stored ticket is what PATCH returned
    assert read(api, ticket["id"]) == after


def test_metadata_is_replaced_not_merged(api: Api, ticket: dict[str, Any]) -> None:
    # Given a ticket with metadata {orderId, amount}
    # When metadata is patched with another object
    response = api.update(ticket["id"], {"metadata": {"errorCode": "CARD_DECLINED"}})

    # Then the metadata is exactly the new object
    assert response.status == 200, response.json
    assert response.data["metadata"] == {"errorCode": "CARD_DECLINED"}
    assert read(api, ticket["id"])["metadata"] == {"errorCode": "CARD_DECLINED"}
    # And the description was not touched
    assert read(api, ticket["id"])["description"] == ticket["description"]


@pytest.mark.parametrize("field", ["category", "department"])
def test_null_clears_a_clearable_field(api: Api, ticket: dict[str, Any], field: str) -> None:
    # Given a ticket with a category and a department
    assert ticket[field] is not None

    # When the field is patched to null
    response = api.update(ticket["id"], {field: None})

    # Then it is cleared, and the other one stays
    assert response.status == 200, response.json
    other = "department" if field == "category" else "category"
    stored = read(api, ticket["id"])
    assert stored[field] is None
    assert stored[other] == ticket[other]


def test_patch_by_ticket_number_updates_that_ticket(api: Api, ticket: dict[str, Any]) -> None:
    # Given ticket INV-1
    # When it is patched by number
    response = api.update("INV-1", {"priority": "URGENT"})

    # Then that ticket changed
    assert response.status == 200, response.json
    assert response.data["id"] == ticket["id"]
    assert read(api, ticket["id"])["priority"] == "URGENT"


# Closing and reopening ---------------------------------------------------------------------------


def test_closing_sets_closed_at_awaits_nobody_and_counts_as_closed(api: Api, ticket: dict[str, Any]) -> None:
    # Given an open ticket awaiting an agent
    before = stats(api)
    assert before["open"] == 1
    assert before["needsResponse"] == 1

    # When it is closed (the events/ example)
    response = invoke("update_ticket", load_event("update_ticket_close.json", ticket_id=ticket["id"]))

    # Then it is CLOSED with closedAt, awaits nobody, and the stats move from open to closed
    assert response.status == 200, response.json
    assert response.data["status"] == "CLOSED"
    assert response.data["closedAt"] is not None
    assert response.data["awaitingResponseFrom"] == "NONE"
    after = stats(api)
    assert after["closed"] == before["closed"] + 1
    assert after["open"] == before["open"] - 1
    assert after["needsResponse"] == 0
    assert after["byStatus"]["CLOSED"] == 1
    assert after["byStatus"]["OPEN"] == 0
    assert [t["id"] for t in api.list(status="CLOSED").data] == [ticket["id"]]


def test_reopening_clears_closed_at_and_awaits_an_agent(api: Api, ticket: dict[str, Any]) -> None:
    # Given a closed ticket
    assert api.update(ticket["id"], {"status": "CLOSED"}).status == 200

    # When it is set back to OPEN
    response = api.update(ticket["id"], {"status": "OPEN"})

    # Then closedAt is cleared, an agent is awaited again, and the stats count it open
    assert response.status == 200, response.json
    assert response.data["status"] == "OPEN"
    assert response.data["closedAt"] is None
    assert response.data["awaitingResponseFrom"] == "AGENT"
    after = stats(api)
    assert after["closed"] == 0
    assert after["open"] == 1
    assert after["needsResponse"] == 1


# Status and who is awaited -----------------------------------------------------------------------

# A status sent to an OPEN, unassigned ticket awaiting an agent, and who is awaited then.
STATUS_EFFECTS = [
    pytest.param("WAITING_ON_CUSTOMER", "CUSTOMER", id="waiting on customer: the customer"),
    pytest.param("ON_HOLD", "NONE", id="on hold: nobody"),
    pytest.param("CLOSED", "NONE", id="closed: nobody"),
]


@pytest.mark.parametrize(("status", "awaiting"), STATUS_EFFECTS)
def test_a_patched_status_sets_who_is_awaited_and_the_stats_follow(
    api: Api, ticket: dict[str, Any], status: str, awaiting: str
) -> None:
    # Given an OPEN, unassigned ticket awaiting an agent (in needsResponse and in the queue)
    assert (stats(api)["needsResponse"], stats(api)["unassigned"]) == (1, 1)

    # When its status is patched
    response = api.update(ticket["id"], {"status": status})

    # Then who is awaited follows the status table, in the answer, the stored ticket, the lists and the stats
    assert response.status == 200, response.json
    assert response.data["awaitingResponseFrom"] == awaiting
    assert read(api, ticket["id"])["awaitingResponseFrom"] == awaiting
    after = stats(api)
    assert (after["needsResponse"], after["unassigned"]) == (0, 0)
    assert [t["id"] for t in api.list(awaiting="AGENT").data] == []
    assert api.list(unassigned="true").data == []
    if awaiting != "NONE":
        assert [t["id"] for t in api.list(awaiting=awaiting).data] == [ticket["id"]]


def test_back_from_waiting_on_customer_to_open_awaits_an_agent_again(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given a ticket set to WAITING_ON_CUSTOMER
    api.update(ticket["id"], {"status": "WAITING_ON_CUSTOMER"})

    # When it is set OPEN again
    response = api.update(ticket["id"], {"status": "OPEN"})

    # Then an agent is awaited, it counts in needsResponse and is back in the queue
    assert response.data["awaitingResponseFrom"] == "AGENT"
    assert (stats(api)["needsResponse"], stats(api)["unassigned"]) == (1, 1)
    assert [t["id"] for t in api.list(unassigned="true").data] == [ticket["id"]]


def test_reopening_an_assigned_ticket_with_open_keeps_its_agent_in_progress(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given a ticket assigned to agent_n1, then closed
    api.update(ticket["id"], {"assignedAgentId": "agent_n1"})
    api.update(ticket["id"], {"status": "CLOSED"})

    # When it is reopened with OPEN
    response = api.update(ticket["id"], {"status": "OPEN"})

    # Then it is open with its agent, so IN_PROGRESS, awaiting the agent, and not in the unassigned queue
    assert response.status == 200, response.json
    assert (response.data["status"], response.data["assignedAgent"]["id"]) == ("IN_PROGRESS", "agent_n1")
    assert response.data["awaitingResponseFrom"] == "AGENT"
    assert (stats(api)["unassigned"], stats(api)["needsResponse"]) == (0, 1)
    assert [t["id"] for t in api.list(assignedAgentId="agent_n1").data] == [ticket["id"]]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"priority": "HIGH"}, id="the same priority"),
        pytest.param(
            {"status": "OPEN", "subject": "Payment failed for order #12345"}, id="same status and subject"
        ),
        pytest.param({"assignedAgentId": None, "category": "billing"}, id="unassigned again, same category"),
        pytest.param({"tagIds": [TAG_A.upper()]}, id="the same tag in upper case"),
        pytest.param({"metadata": {"amount": 99.9, "orderId": "12345"}}, id="the same metadata"),
    ],
)
def test_a_patch_that_changes_nothing_is_200_with_the_same_etag_and_writes_nothing(
    api: Api, ticket: dict[str, Any], body: dict[str, Any]
) -> None:
    # Given a ticket as stored, and the whole table
    before = read(api, ticket["id"])
    items_before = table_items()

    # When a PATCH sends only what the ticket already has
    response = api.update(ticket["id"], body)

    # Then it is 200 with the ticket unchanged: same version and ETag, nothing written at all (so no change
    # reaches the stream either)
    assert response.status == 200, response.json
    assert response.headers["ETag"] == f'"{before["version"]}"'
    assert {name: response.data[name] for name in before} == before
    assert table_items() == items_before


# Assignment --------------------------------------------------------------------------------------


def test_assigning_an_agent_puts_the_ticket_in_progress_with_the_agent(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given an open, unassigned ticket
    assert stats(api)["unassigned"] == 1

    # When agent_n1 is assigned with a new priority (the events/ example)
    response = invoke("update_ticket", load_event("update_ticket_assign.json", ticket_id=ticket["id"]))

    # Then it is IN_PROGRESS with the agent's id, name and email, and leaves the unassigned queue
    assert response.status == 200, response.json
    assert response.data["status"] == "IN_PROGRESS"
    assert response.data["priority"] == "URGENT"
    assert response.data["assignedAgent"] == {
        "id": "agent_n1",
        "name": "Agent N1",
        "email": "agent_n1@acme.com",
    }
    assert stats(api)["unassigned"] == 0
    assert [t["id"] for t in api.list(assignedAgentId="agent_n1").data] == [ticket["id"]]
    assert api.list(unassigned="true").data == []


def test_unassigning_puts_the_ticket_back_in_the_open_queue(api: Api, ticket: dict[str, Any]) -> None:
    # Given a ticket assigned to agent_n1
    assert api.update(ticket["id"], {"assignedAgentId": "agent_n1"}).data["status"] == "IN_PROGRESS"

    # When it is unassigned
    response = api.update(ticket["id"], {"assignedAgentId": None})

    # Then it is OPEN without an agent, and back in the unassigned queue
    assert response.status == 200, response.json
    assert response.data["status"] == "OPEN"
    assert response.data["assignedAgent"] is None
    assert read(api, ticket["id"])["assignedAgent"] is None
    assert [t["id"] for t in api.list(unassigned="true").data] == [ticket["id"]]
    assert api.list(assignedAgentId="agent_n1").data == []
    assert stats(api)["unassigned"] == 1


@pytest.mark.parametrize(
    "agent_id",
    [
        pytest.param("agent_unknown", id="agent-nobody-knows"),
        pytest.param("agent_g1", id="agent-of-another-tenant"),
    ],
)
def test_assigning_an_unknown_agent_is_404_and_changes_nothing(
    api: Api, seed: Seeder, ticket: dict[str, Any], agent_id: str
) -> None:
    # Given a ticket, and an agent that exists only in tenant globex
    seed.tenant("globex", "GLX", name="Globex")
    seed.agent("globex", agent_id="agent_g1", name="Globex Agent")
    before, stats_before = read(api, ticket["id"]), stats(api)

    # When acme assigns an agent it does not have
    response = api.update(ticket["id"], {"assignedAgentId": agent_id, "priority": "LOW"})

    # Then it is 404 AGENT_NOT_FOUND naming assignedAgentId, and nothing changed
    assert_error(response, 404, "AGENT_NOT_FOUND", "assignedAgentId")
    assert read(api, ticket["id"]) == before
    assert stats(api) == stats_before


def test_in_progress_without_an_agent_is_a_conflict_and_changes_nothing(
    api: Api, ticket: dict[str, Any]
) -> None:
    # Given an unassigned ticket
    before, stats_before = read(api, ticket["id"]), stats(api)

    # When it is set IN_PROGRESS with nobody assigned
    response = api.update(ticket["id"], {"status": "IN_PROGRESS"})

    # Then it is 409 CONFLICT naming status, and nothing changed
    assert_error(response, 409, "CONFLICT", "status")
    assert read(api, ticket["id"]) == before
    assert stats(api) == stats_before


# Tags --------------------------------------------------------------------------------------------


def test_changing_tags_moves_the_ticket_between_tag_lists(api: Api, ticket: dict[str, Any]) -> None:
    # Given a ticket tagged A, listed under A only
    assert [t["id"] for t in api.list(tag=TAG_A).data] == [ticket["id"]]
    assert api.list(tag=TAG_B).data == []

    # When its tags become [B]
    response = api.update(ticket["id"], {"tagIds": [TAG_B]})

    # Then it is listed under B and no longer under A
    assert response.status == 200, response.json
    assert response.data["tagIds"] == [TAG_B]
    assert api.list(tag=TAG_A).data == []
    assert [t["id"] for t in api.list(tag=TAG_B).data] == [ticket["id"]]

    # And an empty list removes it from every tag list
    assert api.update(ticket["id"], {"tagIds": []}).status == 200
    assert api.list(tag=TAG_B).data == []


# Rejected updates --------------------------------------------------------------------------------

INVALID_UPDATES = [
    pytest.param({"status": None}, "status", id="status-null"),
    pytest.param({"priority": None}, "priority", id="priority-null"),
    pytest.param({"subject": None}, "subject", id="subject-null"),
    pytest.param({"tagIds": None}, "tagIds", id="tagIds-null"),
    pytest.param({}, "body", id="empty-body"),
    pytest.param({"channel": "EMAIL"}, "channel", id="unknown-field-channel"),
    pytest.param({"ticketNumber": "INV-7"}, "ticketNumber", id="read-only-field-ticketNumber"),
    pytest.param({"customerExternalId": "user_43"}, "customerExternalId", id="customer-not-patchable"),
    pytest.param({"status": "DONE"}, "status", id="status-DONE"),
    pytest.param({"priority": "high"}, "priority", id="priority-lower-case"),
    pytest.param({"subject": ""}, "subject", id="subject-empty"),
    pytest.param({"subject": "s" * 1025}, "subject", id="subject-of-1025-chars"),
    pytest.param({"subject": "two\nlines"}, "subject", id="subject-with-newline"),
    pytest.param({"category": "c" * 129}, "category", id="category-of-129-chars"),
    pytest.param({"tagIds": ["not-a-uuid"]}, "tagIds", id="tagIds-non-uuid"),
    pytest.param({"tagIds": [TAG_A, TAG_A]}, "tagIds", id="tagIds-duplicate"),
    pytest.param(
        {"metadata": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, "metadata", id="metadata-nested-6-deep"
    ),
    pytest.param({"assignedAgentId": "agent n1!"}, "assignedAgentId", id="assignedAgentId-malformed"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_UPDATES)
def test_invalid_patch_is_400_naming_the_field_and_changes_nothing(
    api: Api, ticket: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    # Given a ticket as stored
    before, stats_before = read(api, ticket["id"]), stats(api)

    # When an invalid PATCH is sent
    response = api.update(ticket["id"], body)

    # Then it is 400 VALIDATION_ERROR naming the field, and the ticket and stats are unchanged
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert read(api, ticket["id"]) == before
    assert stats(api) == stats_before


@pytest.mark.parametrize(
    ("request_kwargs", "field"),
    [
        pytest.param({"raw_body": '{"status": '}, "body", id="malformed-json"),
        pytest.param({}, "body", id="no-body"),
    ],
)
def test_patch_body_that_is_not_a_json_object_is_400_and_changes_nothing(
    api: Api, ticket: dict[str, Any], request_kwargs: dict[str, Any], field: str
) -> None:
    # Given a ticket as stored
    before = read(api, ticket["id"])

    # When a PATCH without a usable JSON object is sent
    response = api.update(ticket["id"], **request_kwargs)

    # Then it is 400 naming the body or its content type, and nothing changed
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert read(api, ticket["id"]) == before


# Not found and tenant isolation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param("01JS3Q6Z8X9V2K4M7N5P0R1T2W", id="unknown-ticket-id"),
        pytest.param("INV-999", id="unknown-ticket-number"),
    ],
)
def test_patch_of_an_unknown_ticket_is_404(api: Api, ticket: dict[str, Any], reference: str) -> None:
    # Given a reference that names no ticket of acme
    before = read(api, ticket["id"])

    # When it is patched
    response = api.update(reference, {"status": "CLOSED"})

    # Then it is 404 TICKET_NOT_FOUND, and acme's ticket is untouched
    assert_error(response, 404, "TICKET_NOT_FOUND")
    assert read(api, ticket["id"]) == before
    assert stats(api)["closed"] == 0


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
    acme_before, globex_before = read(api, ticket["id"]), read(globex, theirs.data["id"])

    # When globex closes acme's ticket, by its id or its number
    reference = ticket["id"] if by == "id" else ticket["ticketNumber"]
    response = globex.update(reference, {"status": "CLOSED"})

    # Then globex is told it does not exist, and neither ticket changed
    assert_error(response, 404, "TICKET_NOT_FOUND")
    assert read(api, ticket["id"]) == acme_before
    assert read(globex, theirs.data["id"]) == globex_before
    assert stats(api)["closed"] == 0
