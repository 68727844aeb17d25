"""Tenant isolation: what one tenant (acme, INV) has is invisible and untouchable for another (globex, GLX),
even when both have a customer user_42, an agent agent_n1, the same tag and the same externalId."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse

TAG = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"
LONG_AGO = "2000-01-01T00:00:00Z"


def _ok(response: ApiResponse, status: int = 200) -> ApiResponse:
    assert response.status == status, response.json
    return response


def _not_found(response: ApiResponse) -> None:
    assert response.status == 404, response.json
    assert response.json["success"] is False
    assert response.error["code"] == "TICKET_NOT_FOUND"


def _create(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"customerExternalId": "user_42", "subject": "Order stuck"} | fields
    return _ok(api.create(body), 201).data  # type: ignore[no-any-return]


@dataclass
class Desks:
    acme: Api
    globex: Api
    ticket: dict[str, str]  # name -> id; a* belong to acme, g* to globex

    def names(self, ids: list[str]) -> list[str]:
        by_id = {ticket_id: name for name, ticket_id in self.ticket.items()}
        return [by_id.get(ticket_id, ticket_id) for ticket_id in ids]


@pytest.fixture
def desks(api: Api, seed: Seeder) -> Desks:
    """acme: a1 (HIGH, tag, externalId order-1, agent_n1, IN_PROGRESS), a2 (LOW, OPEN), a3 (agent replied,
    WAITING_ON_CUSTOMER), a4 (CLOSED). globex: g1 (HIGH, tag, externalId order-1, agent_n1, IN_PROGRESS),
    g2 (LOW, OPEN). Every ticket is for the tenant's own customer user_42."""
    seed.tenant("globex", "GLX", name="Globex Corp.")
    seed.customer("globex", "user_42", email="hank@globex.com", name="Hank Scorpio")
    seed.agent("globex", agent_id="agent_n1", name="Globex Agent")
    globex = Api("globex")
    ticket = {
        "a1": _create(api, priority="HIGH", tagIds=[TAG], externalId="order-1")["id"],
        "g1": _create(globex, priority="HIGH", tagIds=[TAG], externalId="order-1")["id"],
        "a2": _create(api, priority="LOW")["id"],
        "g2": _create(globex, priority="LOW")["id"],
        "a3": _create(api)["id"],
        "a4": _create(api)["id"],
    }
    _ok(api.update(ticket["a1"], {"assignedAgentId": "agent_n1"}))
    _ok(globex.update(ticket["g1"], {"assignedAgentId": "agent_n1"}))
    _ok(api.reply(ticket["a3"], {"message": "We are on it."}), 201)
    _ok(api.update(ticket["a4"], {"status": "CLOSED"}))
    return Desks(api, globex, ticket)


# Reading and writing another tenant's ticket --------------------------------------------------------


def test_another_tenants_ticket_is_not_found_by_id_or_by_number(desks: Desks) -> None:
    # Given acme's ticket INV-1, and globex's own GLX-1
    acme_ticket = _ok(desks.acme.get(desks.ticket["a1"])).data
    assert acme_ticket["ticketNumber"] == "INV-1"

    # When globex asks for it by id (as is, and in lower case) or by number
    # Then each is a 404 TICKET_NOT_FOUND
    for reference in (desks.ticket["a1"], desks.ticket["a1"].lower(), "INV-1", "inv-1", "INV-3"):
        _not_found(desks.globex.get(reference))
    # And globex's own number still finds globex's ticket
    assert _ok(desks.globex.get("GLX-1")).data["id"] == desks.ticket["g1"]


# What globex tries on acme's ticket: the route, and the body.
ATTEMPTS: list[tuple[str, dict[str, Any]]] = [
    ("reply", {"message": "Hello from globex"}),
    ("reply", {"message": "Customer speaking", "from": {"role": "CUSTOMER"}}),
    ("reply", {"message": "A note", "internal": True}),
    ("reply /messages", {"message": "Hello from globex"}),
    ("update", {"status": "CLOSED"}),
    ("update", {"priority": "LOW", "subject": "Taken over"}),
    ("update", {"assignedAgentId": "agent_n1"}),
    ("update", {"assignedAgentId": None}),
]


@pytest.mark.parametrize("reference", ["a1", "INV-1"])
def test_another_tenant_cannot_reply_to_or_update_a_ticket(desks: Desks, reference: str) -> None:
    # Given acme's ticket INV-1 as acme sees it, and globex's own GLX-1 (the same sequence number)
    acme_before = _ok(desks.acme.get(desks.ticket["a1"])).data
    globex_before = _ok(desks.globex.get(desks.ticket["g1"])).data
    asked = desks.ticket.get(reference, reference)

    # When globex replies to it (both reply routes, as agent, customer, internal note) or updates it
    answers = {}
    for action, body in ATTEMPTS:
        if action == "update":
            response = desks.globex.update(asked, body)
        elif action == "reply /messages":
            response = desks.globex.reply(asked, body, resource="/v1/tickets/{ticketId}/messages")
        else:
            response = desks.globex.reply(asked, body)
        answers[f"{action} {body}"] = (response.status, response.json.get("error", {}).get("code"))

    # Then each is a 404 TICKET_NOT_FOUND, and neither acme's ticket nor globex's GLX-1 changed
    assert answers == dict.fromkeys(answers, (404, "TICKET_NOT_FOUND"))
    assert _ok(desks.acme.get(desks.ticket["a1"])).data == acme_before
    assert _ok(desks.globex.get(desks.ticket["g1"])).data == globex_before


def test_nothing_another_tenant_does_changes_a_tickets_version_messages_or_stats(desks: Desks) -> None:
    # Given acme's tickets and stats as acme sees them
    acme_id = desks.ticket["a3"]
    before = _ok(desks.acme.get(acme_id)).data
    acme_stats = _ok(desks.acme.list()).json["stats"]

    # When globex tries everything on it, and works on its own tickets
    attempts = [
        desks.globex.get(acme_id),
        desks.globex.get("INV-3"),
        desks.globex.reply(acme_id, {"message": "Hi", "from": {"role": "CUSTOMER"}}),
        desks.globex.reply("INV-3", {"message": "Hi"}),
        desks.globex.reply(acme_id, {"message": "Hi"}, resource="/v1/tickets/{ticketId}/messages"),
        desks.globex.update(acme_id, {"status": "CLOSED"}),
        desks.globex.update("INV-3", {"status": "ON_HOLD"}),
    ]
    _ok(desks.globex.reply(desks.ticket["g2"], {"message": "Own work"}), 201)
    _ok(desks.globex.update(desks.ticket["g2"], {"status": "CLOSED"}))
    _create(desks.globex, externalId="order-3")

    # Then every attempt was a 404, and acme's ticket and stats are exactly as they were
    assert [response.status for response in attempts] == [404] * len(attempts)
    after = _ok(desks.acme.get(acme_id)).data
    assert (after["version"], after["messageCount"], after["status"]) == (
        before["version"],
        before["messageCount"],
        before["status"],
    )
    assert after == before
    assert _ok(desks.acme.list()).json["stats"] == acme_stats


# Lists and stats -----------------------------------------------------------------------------------


GLOBEX_QUERIES: dict[str, tuple[dict[str, str], list[str]]] = {
    "no filter": ({}, ["g2", "g1"]),
    "open": ({"status": "OPEN"}, ["g2"]),
    "in progress": ({"status": "IN_PROGRESS"}, ["g1"]),
    "waiting (only acme has one)": ({"status": "WAITING_ON_CUSTOMER"}, []),
    "closed (only acme has one)": ({"status": "CLOSED"}, []),
    "every status": ({"status": "OPEN,IN_PROGRESS,WAITING_ON_CUSTOMER,ON_HOLD,CLOSED"}, ["g2", "g1"]),
    "high": ({"priority": "HIGH"}, ["g1"]),
    "every priority": ({"priority": "LOW,MEDIUM,HIGH,URGENT,CRITICAL"}, ["g2", "g1"]),
    "customer user_42": ({"customerExternalId": "user_42"}, ["g2", "g1"]),
    "agent agent_n1": ({"assignedAgentId": "agent_n1"}, ["g1"]),
    "unassigned": ({"unassigned": "true"}, ["g2"]),
    "awaiting agent": ({"awaiting": "AGENT"}, ["g2", "g1"]),
    "awaiting customer (only acme has one)": ({"awaiting": "CUSTOMER"}, []),
    "tag": ({"tag": TAG}, ["g1"]),
    "updated since": ({"updatedSince": LONG_AGO}, ["g2", "g1"]),
    "updated since, by update": ({"updatedSince": LONG_AGO, "sort": "updatedAt"}, ["g2", "g1"]),
    "oldest first": ({"sort": "createdAt"}, ["g1", "g2"]),
    "last updated first": ({"sort": "-updatedAt"}, ["g1", "g2"]),
    "customer and status": ({"customerExternalId": "user_42", "status": "OPEN,IN_PROGRESS"}, ["g2", "g1"]),
    "agent and tag": ({"assignedAgentId": "agent_n1", "tag": TAG}, ["g1"]),
}


def test_another_tenants_tickets_never_appear_in_a_list_whatever_the_filter(desks: Desks) -> None:
    # Given acme and globex tickets with the same customer, agent, tag, priorities and statuses
    acme_ids = {desks.ticket[name] for name in ("a1", "a2", "a3", "a4")}

    # When globex lists its tickets with every filter kind and sort
    problems = {}
    for case, (query, expected) in GLOBEX_QUERIES.items():
        ids = [ticket["id"] for ticket in _ok(desks.globex.list(**query)).data]
        if desks.names(ids) != expected or acme_ids & set(ids):
            problems[case] = f"got {desks.names(ids)}, expected {expected}"

    # Then only globex's own matching tickets ever come back
    assert problems == {}


def test_each_tenants_stats_count_only_its_own_tickets(desks: Desks) -> None:
    # Given 4 acme tickets and 2 globex tickets
    # When each tenant lists its tickets
    acme = _ok(desks.acme.list()).json["stats"]
    globex = _ok(desks.globex.list()).json["stats"]

    # Then each tenant's stats count its own tickets only
    assert globex == {
        "total": 2,
        "open": 2,
        "closed": 0,
        "needsResponse": 2,
        "unassigned": 1,
        "byStatus": {"OPEN": 1, "IN_PROGRESS": 1, "WAITING_ON_CUSTOMER": 0, "ON_HOLD": 0, "CLOSED": 0},
    }
    assert acme == {
        "total": 4,
        "open": 3,
        "closed": 1,
        "needsResponse": 2,
        "unassigned": 1,  # a2; a3 awaits its customer, so it is not in the queue
        "byStatus": {"OPEN": 1, "IN_PROGRESS": 1, "WAITING_ON_CUSTOMER": 1, "ON_HOLD": 0, "CLOSED": 1},
    }


@pytest.mark.parametrize("query", [{}, {"customerExternalId": "user_42"}, {"sort": "updatedAt"}])
def test_a_cursor_of_another_tenant_is_rejected(desks: Desks, query: dict[str, str]) -> None:
    # Given the nextCursor of acme's first page of one ticket
    cursor = _ok(desks.acme.list(**query, limit="1")).json["meta"]["nextCursor"]
    assert cursor

    # When globex sends it with exactly the same query
    response = desks.globex.list(**query, limit="1", cursor=cursor)

    # Then it is a 400 VALIDATION_ERROR naming cursor, and nothing of acme's is shown
    assert response.status == 400, response.json
    assert response.error["code"] == "VALIDATION_ERROR"
    assert "cursor" in response.error_fields()
    assert "data" not in response.json


# The same externalId in two tenants -----------------------------------------------------------------


def test_the_same_external_id_in_two_tenants_makes_two_distinct_tickets(desks: Desks) -> None:
    # Given acme and globex each created a ticket with externalId order-1
    acme_ticket = _ok(desks.acme.get(desks.ticket["a1"])).data
    globex_ticket = _ok(desks.globex.get(desks.ticket["g1"])).data

    # Then they are two tickets, each numbered and owned by its tenant
    assert acme_ticket["id"] != globex_ticket["id"]
    assert acme_ticket["externalId"] == globex_ticket["externalId"] == "order-1"
    assert acme_ticket["ticketNumber"] == "INV-1"
    assert globex_ticket["ticketNumber"] == "GLX-1"
    assert globex_ticket["customer"]["email"] == "hank@globex.com"
    assert globex_ticket["customer"]["id"] != acme_ticket["customer"]["id"]

    # When each tenant creates with order-1 again
    acme_again = desks.acme.create(
        {"customerExternalId": "user_42", "subject": "Again", "externalId": "order-1"}
    )
    globex_again = desks.globex.create(
        {"customerExternalId": "user_42", "subject": "Again", "externalId": "order-1"}
    )

    # Then each gets its own existing ticket back (200), not the other tenant's and not a new one
    assert (acme_again.status, acme_again.data["id"]) == (200, acme_ticket["id"])
    assert (globex_again.status, globex_again.data["id"]) == (200, globex_ticket["id"])


def test_an_external_id_first_used_by_another_tenant_creates_a_new_ticket(desks: Desks) -> None:
    # Given an externalId only acme has used
    _create(desks.acme, externalId="only-acme")

    # When globex creates a ticket with it
    response = desks.globex.create(
        {"customerExternalId": "user_42", "subject": "Mine", "externalId": "only-acme"}
    )

    # Then globex gets a new ticket of its own (201), numbered in its own sequence
    assert response.status == 201, response.json
    assert response.data["ticketNumber"] == "GLX-3"
    assert response.data["subject"] == "Mine"
    assert _ok(desks.globex.list()).json["stats"]["total"] == 3
