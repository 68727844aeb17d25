"""The agents API: create or replace a profile, change some fields, list the team with its load;
validation, roles and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.events import load_event
from tests.support.factories import Seeder
from tests.support.handlers import Api, invoke

SAM = {"name": "Sam Lee", "email": "sam@acme.com", "level": "N2", "available": True, "maxOpenTickets": 5}
TICKET = {"customerExternalId": "user_42", "subject": "x"}


def team(api: Api) -> dict[str, dict[str, Any]]:
    """The tenant's agents as GET /v1/agents returns them, by id."""
    response = api.list_agents()
    assert response.status == 200, response.json
    return {agent["id"]: agent for agent in response.data}


def assigned_ticket(api: Api, agent_id: str) -> str:
    """A new ticket assigned to `agent_id` (one more open ticket in the agent's load)."""
    ticket_id = str(api.create(TICKET).data["id"])
    assert api.update(ticket_id, {"assignedAgentId": agent_id}).status == 200
    return ticket_id


def assert_profile_changed(before: dict[str, Any], after: dict[str, Any], changes: dict[str, Any]) -> None:
    """Only `changes` changed, and updatedAt tells when."""
    assert after == before | changes | {"updatedAt": after["updatedAt"]}
    assert after["updatedAt"] is not None
    assert before.get("updatedAt") is None or after["updatedAt"] >= before["updatedAt"]


# PUT ---------------------------------------------------------------------------------------------


def test_put_creates_an_agent_then_replaces_its_profile_keeping_created_at_and_load(api: Api) -> None:
    # When a new agent is put
    created = api.put_agent("agent_sam", SAM)
    # Then it is created (201) with the profile sent and no load
    assert created.status == 201, created.json
    assert created.data | {"createdAt": None, "updatedAt": None} == {
        "id": "agent_sam",
        **SAM,
        "openTickets": 0,
        "lastAssignedAt": None,
        "createdAt": None,
        "updatedAt": None,
    }
    assert created.data["updatedAt"] == created.data["createdAt"]
    # Given a ticket assigned to it
    assigned_ticket(api, "agent_sam")
    loaded = team(api)["agent_sam"]
    assert loaded["openTickets"] == 1
    assert loaded["lastAssignedAt"] is not None

    # When it is put again with another profile
    replaced = api.put_agent("agent_sam", {"name": "Sam R. Lee", "level": "N3", "maxOpenTickets": 8})

    # Then it is the same agent (200, same createdAt), its profile replaced (email left out: cleared;
    # available left out: the default), and its load and last assignment kept
    assert replaced.status == 200, replaced.json
    assert replaced.data == {
        "id": "agent_sam",
        "name": "Sam R. Lee",
        "email": None,
        "level": "N3",
        "available": True,
        "maxOpenTickets": 8,
        "openTickets": 1,
        "lastAssignedAt": loaded["lastAssignedAt"],
        "createdAt": created.data["createdAt"],
        "updatedAt": replaced.data["updatedAt"],
    }
    assert replaced.data["updatedAt"] >= created.data["updatedAt"]
    assert team(api)["agent_sam"] == replaced.data


def test_put_with_only_a_name_takes_the_defaults(api: Api) -> None:
    response = api.put_agent("agent_new", {"name": "New Agent"})
    assert response.status == 201, response.json
    assert response.data["level"] == "N1"
    assert response.data["available"] is True
    assert response.data["maxOpenTickets"] == 10
    assert response.data["email"] is None


def test_agent_ids_with_dots_and_at_signs_round_trip(api: Api) -> None:
    agent_id = "ann.lee@acme"
    assert api.put_agent(agent_id, {"name": "Ann"}).status == 201
    assert team(api)[agent_id]["name"] == "Ann"
    assert api.patch_agent(agent_id, {"available": False}).data["id"] == agent_id


def test_an_agent_put_through_the_api_can_be_assigned_tickets(api: Api) -> None:
    api.put_agent("agent_sam", SAM)
    ticket_id = assigned_ticket(api, "agent_sam")
    assert api.get(ticket_id).data["assignedAgent"] == {
        "id": "agent_sam",
        "name": "Sam Lee",
        "email": "sam@acme.com",
    }


# PATCH -------------------------------------------------------------------------------------------


def test_patch_availability_changes_only_availability(api: Api) -> None:
    # Given the seeded agent with one assigned ticket
    assigned_ticket(api, "agent_n1")
    before = team(api)["agent_n1"]
    # When it is made unavailable
    response = api.patch_agent("agent_n1", {"available": False})
    # Then only available changed, its load included
    assert response.status == 200, response.json
    assert_profile_changed(before, response.data, {"available": False})
    assert team(api)["agent_n1"] == response.data


def test_patch_capacity_changes_only_capacity(api: Api) -> None:
    before = team(api)["agent_n1"]
    response = api.patch_agent("agent_n1", {"maxOpenTickets": 0})
    assert response.status == 200, response.json
    assert_profile_changed(before, response.data, {"maxOpenTickets": 0})


def test_patch_can_change_several_fields_and_clear_the_email(api: Api) -> None:
    before = team(api)["agent_n1"]
    response = api.patch_agent("agent_n1", {"name": "Agent One", "level": "N2", "email": None})
    assert response.status == 200, response.json
    assert_profile_changed(before, response.data, {"name": "Agent One", "level": "N2", "email": None})


def test_patch_that_only_clears_the_email_clears_it(api: Api) -> None:
    # Given the seeded agent, with an email
    before = team(api)["agent_n1"]
    assert before["email"]
    # When the only change asked is to clear its email
    response = api.patch_agent("agent_n1", {"email": None})
    # Then the email is gone and nothing else changed
    assert response.status == 200, response.json
    assert_profile_changed(before, response.data, {"email": None})


def test_patching_an_unknown_agent_is_404_and_creates_nothing(api: Api) -> None:
    before = team(api)
    assert_error(api.patch_agent("agent_ghost", {"available": True}), 404, "AGENT_NOT_FOUND", "agentId")
    assert team(api) == before


# GET ---------------------------------------------------------------------------------------------


def test_list_shows_each_agents_current_load_after_assignments_and_a_close(api: Api) -> None:
    # Given two more agents, three tickets for agent_n1 and one for agent_n2, and one of agent_n1's closed
    api.put_agent("agent_n2", {"name": "Agent N2"})
    api.put_agent("agent_a", {"name": "Idle Agent", "available": False})
    first, *_ = [assigned_ticket(api, "agent_n1") for _ in range(3)]
    assigned_ticket(api, "agent_n2")
    assert api.update(first, {"status": "CLOSED"}).status == 200

    # When the agents are listed
    response = api.list_agents()

    # Then the envelope holds every agent, by id, with its current load
    assert response.status == 200, response.json
    assert set(response.json) == {"success", "data", "timestamp"}
    assert response.json["success"] is True
    loads = {agent["id"]: agent["openTickets"] for agent in response.data}
    assert list(loads) == ["agent_a", "agent_n1", "agent_n2"]
    assert loads == {"agent_a": 0, "agent_n1": 2, "agent_n2": 1}


def test_an_unknown_query_parameter_on_the_list_is_400(api: Api) -> None:
    assert_error(api.list_agents(limit="5"), 400, "VALIDATION_ERROR", "limit")


def test_the_events_files_put_patch_and_list_the_seed_agent(api: Api) -> None:
    put = invoke("agents", load_event("agents_put.json"))
    assert put.status == 200, put.json  # agent_n1 is seeded
    assert put.data["email"] == "agent@acme.com"
    patched = invoke("agents", load_event("agents_patch.json"))
    assert patched.status == 200, patched.json
    assert patched.data["available"] is False
    listed = invoke("agents", load_event("agents_list.json"))
    assert listed.status == 200, listed.json
    assert [agent["id"] for agent in listed.data] == ["agent_n1"]


# Rejected requests -------------------------------------------------------------------------------

INVALID_PUTS = [
    pytest.param({"name": "A", "level": "N4"}, "level", id="level-N4"),
    pytest.param({"name": "A", "maxOpenTickets": -1}, "maxOpenTickets", id="maxOpenTickets-negative"),
    pytest.param({"name": "A", "maxOpenTickets": 1001}, "maxOpenTickets", id="maxOpenTickets-1001"),
    pytest.param({"name": "A", "maxOpenTickets": "10"}, "maxOpenTickets", id="maxOpenTickets-string"),
    pytest.param({"name": "A", "maxOpenTickets": 10.5}, "maxOpenTickets", id="maxOpenTickets-fraction"),
    pytest.param({"name": "A", "maxOpenTickets": True}, "maxOpenTickets", id="maxOpenTickets-boolean"),
    pytest.param({"name": "A", "available": "yes"}, "available", id="available-yes"),
    pytest.param({"name": "A", "openTickets": 0}, "openTickets", id="unknown-field-openTickets"),
    pytest.param({"name": "A", "phone": "+49"}, "phone", id="unknown-field-phone"),
    pytest.param({"email": "a@acme.com"}, "name", id="name-missing"),
    pytest.param({"name": "n" * 129}, "name", id="name-of-129-chars"),
    pytest.param({"name": "two\nlines"}, "name", id="name-with-newline"),
    pytest.param({"name": "A", "email": "not-an-email"}, "email", id="email-malformed"),
    pytest.param({"name": "A", "level": None}, "level", id="level-null"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_PUTS)
@pytest.mark.parametrize("agent_id", ["agent_n1", "agent_new"], ids=["existing", "new"])
def test_invalid_put_is_400_naming_the_field_and_writes_nothing(
    api: Api, agent_id: str, body: dict[str, Any], field: str
) -> None:
    # Given the team as stored
    before = team(api)
    # When an invalid PUT is sent, for an existing agent or a new one
    response = api.put_agent(agent_id, body)
    # Then it is 400 VALIDATION_ERROR naming the field, and no agent is created or changed
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert team(api) == before


INVALID_PATCHES = [
    pytest.param({}, "body", id="empty-body"),
    pytest.param({"name": None}, "name", id="name-null"),
    pytest.param({"level": None}, "level", id="level-null"),
    pytest.param({"available": None}, "available", id="available-null"),
    pytest.param({"maxOpenTickets": None}, "maxOpenTickets", id="maxOpenTickets-null"),
    pytest.param({"level": "N4"}, "level", id="level-N4"),
    pytest.param({"maxOpenTickets": -1}, "maxOpenTickets", id="maxOpenTickets-negative"),
    pytest.param({"maxOpenTickets": 1001}, "maxOpenTickets", id="maxOpenTickets-1001"),
    pytest.param({"available": "yes"}, "available", id="available-yes"),
    pytest.param({"openTickets": 0}, "openTickets", id="load-not-patchable"),
    pytest.param({"createdAt": "2026-01-01T00:00:00Z"}, "createdAt", id="createdAt-not-patchable"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_PATCHES)
def test_invalid_patch_is_400_naming_the_field_and_changes_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    # Given the seeded agent with some load
    assigned_ticket(api, "agent_n1")
    before = team(api)
    # When an invalid PATCH is sent
    response = api.patch_agent("agent_n1", body)
    # Then it is 400 VALIDATION_ERROR naming the field, and the agent is unchanged
    assert_error(response, 400, "VALIDATION_ERROR", field)
    assert team(api) == before


def test_a_patch_without_a_body_is_400(api: Api) -> None:
    before = team(api)
    assert_error(api.patch_agent("agent_n1"), 400, "VALIDATION_ERROR", "body")
    assert team(api) == before


@pytest.mark.parametrize(
    "agent_id",
    [
        pytest.param("a b", id="space"),
        pytest.param("a" * 129, id="129-chars"),
        pytest.param("agent/n1", id="slash"),
        pytest.param("agent#1", id="hash"),
    ],
)
@pytest.mark.parametrize(
    ("call", "body"),
    [("put_agent", {"name": "Bad Id"}), ("patch_agent", {"available": False})],
    ids=["put", "patch"],
)
def test_a_malformed_agent_id_in_the_path_is_400_and_writes_nothing(
    api: Api, agent_id: str, call: str, body: dict[str, Any]
) -> None:
    before = team(api)
    response = getattr(api, call)(agent_id, body)
    assert_error(response, 400, "VALIDATION_ERROR", "agentId")
    assert team(api) == before


# Roles and tenants -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [Api("acme", role="agent", agent_id="agent_n1"), Api("acme", role="integration")],
    ids=["agent", "integration"],
)
def test_agent_and_integration_keys_list_agents_but_may_not_change_them(api: Api, key: Api) -> None:
    # Given the team as an admin sees it
    before = team(api)
    # Then the key lists the same team
    assert team(key) == before
    # But may neither create, replace nor patch an agent
    assert_error(key.put_agent("agent_new", {"name": "Sneaky"}), 403, "FORBIDDEN")
    assert_error(key.put_agent("agent_n1", {"name": "Renamed"}), 403, "FORBIDDEN")
    assert_error(key.patch_agent("agent_n1", {"maxOpenTickets": 1000}), 403, "FORBIDDEN")
    assert team(api) == before


def test_another_tenant_neither_sees_nor_changes_this_tenants_agents(api: Api, seed: Seeder) -> None:
    # Given another tenant
    seed.tenant("globex", "GLX")
    globex = Api("globex")
    acme_before = team(api)
    # Then acme's agents do not exist for it
    assert globex.list_agents().data == []
    assert_error(globex.patch_agent("agent_n1", {"available": False}), 404, "AGENT_NOT_FOUND", "agentId")
    # And the same agent id in that tenant is another agent
    created = globex.put_agent("agent_n1", {"name": "Globex's N1", "level": "N3"})
    assert created.status == 201, created.json
    assert [agent["name"] for agent in globex.list_agents().data] == ["Globex's N1"]
    assert team(api) == acme_before


def test_a_whole_number_written_as_a_float_is_that_integer(api: Api) -> None:
    # Given a client whose JSON writes numbers as floats (a JSON Schema integer: 12.0 is 12)
    # When it puts an agent with maxOpenTickets 12.0
    response = api.put_agent("agent_float", {"name": "Float", "maxOpenTickets": 12.0})
    # Then the agent holds 12, an integer
    assert response.status == 201, response.json
    assert response.data["maxOpenTickets"] == 12
    assert isinstance(response.data["maxOpenTickets"], int)
