"""What each key role may do through the ticket routes (the authorizer's context decides)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.events import api_event
from tests.support.handlers import Api, invoke

TICKET = {"customerExternalId": "user_42", "subject": "Order #12345 never arrived"}


@pytest.fixture
def ticket_id(api: Api) -> str:
    return str(api.create(TICKET).data["id"])


def test_an_integration_key_creates_reads_and_posts_customer_messages(api: Api, ticket_id: str) -> None:
    integration = Api("acme", role="integration")
    assert integration.create(TICKET).status == 201
    assert integration.get(ticket_id).status == 200
    assert integration.list().status == 200
    reply = integration.reply(ticket_id, {"message": "Any news?", "from": {"role": "CUSTOMER"}})
    assert reply.status == 201
    assert reply.data["message"]["from"]["role"] == "CUSTOMER"


@pytest.mark.parametrize(
    ("call", "body"),
    [
        ("update", {"status": "CLOSED"}),
        ("reply", {"message": "Agent words", "from": {"role": "AGENT"}}),
        ("reply", {"message": "A note", "internal": True}),
    ],
    ids=["update", "agent-reply", "internal-note"],
)
def test_an_integration_key_may_not_act_as_an_agent(
    api: Api, ticket_id: str, call: str, body: dict[str, Any]
) -> None:
    before = api.get(ticket_id).data
    response = getattr(Api("acme", role="integration"), call)(ticket_id, body)
    assert response.status == 403
    assert response.error["code"] == "FORBIDDEN"
    assert api.get(ticket_id).data == before


def test_an_agent_key_replies_as_its_own_agent_under_its_recorded_name_whatever_the_body_says(
    api: Api, ticket_id: str
) -> None:
    # Given agent_n1's key (the agent's record names it "Agent N1")
    agent = Api("acme", role="agent", agent_id="agent_n1")
    # When it replies claiming another id and another name
    reply = agent.reply(
        ticket_id, {"message": "On it.", "from": {"role": "AGENT", "id": "someone_else", "name": "Someone"}}
    )
    # Then the message is agent_n1's, under the name its record has, as stored and as read back
    assert reply.status == 201
    assert reply.data["message"]["from"] == {"role": "AGENT", "id": "agent_n1", "name": "Agent N1"}
    assert api.get(ticket_id).data["messages"][-1]["from"] == {
        "role": "AGENT",
        "id": "agent_n1",
        "name": "Agent N1",
    }
    assert agent.update(ticket_id, {"priority": "URGENT"}).data["priority"] == "URGENT"


def test_an_admin_reply_as_a_known_agent_carries_that_agents_recorded_name(api: Api, ticket_id: str) -> None:
    # Given an admin key
    # When it replies as agent_n1 under another name
    reply = api.reply(
        ticket_id, {"message": "On it.", "from": {"role": "AGENT", "id": "agent_n1", "name": "Someone"}}
    )
    # Then the message carries agent_n1's recorded name
    assert reply.status == 201
    assert reply.data["message"]["from"] == {"role": "AGENT", "id": "agent_n1", "name": "Agent N1"}


def test_a_reply_as_an_unknown_agent_is_404_and_writes_nothing(api: Api, ticket_id: str) -> None:
    # Given an admin key
    # When it replies as an agent id that matches no agent
    reply = api.reply(ticket_id, {"message": "On it.", "from": {"role": "AGENT", "id": "ghost"}})
    # Then it is a 404 AGENT_NOT_FOUND naming from.id, and the ticket has no message
    assert reply.status == 404
    assert reply.error["code"] == "AGENT_NOT_FOUND"
    assert reply.error_fields() == {"from.id"}
    assert api.get(ticket_id).data["messageCount"] == 0


def test_the_key_of_an_agent_that_does_not_exist_may_not_reply(api: Api, ticket_id: str) -> None:
    # Given an agent key bound to an agent that has no record
    ghost = Api("acme", role="agent", agent_id="ghost")
    # When it replies
    reply = ghost.reply(ticket_id, {"message": "On it."})
    # Then it is a 403 FORBIDDEN, and the ticket has no message
    assert reply.status == 403
    assert reply.error["code"] == "FORBIDDEN"
    assert api.get(ticket_id).data["messageCount"] == 0


@pytest.mark.parametrize(
    ("call", "body"),
    [("create", TICKET), ("reply", {"message": "As the customer", "from": {"role": "CUSTOMER"}})],
    ids=["create", "customer-reply"],
)
def test_an_agent_key_may_not_create_tickets_or_speak_for_customers(
    api: Api, ticket_id: str, call: str, body: dict[str, Any]
) -> None:
    agent = Api("acme", role="agent", agent_id="agent_n1")
    response = agent.create(body) if call == "create" else agent.reply(ticket_id, body)
    assert response.status == 403
    assert response.error["code"] == "FORBIDDEN"
    assert api.list().json["stats"]["total"] == 1


@pytest.mark.parametrize("role", ["", "superuser", "ADMIN"])
def test_a_request_context_without_a_known_role_is_unauthorized(api: Api, role: str) -> None:
    response = invoke("list_tickets", api_event("list_tickets", role=role))
    assert response.status == 401
    assert response.error["code"] == "UNAUTHORIZED"
