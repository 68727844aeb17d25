"""The stream function: automatic assignment to available N1 agents and email notifications.

Records come from moto's stream of the table written by the real API handlers, pass the event source's
filter of template.yaml, and reach the real lambda_handler in Lambda's event shape; emails are what
moto's SESv2 accepted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.streams import SENDER, Outbox, StreamPump, entity_of, new_value
from tickets import clients, keys
from tickets.ids import utc_now
from tickets.logic import listing
from tickets.logic.assignment import RULE
from tickets.models.domain import OPERATOR, Agent
from tickets.models.enums import AgentLevel
from tickets.settings import get_settings
from tickets.store.agents import AgentStore
from tickets.store.lists import ListStore
from tickets.store.repository import TicketRepository
from tickets.store.table import typed_key

AGENT_EMAIL = "agent_n1@acme.com"
CUSTOMER_EMAIL = "john@acme.com"
TICKET: dict[str, Any] = {
    "customerExternalId": "user_42",
    "subject": "Payment failed for order #12345",
    "description": "Payment attempt failed with CARD_DECLINED. Customer has been notified by email.",
    "priority": "HIGH",
}
AGENT_REPLY: dict[str, Any] = {
    "message": "Your order has been resent. Please check your email.",
    "from": {"role": "AGENT", "id": "agent_n1", "name": "Agent N1"},
}
CUSTOMER_REPLY: dict[str, Any] = {
    "message": "I still haven't received it.",
    "from": {"role": "CUSTOMER", "name": "John Doe"},
}
INTERNAL_NOTE: dict[str, Any] = {
    "message": "Carrier confirms the parcel is lost; refund approved.",
    "internal": True,
    "from": {"role": "AGENT", "id": "agent_n1", "name": "Agent N1"},
}
# The tenant with its own sender address
pytestmark = pytest.mark.tenant(sender_email=SENDER)


# Fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def pump(table: str, seed: Seeder, outbox: Outbox) -> StreamPump:
    """The stream from the start, the seed's records already processed."""
    stream = StreamPump(table)
    assert stream.run_until_quiet() == []
    return stream


# Helpers -----------------------------------------------------------------------------------------


def create(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.create(TICKET | fields)
    assert response.status == 201, response.json
    return response.data  # type: ignore[no-any-return]


def ticket(api: Api, ticket_id: str) -> dict[str, Any]:
    response = api.get(ticket_id)
    assert response.status == 200, response.json
    return response.data  # type: ignore[no-any-return]


def hire(agents: AgentStore, agent_id: str, **fields: Any) -> Agent:
    agent = Agent(
        tenant_id="acme",
        id=agent_id,
        name=agent_id.replace("_", " ").title(),
        email=f"{agent_id}@acme.com",
        created_at=utc_now(),
        **fields,
    )
    agents.put_agent(agent)
    return agent


def change_agent(agents: AgentStore, agent_id: str, changes: dict[str, Any]) -> None:
    """An operator changes the agent's profile (as the admin CLI or an admin key would)."""
    agents.change_agent("acme", agent_id, changes, by=OPERATOR, at=utc_now())


def load(agents: AgentStore, agent_id: str) -> int:
    agent = agents.get_agent("acme", agent_id)
    assert agent is not None
    return agent.open_tickets


def assign_by_hand(api: Api, agent_id: str) -> str:
    """A ticket an admin assigned to `agent_id` before the stream saw it (one more in its load)."""
    ticket_id = str(create(api)["id"])
    response = api.update(ticket_id, {"assignedAgentId": agent_id})
    assert response.status == 200, response.json
    return ticket_id


def unassigned(api: Api) -> list[str]:
    """The unassigned queue, oldest first (the order it is served in)."""
    response = api.list(unassigned="true", sort="createdAt")
    assert response.status == 200, response.json
    return [entry["id"] for entry in response.data]


def queue_entries() -> list[str]:
    """The tickets the queue's list entries name, oldest first, as automatic assignment reads them."""
    read = ListStore(clients.dynamodb(), get_settings().table_name).read_list_entries(
        "acme", listing.UNASSIGNED_QUEUE, ascending=True, start=None, limit=100
    )
    return [entry.ticket_id for entry in read.entries]


@contextmanager
def ses_refusing_call(number: int) -> Iterator[list[dict[str, Any]]]:
    """SES refuses the `number`-th SendEmail (1-based) of the stream function's client and accepts the
    others; yields every request tried, in order."""
    ses = clients.sesv2()
    send = ses.send_email
    tried: list[dict[str, Any]] = []

    def flaky(**request: Any) -> Any:
        tried.append(request)
        if len(tried) == number:
            error = {
                "Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded"}
            }
            raise ClientError(error, "SendEmail")  # type: ignore[arg-type]
        return send(**request)

    with mock.patch.object(ses, "send_email", side_effect=flaky):
        yield tried


# Assignment --------------------------------------------------------------------------------------


def test_a_new_ticket_is_assigned_to_the_available_agent_who_gets_an_email(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given the available N1 agent agent_n1 with no tickets
    # When a ticket is created and the stream delivers its records
    created = create(api)
    assert created["status"] == "OPEN"
    assert pump.run_until_quiet() == []

    # Then the ticket is in progress with agent_n1, and says why
    stored = ticket(api, created["id"])
    assert stored["status"] == "IN_PROGRESS"
    assert stored["assignedAgent"] == {"id": "agent_n1", "name": "Agent N1", "email": AGENT_EMAIL}
    assignment = stored["assignment"]
    assert assignment["rule"] == RULE
    assert assignment["agentId"] == "agent_n1"
    assert assignment["candidates"] == [
        {"agentId": "agent_n1", "openTickets": 0, "maxOpenTickets": 10, "lastAssignedAt": None}
    ]
    assert assignment["assignedAt"] >= created["createdAt"]
    # And it counts in the agent's load, and is no longer waiting in the unassigned queue
    assert load(agents, "agent_n1") == 1
    assert unassigned(api) == []
    # And the agent got exactly one email, from the tenant's sender, about this ticket
    [email] = outbox.emails
    assert email.to == (AGENT_EMAIL,)
    assert email.sender == SENDER
    assert created["ticketNumber"] in email.subject
    assert TICKET["subject"] in email.subject
    assert email.text is not None
    for shown in ("HIGH", "John Doe <john@acme.com>", TICKET["description"], created["id"]):
        assert shown in email.text
        assert shown.replace("<", "&lt;").replace(">", "&gt;") in email.html


def test_the_lowest_load_wins_and_only_available_n1_agents_with_room_are_candidates(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given agent_n1 with two tickets, agent_light with one, and three agents who must never be chosen:
    # an idle N2, an idle N1 who is unavailable, and an N1 at its maximum
    hire(agents, "agent_light")
    hire(agents, "agent_second_level", level=AgentLevel.N2)
    hire(agents, "agent_away", available=False)
    hire(agents, "agent_full", max_open_tickets=1)
    for agent_id in ("agent_n1", "agent_n1", "agent_light", "agent_full"):
        assign_by_hand(api, agent_id)
    assert pump.run_until_quiet() == []
    sent_before = len(outbox)

    # When a new ticket arrives
    created = create(api)
    assert pump.run_until_quiet() == []

    # Then the available N1 agent with the lowest load gets it
    stored = ticket(api, created["id"])
    assert stored["assignedAgent"]["id"] == "agent_light"
    # And the candidates weighed are exactly the eligible agents, lightest first, with their loads
    candidates = stored["assignment"]["candidates"]
    assert [(c["agentId"], c["openTickets"], c["maxOpenTickets"]) for c in candidates] == [
        ("agent_light", 1, 10),
        ("agent_n1", 2, 10),
    ]
    assert all(candidate["lastAssignedAt"] is not None for candidate in candidates)
    assert (load(agents, "agent_light"), load(agents, "agent_n1")) == (2, 2)
    assert [load(agents, a) for a in ("agent_second_level", "agent_away", "agent_full")] == [0, 0, 1]
    # And only agent_light was told
    assert [email.to for email in outbox.emails[sent_before:]] == [("agent_light@acme.com",)]


def test_an_assignment_record_kept_inside_an_older_ticket_item_survives_its_later_writes(
    api: Api, pump: StreamPump
) -> None:
    # Given an assigned ticket whose item holds its assignment record, as tickets written before
    # 2026-12 do (the record had no item of its own)
    created = create(api)
    assert pump.run_until_quiet() == []
    assignment = ticket(api, created["id"])["assignment"]
    dynamodb, table = clients.dynamodb(), get_settings().table_name
    ticket_key = typed_key(keys.ticket_key("acme", created["id"]))
    record_key = typed_key(keys.assignment_key("acme", created["id"]))
    older = dynamodb.get_item(TableName=table, Key=ticket_key)["Item"]
    older["assignment"] = dynamodb.get_item(TableName=table, Key=record_key)["Item"]["assignment"]
    dynamodb.put_item(TableName=table, Item=older)
    dynamodb.delete_item(TableName=table, Key=record_key)
    assert ticket(api, created["id"])["assignment"] == assignment

    # When it is answered, then changed
    assert api.reply(created["id"], {"message": "Looking into it", "from": {"role": "AGENT"}}).status == 201
    assert api.update(created["id"], {"priority": "URGENT"}).status == 200

    # Then it still says why it went to its agent, and the record has moved to an item of its own
    assert ticket(api, created["id"])["assignment"] == assignment
    assert "assignment" not in dynamodb.get_item(TableName=table, Key=ticket_key)["Item"]
    assert "Item" in dynamodb.get_item(TableName=table, Key=record_key)


def test_a_tie_on_load_goes_to_the_agent_assigned_least_recently(
    api: Api, pump: StreamPump, agents: AgentStore
) -> None:
    # Given agent_n1 and agent_b with one ticket each, agent_n1's assigned first (agent_b would win on
    # id order alone)
    hire(agents, "agent_b")
    assign_by_hand(api, "agent_n1")
    assign_by_hand(api, "agent_b")
    assert pump.run_until_quiet() == []

    # When a new ticket arrives
    first = create(api)
    assert pump.run_until_quiet() == []

    # Then the agent who waited longer since an assignment gets it
    stored = ticket(api, first["id"])
    assert stored["assignedAgent"]["id"] == "agent_n1"
    assert [c["agentId"] for c in stored["assignment"]["candidates"]] == ["agent_n1", "agent_b"]

    # And the next ticket goes to agent_b, now the lighter one
    second = create(api)
    assert pump.run_until_quiet() == []
    assert ticket(api, second["id"])["assignedAgent"]["id"] == "agent_b"
    assert (load(agents, "agent_n1"), load(agents, "agent_b")) == (2, 2)


def test_with_nobody_available_the_ticket_waits_open_and_nobody_is_emailed(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given the tenant's only N1 agent is unavailable, and an idle N2 agent
    change_agent(agents, "agent_n1", {"available": False})
    hire(agents, "agent_second_level", level=AgentLevel.N2)

    # When a ticket arrives
    created = create(api)
    assert pump.run_until_quiet() == []

    # Then it stays open and unassigned, in the unassigned queue
    stored = ticket(api, created["id"])
    assert stored["status"] == "OPEN"
    assert stored["assignedAgent"] is None
    assert stored["assignment"] is None
    assert unassigned(api) == [created["id"]]
    assert load(agents, "agent_n1") == 0
    # And no email was sent
    assert outbox.emails == []


def test_an_agent_who_becomes_available_takes_the_oldest_waiting_tickets_up_to_capacity(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given agent_n1 unavailable with room for 2, and 3 tickets waiting
    change_agent(agents, "agent_n1", {"available": False, "maxOpenTickets": 2})
    waiting = [create(api, subject=f"Waiting {n}") for n in (1, 2, 3)]
    assert pump.run_until_quiet() == []
    assert unassigned(api) == [t["id"] for t in waiting]
    assert outbox.emails == []

    # When the agent becomes available
    change_agent(agents, "agent_n1", {"available": True})
    assert pump.run_until_quiet() == []

    # Then the two oldest are assigned to it, the newest still waits
    statuses = [(ticket(api, t["id"])["status"], ticket(api, t["id"])["assignedAgent"]) for t in waiting]
    assert [status for status, _ in statuses] == ["IN_PROGRESS", "IN_PROGRESS", "OPEN"]
    assert [agent and agent["id"] for _, agent in statuses] == ["agent_n1", "agent_n1", None]
    assert unassigned(api) == [waiting[2]["id"]]
    assert load(agents, "agent_n1") == 2
    # And the agent got one email per ticket taken
    subjects = [email.subject for email in outbox.to(AGENT_EMAIL)]
    assert len(outbox) == len(subjects) == 2
    for taken, subject in zip(waiting[:2], subjects, strict=True):
        assert taken["ticketNumber"] in subject
        assert taken["subject"] in subject

    # When the agent is given room for one more
    change_agent(agents, "agent_n1", {"maxOpenTickets": 3})
    assert pump.run_until_quiet() == []

    # Then the last waiting ticket is taken too
    assert ticket(api, waiting[2]["id"])["assignedAgent"]["id"] == "agent_n1"
    assert unassigned(api) == []
    assert load(agents, "agent_n1") == 3
    assert len(outbox.to(AGENT_EMAIL)) == 3


def test_an_agent_who_becomes_available_takes_a_long_queue_up_to_its_whole_capacity(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given agent_n1 unavailable with room for 12, and 11 tickets waiting (more than one read of the
    # queue returns)
    change_agent(agents, "agent_n1", {"available": False, "maxOpenTickets": 12})
    waiting = [create(api, subject=f"Waiting {n}") for n in range(1, 12)]
    assert pump.run_until_quiet() == []
    assert len(unassigned(api)) == 11

    # When the agent becomes available
    change_agent(agents, "agent_n1", {"available": True})
    assert pump.run_until_quiet() == []

    # Then it takes every waiting ticket, as it has room for all of them
    assert unassigned(api) == []
    assert [ticket(api, t["id"])["status"] for t in waiting] == ["IN_PROGRESS"] * 11
    assert load(agents, "agent_n1") == 11
    assert len(outbox.to(AGENT_EMAIL)) == 11


@pytest.mark.parametrize(
    "parked",
    [
        pytest.param({"status": "ON_HOLD"}, id="on hold"),
        pytest.param({"status": "WAITING_ON_CUSTOMER"}, id="waiting on its customer"),
    ],
)
def test_an_unassigned_ticket_parked_ahead_in_the_queue_never_holds_up_the_tickets_behind_it(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore, parked: dict[str, str]
) -> None:
    # Given nobody available, an unassigned ticket put on hold (or awaiting its customer), then three more
    change_agent(agents, "agent_n1", {"available": False})
    first = create(api, subject="Parked")
    assert api.update(first["id"], parked).status == 200
    behind = [create(api, subject=f"Behind {n}") for n in (1, 2, 3)]
    assert pump.run_until_quiet() == []
    assert unassigned(api) == [t["id"] for t in behind]

    # When an available N1 agent with room joins
    hire(agents, "agent_n3", max_open_tickets=5)
    assert pump.run_until_quiet() == []

    # Then the three open ones are assigned to it, and the parked one is left as it was
    assert [ticket(api, t["id"])["assignedAgent"]["id"] for t in behind] == ["agent_n3"] * 3
    assert ticket(api, first["id"])["status"] == parked["status"]
    assert ticket(api, first["id"])["assignedAgent"] is None
    assert unassigned(api) == []
    assert load(agents, "agent_n3") == 3


def test_an_open_ticket_with_an_agent_in_the_queue_is_passed_over_not_a_reason_to_stop(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore, repository: TicketRepository
) -> None:
    # Given nobody available, an OPEN ticket that has an agent (as an older version of the API could
    # leave one: the queue is the OPEN list now), and three open tickets behind it
    change_agent(agents, "agent_n1", {"available": False})
    held = create(api, subject="Open with an agent")
    before = repository.get_ticket("acme", held["id"])
    assert before is not None
    agent = hire(agents, "agent_n2", available=False)
    legacy = before.model_copy(update={"assigned_agent": agent.ref(), "version": before.version + 1})
    listing.save_change(repository, before, legacy)
    behind = [create(api, subject=f"Behind {n}") for n in (1, 2, 3)]
    assert pump.run_until_quiet() == []
    # (the queue's page checks each ticket it shows, so it never shows this one)
    assert queue_entries() == [held["id"]] + [t["id"] for t in behind]
    assert held["id"] not in unassigned(api)

    # When agent_n1 becomes available
    change_agent(agents, "agent_n1", {"available": True})
    assert pump.run_until_quiet() == []

    # Then the ticket with an agent is passed over and stays as it was, and the three behind it are
    # assigned
    assert ticket(api, held["id"])["assignedAgent"]["id"] == "agent_n2"
    assert [ticket(api, t["id"])["assignedAgent"]["id"] for t in behind] == ["agent_n1"] * 3
    assert load(agents, "agent_n1") == 3
    # And it is still listed as OPEN: its entry is the status list's, not one to drop
    assert queue_entries() == [held["id"]]
    listed = api.list(status="OPEN")
    assert [entry["id"] for entry in listed.data] == [held["id"]]


def test_a_ticket_back_in_the_queue_is_assigned_when_an_agent_has_room(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given nobody available: a ticket waits in the queue, an agent answers it without taking it
    # (WAITING_ON_CUSTOMER, unassigned, out of the queue), then agent_n1 becomes available
    change_agent(agents, "agent_n1", {"available": False})
    created = create(api)
    assert pump.run_until_quiet() == []
    assert (
        api.reply(created["id"], {"message": "Which order is it?", "from": {"role": "AGENT"}}).status == 201
    )
    change_agent(agents, "agent_n1", {"available": True})
    assert pump.run_until_quiet() == []
    assert ticket(api, created["id"])["assignedAgent"] is None

    # When the customer answers (the ticket is OPEN again: back in the queue)
    assert api.reply(created["id"], CUSTOMER_REPLY).status == 201
    assert pump.run_until_quiet() == []

    # Then the stream assigns it to the agent who has room, who is told
    after = ticket(api, created["id"])
    assert (after["status"], after["assignedAgent"]["id"]) == ("IN_PROGRESS", "agent_n1")
    assert unassigned(api) == []
    assert any(created["ticketNumber"] in email.subject for email in outbox.to(AGENT_EMAIL))


def test_an_available_agent_never_takes_another_tenants_waiting_tickets(
    api: Api, pump: StreamPump, seed: Seeder, agents: AgentStore
) -> None:
    # Given a ticket of tenant globex waiting (globex has no agents), and acme's agent unavailable
    seed.tenant("globex", "GLX", "Globex")
    seed.customer("globex")
    change_agent(agents, "agent_n1", {"available": False})
    theirs = create(Api("globex"))
    assert pump.run_until_quiet() == []

    # When acme's agent becomes available
    change_agent(agents, "agent_n1", {"available": True})
    assert pump.run_until_quiet() == []

    # Then globex's ticket still waits, and acme's agent has nothing
    assert ticket(Api("globex"), theirs["id"])["status"] == "OPEN"
    assert load(agents, "agent_n1") == 0


def test_closing_a_ticket_frees_its_agent_emails_the_customer_and_hands_over_the_oldest_waiting(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given agent_n1 with room for one ticket, holding INV-1, while two more wait
    change_agent(agents, "agent_n1", {"maxOpenTickets": 1})
    held = create(api, subject="Held")
    assert pump.run_until_quiet() == []
    waiting = [create(api, subject=f"Waiting {n}") for n in (1, 2)]
    assert pump.run_until_quiet() == []
    assert ticket(api, held["id"])["assignedAgent"]["id"] == "agent_n1"
    assert unassigned(api) == [t["id"] for t in waiting]
    sent_before = len(outbox)

    # When the held ticket is closed
    closed = api.update(held["id"], {"status": "CLOSED"})
    assert closed.status == 200, closed.json
    # Then its agent's load goes down at once
    assert load(agents, "agent_n1") == 0

    # When the stream delivers the change
    assert pump.run_until_quiet() == []

    # Then the customer is told the ticket is closed
    new_emails = outbox.emails[sent_before:]
    [closing] = [email for email in new_emails if email.to == (CUSTOMER_EMAIL,)]
    assert held["ticketNumber"] in closing.subject
    assert "Held" in closing.subject
    # And the oldest waiting ticket goes to the freed agent, who is told; the other one still waits
    assert ticket(api, waiting[0]["id"])["assignedAgent"]["id"] == "agent_n1"
    assert ticket(api, waiting[1]["id"])["status"] == "OPEN"
    assert unassigned(api) == [waiting[1]["id"]]
    assert load(agents, "agent_n1") == 1
    [handover] = [email for email in new_emails if email.to == (AGENT_EMAIL,)]
    assert waiting[0]["ticketNumber"] in handover.subject
    assert len(new_emails) == 2


# Replies -----------------------------------------------------------------------------------------


@pytest.fixture
def assigned(api: Api, pump: StreamPump, outbox: Outbox) -> dict[str, Any]:
    """A ticket the stream assigned to agent_n1 (its assignment email sent)."""
    created = create(api)
    assert pump.run_until_quiet() == []
    assert ticket(api, created["id"])["assignedAgent"]["id"] == "agent_n1"
    assert len(outbox) == 1
    return created


def test_a_public_agent_reply_emails_the_customer(
    api: Api, pump: StreamPump, outbox: Outbox, assigned: dict[str, Any]
) -> None:
    # When the agent replies publicly
    assert api.reply(assigned["id"], AGENT_REPLY).status == 201
    assert pump.run_until_quiet() == []

    # Then the customer gets the reply, and nobody else gets anything
    [email] = outbox.emails[1:]
    assert email.to == (CUSTOMER_EMAIL,)
    assert email.sender == SENDER
    assert assigned["ticketNumber"] in email.subject
    assert TICKET["subject"] in email.subject
    assert email.text is not None
    assert AGENT_REPLY["message"] in email.text
    assert "Agent N1" in email.text
    assert AGENT_REPLY["message"] in email.html


def test_an_agent_keys_reply_reaches_the_customer_under_the_agents_recorded_name(
    api: Api, pump: StreamPump, outbox: Outbox, assigned: dict[str, Any]
) -> None:
    # When agent_n1's key replies claiming another name
    agent = Api("acme", role="agent", agent_id="agent_n1")
    body = {"message": "Refund issued.", "from": {"role": "AGENT", "name": "Someone"}}
    assert agent.reply(assigned["id"], body).status == 201
    assert pump.run_until_quiet() == []

    # Then the customer's email names the agent as its record has it, never the claimed name
    [email] = outbox.emails[1:]
    assert email.to == (CUSTOMER_EMAIL,)
    assert email.text is not None
    assert "Agent N1 replied" in email.text
    assert "Someone" not in email.text
    assert "Someone" not in email.html


def test_a_customer_reply_emails_the_assigned_agent(
    api: Api, pump: StreamPump, outbox: Outbox, assigned: dict[str, Any]
) -> None:
    # When the customer replies
    assert api.reply(assigned["id"], CUSTOMER_REPLY).status == 201
    assert pump.run_until_quiet() == []

    # Then the assigned agent gets the reply
    [email] = outbox.emails[1:]
    assert email.to == (AGENT_EMAIL,)
    assert assigned["ticketNumber"] in email.subject
    assert email.text is not None
    assert CUSTOMER_REPLY["message"] in email.text
    assert "John Doe" in email.text


def test_an_internal_note_emails_nobody(
    api: Api, pump: StreamPump, outbox: Outbox, assigned: dict[str, Any]
) -> None:
    # When the agent adds an internal note
    assert api.reply(assigned["id"], INTERNAL_NOTE).status == 201
    assert pump.run_until_quiet() == []

    # Then no email goes out, and the note is in none sent so far
    assert len(outbox) == 1
    for email in outbox.emails:
        assert INTERNAL_NOTE["message"] not in email.html
        assert INTERNAL_NOTE["message"] not in (email.text or "")


# Email safety ------------------------------------------------------------------------------------


def test_user_content_is_escaped_in_html_and_the_subject_stays_on_one_line(
    api: Api, pump: StreamPump, outbox: Outbox, seed: Seeder
) -> None:
    # Given a customer whose name is markup, and a ticket whose subject carries a script and Unicode
    # line breaks the API accepts (LINE SEPARATOR, PARAGRAPH SEPARATOR, NEXT LINE)
    seed.customer(external_id="user_eve", name="Eve <img src=x onerror=alert(1)>", email="eve@acme.com")
    subject = "<script>alert('x')</script> refund\u2028Bcc: victim@example.com\u2029X-Spam: 1\x85end"
    description = "<b>urgent</b> & <a href='https://evil.example'>click</a>"

    # When it is created and assigned through the stream
    created = create(api, customerExternalId="user_eve", subject=subject, description=description)
    assert pump.run_until_quiet() == []

    # Then the HTML part shows the user's content as text, never as markup
    [email] = outbox.emails
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in email.html
    assert "<script" not in email.html
    assert "&lt;b&gt;urgent&lt;/b&gt; &amp; &lt;a href=&#x27;https://evil.example&#x27;&gt;" in email.html
    assert "<b>" not in email.html and "<a " not in email.html
    assert "Eve &lt;img src=x onerror=alert(1)&gt;" in email.html
    assert "<img" not in email.html
    # And the subject is one line, keeping every word of the ticket's subject
    assert len(email.subject.splitlines()) == 1
    assert not any(mark in email.subject for mark in "\r\n\u2028\u2029\x85\x0b\x0c")
    assert email.subject.startswith(f"[{created['ticketNumber']}] ")
    for word in ("<script>alert('x')</script> refund", "Bcc: victim@example.com", "X-Spam: 1", "end"):
        assert word in email.subject
    # And the plain-text part keeps the content as written
    assert email.text is not None
    assert description in email.text


# At-least-once delivery --------------------------------------------------------------------------


def test_a_redelivered_batch_assigns_moves_the_load_and_emails_only_once(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given a new ticket's records
    created = create(api)
    first = pump.pending()
    assert [(r["eventName"], entity_of(r)) for r in first] == [("INSERT", "TICKET")]

    # When the batch is delivered twice
    assert pump.deliver(first) == []
    assert pump.deliver(first) == []

    # Then the ticket was assigned once (one new version) and the load moved once
    assert ticket(api, created["id"])["version"] == created["version"] + 1
    assert load(agents, "agent_n1") == 1

    # When the assignment's records are delivered twice
    second = pump.pending()
    assert ("MODIFY", "TICKET") in [(r["eventName"], entity_of(r)) for r in second]
    assert pump.deliver(second) == []
    assert pump.deliver(second) == []

    # Then the agent got one email
    assert len(outbox.to(AGENT_EMAIL)) == 1

    # When the customer replies and the ticket is closed, and then the whole stream so far is
    # delivered again (a replay from the start)
    api.reply(created["id"], CUSTOMER_REPLY)
    api.update(created["id"], {"status": "CLOSED"})
    assert pump.run_until_quiet() == []
    sent = [(email.to, email.subject) for email in outbox.emails]
    version = ticket(api, created["id"])["version"]
    assert pump.deliver(list(pump.delivered.values())) == []
    assert pump.run_until_quiet() == []

    # Then nothing happens twice: the same emails, one of each, the same ticket, the same load
    assert [(email.to, email.subject) for email in outbox.emails] == sent
    assert [to for to, _ in sent] == [(AGENT_EMAIL,), (AGENT_EMAIL,), (CUSTOMER_EMAIL,)]
    stored = ticket(api, created["id"])
    assert (stored["status"], stored["version"]) == ("CLOSED", version)
    assert load(agents, "agent_n1") == 0


def test_an_ses_failure_fails_only_its_record_and_the_retry_sends_the_missing_email(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given ten new tickets, assigned in one batch
    created = [create(api, subject=f"Order {n} missing") for n in range(1, 11)]
    inserts = pump.pending()
    assert len(inserts) == 10
    assert pump.deliver(inserts) == []
    assignments = pump.pending()
    assert len(assignments) <= pump.batch_size  # one batch of the stream function
    assert [new_value(r, "id") for r in assignments if entity_of(r) == "TICKET"] == [t["id"] for t in created]

    # When SES refuses the third email of that batch
    with ses_refusing_call(3) as tried:
        failures = pump.deliver(assignments)

    # Then the response names exactly the record of the ticket whose email failed
    refused = tried[2]["Content"]["Simple"]["Subject"]["Data"]
    assert created[2]["ticketNumber"] in refused
    [failed] = pump.failed_records(failures)
    assert (failed["eventName"], entity_of(failed), new_value(failed, "id")) == (
        "MODIFY",
        "TICKET",
        created[2]["id"],
    )
    # And the other nine agents' emails went out
    assert len(outbox.to(AGENT_EMAIL)) == 9

    # When the failed record is delivered again
    assert pump.deliver([failed]) == []

    # Then the missing email is sent
    subjects = [email.subject for email in outbox.to(AGENT_EMAIL)]
    assert len(subjects) == 10
    assert sum(created[2]["ticketNumber"] + "]" in subject for subject in subjects) == 1

    # When Lambda retries as it does, from the failed record to the end of the batch, and the
    # stream runs dry
    position = assignments.index(failed)
    assert pump.deliver(assignments[position:]) == []
    assert pump.run_until_quiet() == []

    # Then every ticket's email went out exactly once, and no ticket was assigned twice
    subjects = [email.subject for email in outbox.emails]
    for each in created:
        assert sum(subject.startswith(f"[{each['ticketNumber']}]") for subject in subjects) == 1
    assert len(subjects) == 10
    for each in created:
        stored = ticket(api, each["id"])
        assert (stored["assignedAgent"]["id"], stored["version"]) == ("agent_n1", each["version"] + 1)
    assert load(agents, "agent_n1") == 10


# Deletion ----------------------------------------------------------------------------------------


def test_a_ticket_deleted_before_the_stream_sees_it_is_never_assigned_and_nobody_is_emailed(
    api: Api, pump: StreamPump, outbox: Outbox, agents: AgentStore
) -> None:
    # Given a ticket created while agent_n1 is available, then deleted before the stream ran
    created = create(api)
    assert api.delete(created["id"]).status == 204

    # When the stream delivers the creation and the deletion
    assert pump.run_until_quiet() == []

    # Then no agent took it and no email went out
    assert load(agents, "agent_n1") == 0
    assert outbox.emails == []


def test_a_ticket_closed_then_deleted_before_the_stream_sees_the_close_emails_nobody(
    api: Api, pump: StreamPump, outbox: Outbox, assigned: dict[str, Any]
) -> None:
    # Given an assigned ticket (its assignment email sent), closed and then deleted at once
    assert api.update(assigned["id"], {"status": "CLOSED"}).status == 200
    assert api.delete(assigned["id"]).status == 204

    # When the stream delivers the close
    assert pump.run_until_quiet() == []

    # Then the customer is not told about a ticket that is gone
    assert len(outbox) == 1
