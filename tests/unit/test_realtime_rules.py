"""What each WebSocket connection receives (its key's role, its topics), without any AWS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support import factories
from tests.support.factories import T0
from tickets.logic import events, push, workflow
from tickets.models.domain import (
    Actor,
    AgentRef,
    EventEnvelope,
    Message,
    MessageAuthor,
    Ticket,
    TicketChanges,
)
from tickets.models.enums import ActorRole, Role
from tickets.models.realtime import Connection

ADMIN = Actor(role=ActorRole.ADMIN, id="key_admin")
N1 = AgentRef(id="agent_n1", name="Agent N1")
N2 = AgentRef(id="agent_n2", name="Agent N2")


def connection(role: Role = Role.ADMIN, agent_id: str | None = None, **fields: object) -> Connection:
    values = {"id": "c1", "tenant_id": "acme", "role": role, "key_id": "key", "connected_at": T0} | fields
    return Connection.model_validate(values | {"agent_id": agent_id})


def agent(agent_id: str, **fields: object) -> Connection:
    return connection(Role.AGENT, agent_id, **fields)


def told(before: Ticket | None, after: Ticket) -> list[EventEnvelope]:
    return [events.envelope(event, after.summary()) for event in events.ticket_events(before, after)]


def moved(ticket: Ticket, to: AgentRef | None) -> Ticket:
    changes = TicketChanges.model_validate({"assigned_agent": to})
    after = workflow.apply_update(ticket, changes, T0 + timedelta(minutes=1))
    return after.model_copy(update={"changed_by": ADMIN})


def test_admin_and_integration_keys_receive_every_event_of_their_tenant_only() -> None:
    (created,) = told(None, factories.a_ticket(changed_by=ADMIN))
    for role in (Role.ADMIN, Role.INTEGRATION):
        assert push.receives(connection(role), created)
        assert not push.receives(connection(role, tenant_id="globex"), created)


def test_an_agent_receives_the_queues_tickets_and_its_own_and_no_one_elses() -> None:
    queued = factories.a_ticket(changed_by=ADMIN)
    (created,) = told(None, queued)
    mine = moved(queued, N1)
    theirs = moved(queued, N2)
    later_mine = told(mine, mine.model_copy(update={"subject": "Refund", "version": mine.version + 1}))
    later_theirs = told(
        theirs, theirs.model_copy(update={"subject": "Refund", "version": theirs.version + 1})
    )

    assert push.receives(agent("agent_n1"), created)  # the queue's
    assert all(push.receives(agent("agent_n1"), envelope) for envelope in later_mine)
    assert not any(push.receives(agent("agent_n1"), envelope) for envelope in later_theirs)


def test_an_agent_hears_of_a_ticket_taken_from_it_and_the_queue_of_one_that_left_it() -> None:
    queued = factories.a_ticket(changed_by=ADMIN)
    mine = moved(queued, N1)
    to_n1 = told(queued, mine)
    n1_to_n2 = told(mine, moved(mine, N2))
    assigned = [envelope for envelope in to_n1 if envelope.type == "ticket.assigned"]
    reassigned = [envelope for envelope in n1_to_n2 if envelope.type == "ticket.assigned"]

    assert push.receives(agent("agent_n2", topics=["queue"]), assigned[0])  # it left the queue
    assert push.receives(agent("agent_n1", topics=["mine"]), reassigned[0])  # taken from agent_n1
    assert push.receives(agent("agent_n2", topics=["mine"]), reassigned[0])
    assert not push.receives(agent("agent_n3"), reassigned[0])


def test_customer_and_agent_events_are_no_agent_keys_business() -> None:
    profile = EventEnvelope.model_validate(
        {"id": "evt_1", "type": "agent.updated", "occurredAt": T0, "tenantId": "acme", "actor": ADMIN}
    )
    assert push.receives(connection(Role.INTEGRATION), profile)
    assert not push.receives(agent("agent_n1"), profile)
    assert not push.receives(connection(topics=["queue"]), profile)  # a topic is about tickets


@pytest.mark.parametrize(
    ("topics", "expected"),
    [
        (None, True),
        (["queue"], False),
        (["mine"], False),  # an admin key has no agent: nothing is its own
        (["ticket:01JS3Q6Z8X9V2K4M7N5P0R1T2W"], True),
        (["ticket:01JS3Q6Z8X9V2K4M7N5P0R1T2X"], False),
        (["queue", "ticket:01JS3Q6Z8X9V2K4M7N5P0R1T2W"], True),
    ],
)
def test_topics_narrow_what_an_admin_connection_receives(topics: list[str] | None, expected: bool) -> None:
    ticket = moved(factories.a_ticket(changed_by=ADMIN, id="01JS3Q6Z8X9V2K4M7N5P0R1T2W"), N1)
    later = told(ticket, ticket.model_copy(update={"subject": "Refund", "version": ticket.version + 1}))
    assert push.receives(connection(topics=topics), later[0]) is expected


def test_an_event_too_big_for_one_websocket_message_goes_without_the_messages_text() -> None:
    ticket = factories.a_ticket(changed_by=ADMIN)
    message = Message(
        tenant_id="acme",
        id="01JS3Q6Z8X9V2K4M7N5P0R1T2Y",
        ticket_id=ticket.id,
        message='"' * 65_536,  # 128 KB and more once JSON escapes each quote
        from_=MessageAuthor(),
        created_at=T0,
    )
    (event,) = events.message_events(message)
    big = events.envelope(event, ticket.summary(), message)
    small = events.envelope(event, ticket.summary(), message.model_copy(update={"message": "Thanks"}))

    assert len(push.push_document(big)) < push.MAX_MESSAGE_BYTES
    assert b'"message":{' not in push.push_document(big)
    assert b'"message":"Thanks"' in push.push_document(small)
