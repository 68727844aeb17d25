"""Paymenter, drop-in: its JSON:API documents (relationships, included, links, meta), its words for
statuses and priorities both ways, ticket numbers as ids, its filters, sorts and page numbers, its
create, PUT, DELETE and ticket-messages, and Laravel's errors; the same tickets as the native API's, for
the same tenant only (shared/seeds/paymenter-tickets-api.txt)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.documents import (
    PAYMENTER_ATTRIBUTES,
    PAYMENTER_CREATE_EXAMPLE,
    PAYMENTER_LINKS,
    PAYMENTER_LIST_KEYS,
    PAYMENTER_MESSAGE_ATTRIBUTES,
    PAYMENTER_MESSAGE_EXAMPLE,
    PAYMENTER_META,
    PAYMENTER_RESOURCE_KEYS,
    PAYMENTER_UPDATE_EXAMPLE,
    PAYMENTER_USER_ATTRIBUTES,
)
from tests.support.events import api_event, load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse, invoke
from tests.support.moto_table import table_items

BASE = "https://abc123.execute-api.us-east-1.amazonaws.com/dev/compat/paymenter/api/v1/admin"
CUSTOMER = {"role": "CUSTOMER"}


@pytest.fixture
def paymenter(seed: Seeder) -> Seeder:
    """acme with user 1 (John Doe) and staff member 5, the ids of the document's examples."""
    seed.customer(external_id="1", email="john.doe@acme.com", name="John Doe")
    seed.agent(agent_id="5", name="Sam Staff")
    return seed


def call(route: str, caller: dict[str, Any] | None = None, **kwargs: Any) -> ApiResponse:
    return invoke("paymenter", api_event(f"paymenter_{route}", **(caller or {}), **kwargs))


def create(body: dict[str, Any] | None = None, **kwargs: Any) -> ApiResponse:
    return call("create_ticket", body=body or PAYMENTER_CREATE_EXAMPLE, **kwargs)


def list_tickets(**query: str) -> ApiResponse:
    return call("list_tickets", query=query)


def get(ticket_id: str, **query: str) -> ApiResponse:
    return call("get_ticket", ticket_id=ticket_id, query=query)


def add_message(body: dict[str, Any]) -> ApiResponse:
    return call("add_message", body=body)


def assert_laravel(response: ApiResponse, status: int, field: str | None = None) -> None:
    """Laravel's error: {message}, and for invalid input {message, errors: {field: [...]}}."""
    assert response.status == status, response.json
    body = response.json
    assert isinstance(body["message"], str) and body["message"]
    if field is None:
        assert set(body) == {"message"}
    else:
        assert set(body) == {"message", "errors"}
        assert field in body["errors"], body
        assert all(isinstance(text, str) and text for text in body["errors"][field])


def made(count: int, **changes: Any) -> list[str]:
    """`count` tickets of user 1 through Paymenter's create, their JSON:API ids."""
    ids = []
    for index in range(count):
        response = create(PAYMENTER_CREATE_EXAMPLE | {"subject": f"ticket {index}"} | changes)
        assert response.status == 201, response.json
        ids.append(response.json["data"]["id"])
    return ids


def test_the_documents_create_is_answered_as_the_document_shows(paymenter: Seeder, api: Api) -> None:
    # When the document's create example is sent (its event file holds it)
    response = invoke("paymenter", load_event("paymenter_create_ticket.json"))

    # Then it is 201 with the ticket resource: its number as id, the document's attributes
    assert response.status == 201, response.json
    assert set(response.json) == {"data"}
    data = response.json["data"]
    assert set(data) == PAYMENTER_RESOURCE_KEYS and (data["type"], data["id"]) == ("tickets", "1")
    attributes = data["attributes"]
    assert set(attributes) == PAYMENTER_ATTRIBUTES
    assert {name: attributes[name] for name in PAYMENTER_CREATE_EXAMPLE} == PAYMENTER_CREATE_EXAMPLE
    assert attributes["assigned_to"] is None
    assert attributes["created_at"].endswith("Z") and len(attributes["created_at"]) == len(
        "2024-01-20T15:45:00.000000Z"
    )
    # And it is the native ticket INV-1, without a message, as the document says
    native = api.get("INV-1").data
    assert (native["department"], native["priority"], native["messageCount"]) == ("billing", "MEDIUM", 0)
    assert native["customer"]["externalId"] == "1"


def test_create_opens_the_ticket_as_asked_in_one_write(paymenter: Seeder, api: Api) -> None:
    # When a ticket is created on hold for staff member 5, with a service
    body = PAYMENTER_CREATE_EXAMPLE | {"status": "on-hold", "assigned_to": 5, "service_id": 12}
    response = create(body)

    # Then it is on hold with its agent; the agent's load counts it; the service is its reference
    assert response.status == 201, response.json
    attributes = response.json["data"]["attributes"]
    assert (attributes["status"], attributes["assigned_to"]) == ("on-hold", 5)
    native = api.get("1").data
    assert (native["status"], native["assignedAgent"]["id"], native["version"]) == ("ON_HOLD", "5", 1)
    assert native["reference"] == {"type": "SERVICE", "id": "12"}
    agents = {agent["id"]: agent for agent in api.list_agents().data}
    assert agents["5"]["openTickets"] == 1


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        pytest.param({"subject": "s" * 256}, "subject", 422, id="subject-over-255"),
        pytest.param({"subject": None}, "subject", 422, id="subject-null"),
        pytest.param({"status": "pending"}, "status", 422, id="status-not-a-word"),
        pytest.param({"status": "OPEN"}, "status", 422, id="status-native-word"),
        pytest.param({"priority": "HIGH"}, "priority", 422, id="priority-native-word"),
        pytest.param({"user_id": 99}, "user_id", 422, id="unknown-user"),
        pytest.param({"user_id": True}, "user_id", 422, id="user-true"),
        pytest.param({"assigned_to": 77}, "assigned_to", 422, id="unknown-staff"),
        pytest.param({"customerExternalId": "1"}, "customerExternalId", 422, id="native-field"),
    ],
)
def test_invalid_creates_are_laravels_422_naming_the_field_and_write_nothing(
    paymenter: Seeder, body: dict[str, Any], field: str, status: int
) -> None:
    before = table_items()
    assert_laravel(create(PAYMENTER_CREATE_EXAMPLE | body), status, field)
    assert table_items() == before


def test_a_missing_field_reads_as_laravel_writes_it(paymenter: Seeder) -> None:
    response = create({"status": "open"})
    assert_laravel(response, 422, "subject")
    assert response.json["errors"]["user_id"] == ["The user id field is required."]
    assert response.json["message"] == "The subject field is required. (and 1 more error)"


def test_get_with_include_is_the_documents_ticket_with_messages_and_user(paymenter: Seeder, api: Api) -> None:
    # Given the document's ticket: user 1's, assigned to 5, with a message from each
    created = create(PAYMENTER_CREATE_EXAMPLE | {"priority": "high", "assigned_to": 5}).json["data"]
    asked = add_message(
        {"ticket_id": 1, "message": "I can't log into my hosting control panel.", "user_id": 1}
    )
    answered = add_message({"ticket_id": created["id"], "message": "Hi John, I've reset it.", "user_id": 5})
    assert (asked.status, answered.status) == (201, 201), (asked.json, answered.json)

    # When the document's request gets it with messages and user
    response = invoke("paymenter", load_event("paymenter_get_ticket.json"))

    # Then it is the document's: the resource, its relationships, and the users and messages included
    assert response.status == 200, response.json
    assert set(response.json) == {"data", "included"}
    data = response.json["data"]
    assert set(data) == PAYMENTER_RESOURCE_KEYS | {"relationships"}
    assert data["attributes"]["status"] == "replied" and data["attributes"]["assigned_to"] == 5
    relationships = data["relationships"]
    assert relationships["user"] == {"data": {"type": "users", "id": "1"}}
    assert relationships["assigned_to"] == {"data": {"type": "users", "id": "5"}}
    message_ids = [item["id"] for item in relationships["messages"]["data"]]
    assert [item["type"] for item in relationships["messages"]["data"]] == ["ticket_messages"] * 2
    included = response.json["included"]
    assert included[0] == {
        "type": "users",
        "id": "1",
        "attributes": {"first_name": "John", "last_name": "Doe", "email": "john.doe@acme.com"},
    }
    assert set(included[0]["attributes"]) == PAYMENTER_USER_ATTRIBUTES
    messages = included[1:]
    assert [message["id"] for message in messages] == message_ids
    assert [message["attributes"]["user_id"] for message in messages] == [1, 5]
    assert all(set(message["attributes"]) == PAYMENTER_MESSAGE_ATTRIBUTES for message in messages)
    # And assigned_to includes staff member 5; without include there is no included
    staff = get("1", include="assigned_to").json["included"]
    assert staff == [
        {
            "type": "users",
            "id": "5",
            "attributes": {"first_name": "Sam", "last_name": "Staff", "email": "5@acme.com"},
        }
    ]
    assert "included" not in get("1").json


def test_a_ticket_is_found_by_its_number_its_id_and_its_full_number(paymenter: Seeder, api: Api) -> None:
    made(1)
    native_id = api.get("INV-1").data["id"]
    for reference in ("1", native_id, "INV-1"):
        response = get(reference)
        assert response.status == 200, (reference, response.json)
        assert response.json["data"]["id"] == "1"
    assert_laravel(get("2"), 404)
    assert_laravel(get("GLX-1"), 404)


def test_pages_have_the_documents_links_and_meta(paymenter: Seeder) -> None:
    # Given 20 tickets
    made(20)

    # When the document's list request is sent, then page 2
    first = invoke("paymenter", load_event("paymenter_list_tickets.json"))
    second = list_tickets(page="2")

    # Then the pages are 15 and 5 tickets in id order, with the document's links and meta
    assert first.status == 200, first.json
    assert set(first.json) == PAYMENTER_LIST_KEYS
    assert [item["id"] for item in first.json["data"]] == [str(number) for number in range(1, 16)]
    assert [item["id"] for item in second.json["data"]] == [str(number) for number in range(16, 21)]
    for item in first.json["data"]:
        assert set(item) == PAYMENTER_RESOURCE_KEYS | {"relationships"}
        assert set(item["relationships"]) == {"user", "assigned_to"}
    path = f"{BASE}/tickets"
    assert set(first.json["links"]) == PAYMENTER_LINKS and set(first.json["meta"]) == PAYMENTER_META
    assert first.json["links"] == {
        "first": f"{path}?page=1",
        "last": f"{path}?page=2",
        "prev": None,
        "next": f"{path}?page=2",
    }
    assert first.json["meta"] == {"current_page": 1, "from": 1, "path": path, "per_page": 15, "to": 15}
    assert second.json["links"]["prev"] == f"{path}?page=1" and second.json["links"]["next"] is None
    assert (second.json["meta"]["from"], second.json["meta"]["to"]) == (16, 20)
    # And a link keeps the query's other parameters
    filtered = list_tickets(**{"per_page": "5", "filter[priority]": "medium"}).json["links"]
    assert filtered["next"] == f"{path}?per_page=5&filter[priority]=medium&page=2"
    assert filtered["last"] is None  # the stats do not count by priority


def test_status_words_map_both_ways_and_filter(paymenter: Seeder, api: Api) -> None:
    # Given a ticket in each of Paymenter's statuses
    opened, replied, customer_reply, on_hold, closed = made(5)
    add_message({"ticket_id": replied, "message": "We are on it.", "user_id": 5})
    add_message({"ticket_id": customer_reply, "message": "We are on it.", "user_id": 5})
    add_message({"ticket_id": customer_reply, "message": "Still broken.", "user_id": 1})
    call("update_ticket", ticket_id=on_hold, body={"status": "on-hold"})
    call("update_ticket", ticket_id=closed, body={"status": "closed"})

    # When each status is listed
    listed = {
        word: list_tickets(**{"filter[status]": word}).json
        for word in ("open", "replied", "customer-reply", "on-hold", "closed")
    }

    # Then each lists its ticket, in its word
    expected = {
        "open": opened,
        "replied": replied,
        "customer-reply": customer_reply,
        "on-hold": on_hold,
        "closed": closed,
    }
    for word, ticket_id in expected.items():
        rows = listed[word]["data"]
        assert [(row["id"], row["attributes"]["status"]) for row in rows] == [(ticket_id, word)], word
    # And the native statuses behind them
    natives = {word: api.get(ticket_id).data["status"] for word, ticket_id in expected.items()}
    assert natives == {
        "open": "OPEN",
        "replied": "WAITING_ON_CUSTOMER",
        "customer-reply": "OPEN",
        "on-hold": "ON_HOLD",
        "closed": "CLOSED",
    }
    # And the last page is known where the stats count the status, and not where they cannot
    assert listed["closed"]["links"]["last"] == f"{BASE}/tickets?filter[status]=closed&page=1"
    assert listed["open"]["links"]["last"] is None


def test_the_other_filters(paymenter: Seeder, seed: Seeder) -> None:
    # Given tickets of two users, priorities and assignments
    seed.customer(external_id="2", email="jane@acme.com", name="Jane Roe")
    high = made(1, priority="high")[0]
    jane = made(1, user_id=2)[0]
    staffed = made(1, assigned_to=5)[0]
    waiting = made(1)[0]

    def ids(**query: str) -> list[str]:
        response = list_tickets(**query)
        assert response.status == 200, response.json
        return [row["id"] for row in response.json["data"]]

    # Then each filter lists its tickets
    assert ids(**{"filter[priority]": "high"}) == [high]
    assert ids(**{"filter[user_id]": "2"}) == [jane]
    assert ids(**{"filter[assigned_to]": "5"}) == [staffed]
    assert ids(**{"filter[assigned_to]": "null"}) == [high, jane, waiting]


def test_sorts(paymenter: Seeder) -> None:
    low, urgent, medium = (made(1, priority=word)[0] for word in ("low", "urgent", "medium"))
    call("update_ticket", ticket_id=low, body={"status": "closed"})

    def ids(sort: str) -> list[str]:
        response = list_tickets(sort=sort)
        assert response.status == 200, response.json
        return [row["id"] for row in response.json["data"]]

    assert ids("id") == ids("created_at") == [low, urgent, medium]
    assert ids("-id") == [medium, urgent, low]
    assert ids("-priority") == [urgent, medium, low]
    assert ids("priority") == [low, medium, urgent]
    assert ids("-status") == [low, medium, urgent]
    assert ids("-updated_at")[0] == low


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param({"sort": "department"}, "sort", id="sort-department"),
        pytest.param({"sort": "subject"}, "sort", id="sort-unknown"),
        pytest.param({"include": "messages,payments"}, "include", id="include-unknown"),
        pytest.param({"include": ""}, "include", id="include-empty"),
        pytest.param({"include": "messages,"}, "include", id="include-an-empty-name"),
        pytest.param({"filter[status]": "OPEN"}, "filter.status", id="status-native-word"),
        pytest.param({"per_page": "101"}, "per_page", id="per-page-over-100"),
        pytest.param({"page": "0"}, "page", id="page-zero"),
        pytest.param({"per_page": "100", "page": "101"}, "page", id="page-past-the-numbered-tickets"),
        pytest.param({"limit": "5"}, "limit", id="a-native-parameter"),
    ],
)
def test_a_query_paymenter_does_not_take_is_422_naming_it(
    paymenter: Seeder, query: dict[str, str], field: str
) -> None:
    assert_laravel(list_tickets(**query), 422, field)


def test_include_messages_on_a_list(paymenter: Seeder) -> None:
    ticket = made(1)[0]
    add_message({"ticket_id": ticket, "message": "Hello", "user_id": 1})
    document = list_tickets(include="messages,user").json
    assert [item["type"] for item in document["included"]] == ["users", "ticket_messages"]
    assert document["data"][0]["relationships"]["messages"]["data"] == [
        {"type": "ticket_messages", "id": document["included"][1]["id"]}
    ]


def test_put_changes_only_the_fields_sent(paymenter: Seeder, api: Api) -> None:
    # Given the document's ticket, assigned to 5
    made(1, subject="Unable to access hosting panel", priority="high", department="technical", assigned_to=5)

    # When the document's update is sent, then an unassign, then nothing
    updated = invoke("paymenter", load_event("paymenter_update_ticket.json"))
    unassigned = call("update_ticket", ticket_id="1", body={"assigned_to": None})
    before = table_items()
    unchanged = call("update_ticket", ticket_id="1", body={})

    # Then the update is the document's answer: status and priority changed, the rest as it was
    assert updated.status == 200, updated.json
    assert set(updated.json["data"]) == PAYMENTER_RESOURCE_KEYS
    attributes = updated.json["data"]["attributes"]
    assert (attributes["status"], attributes["priority"]) == ("closed", "low")
    assert (attributes["subject"], attributes["department"], attributes["assigned_to"]) == (
        "Unable to access hosting panel",
        "technical",
        5,
    )
    assert unassigned.json["data"]["attributes"]["assigned_to"] is None
    assert unchanged.status == 200 and unchanged.json["data"] == unassigned.json["data"]
    assert table_items() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"subject": None}, "subject", id="subject-null"),
        pytest.param({"status": None}, "status", id="status-null"),
        pytest.param({"priority": "p1"}, "priority", id="priority-not-a-word"),
        pytest.param({"assigned_to": 77}, "assigned_to", id="unknown-staff"),
        pytest.param({"user_id": 2}, "user_id", id="user-not-changeable"),
        pytest.param({"service_id": 2}, "service_id", id="service-not-changeable"),
    ],
)
def test_invalid_puts_are_422_and_write_nothing(paymenter: Seeder, body: dict[str, Any], field: str) -> None:
    made(1)
    before = table_items()
    assert_laravel(call("update_ticket", ticket_id="1", body=body), 422, field)
    assert table_items() == before


def test_delete_removes_the_ticket_and_its_messages(paymenter: Seeder, api: Api) -> None:
    made(1)
    add_message({"ticket_id": 1, "message": "Hello", "user_id": 1})
    deleted = invoke("paymenter", load_event("paymenter_delete_ticket.json"))
    assert deleted.status == 204 and deleted.json == {}
    assert_laravel(get("1"), 404)
    assert_laravel(call("delete_ticket", ticket_id="1"), 404)
    assert api.list().json["stats"]["total"] == 0


def test_the_documents_message_is_staff_member_5s_reply(paymenter: Seeder, api: Api) -> None:
    # Given ticket 1
    made(1)
    # When the document's message example is sent
    response = invoke("paymenter", load_event("paymenter_add_message.json"))
    # Then it is 201 with the message, from staff member 5, and the ticket is replied
    assert response.status == 201, response.json
    data = response.json["data"]
    assert data["type"] == "ticket_messages"
    assert set(data["attributes"]) == PAYMENTER_MESSAGE_ATTRIBUTES
    assert (data["attributes"]["message"], data["attributes"]["user_id"]) == (
        PAYMENTER_MESSAGE_EXAMPLE["message"],
        5,
    )
    native = api.get("1").data
    assert native["messages"][0]["from"] == {"role": "AGENT", "id": "5", "name": "Sam Staff"}
    assert get("1").json["data"]["attributes"]["status"] == "replied"


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        pytest.param(
            PAYMENTER_MESSAGE_EXAMPLE | {"user_id": 77}, "user_id", 422, id="neither-user-nor-staff"
        ),
        pytest.param(PAYMENTER_MESSAGE_EXAMPLE | {"message": ""}, "message", 422, id="message-empty"),
        pytest.param({"ticket_id": 1, "user_id": 5}, "message", 422, id="message-missing"),
        pytest.param(PAYMENTER_MESSAGE_EXAMPLE | {"internal": True}, "internal", 422, id="native-field"),
        pytest.param(PAYMENTER_MESSAGE_EXAMPLE | {"ticket_id": 2}, None, 404, id="no-such-ticket"),
    ],
)
def test_invalid_messages_are_refused_and_write_nothing(
    paymenter: Seeder, body: dict[str, Any], field: str | None, status: int
) -> None:
    made(1)
    before = table_items()
    assert_laravel(add_message(body), status, field)
    assert table_items() == before


def test_tenants_see_only_their_own_tickets_and_roles_apply(paymenter: Seeder, seed: Seeder) -> None:
    # Given ticket 1 of acme, and globex with its own user 1
    made(1, subject="acme's")
    seed.tenant("globex", "GLX", name="Globex")
    seed.customer("globex", "1", email="hank@globex.com", name="Hank Scorpio")
    globex = {"tenant_id": "globex"}

    # When globex lists, reads, answers and deletes ticket 1, then creates its own
    listed = call("list_tickets", globex)
    got = call("get_ticket", globex, ticket_id="1")
    answered = call("add_message", globex, body=PAYMENTER_MESSAGE_EXAMPLE)
    deleted = call("delete_ticket", globex, ticket_id="1")
    created = call("create_ticket", globex, body=PAYMENTER_CREATE_EXAMPLE)

    # Then acme's ticket is none of globex's business; globex's own ticket is its number 1
    assert listed.json["data"] == []
    for response in (got, answered, deleted):
        assert_laravel(response, 404)
    assert created.status == 201 and created.json["data"]["attributes"]["subject"] == "Billing question"
    assert get("1").json["data"]["attributes"]["subject"] == "acme's"
    # And an integration key may not delete, nor open a ticket for staff (an update's right)
    integration = {"role": "integration"}
    assert_laravel(call("delete_ticket", integration, ticket_id="1"), 403)
    assigned = PAYMENTER_CREATE_EXAMPLE | {"assigned_to": 5}
    assert_laravel(call("create_ticket", integration, body=assigned), 403)


@pytest.mark.parametrize(
    ("event", "example"),
    [
        ("paymenter_create_ticket.json", PAYMENTER_CREATE_EXAMPLE),
        ("paymenter_update_ticket.json", PAYMENTER_UPDATE_EXAMPLE),
        ("paymenter_add_message.json", PAYMENTER_MESSAGE_EXAMPLE),
    ],
)
def test_the_example_event_files_are_the_documents_bodies(event: str, example: dict[str, Any]) -> None:
    assert json.loads(load_event(event)["body"]) == example
