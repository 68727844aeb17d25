"""What each change is told as: the events of a ticket write, a message, a deletion, and a customer's
and an agent's changes, without any AWS."""

from __future__ import annotations

from datetime import timedelta

from tests.support import factories
from tests.support.factories import T0
from tickets.logic import events, workflow
from tickets.models.domain import (
    SYSTEM,
    Actor,
    Agent,
    AgentRef,
    Customer,
    Message,
    MessageAuthor,
    Ticket,
    TicketChanges,
    TicketDeletion,
)
from tickets.models.enums import ActorRole, EventType, Party, Priority, TicketStatus

ADMIN = Actor(role=ActorRole.ADMIN, id="key_admin")
AGENT = AgentRef(id="agent_n1", name="Agent N1")


def a_ticket(**fields: object) -> Ticket:
    """The factories' ticket, last changed by an admin key."""
    return factories.a_ticket(**({"changed_by": ADMIN} | fields))


def changed(before: Ticket, **changes: object) -> Ticket:
    after = workflow.apply_update(before, TicketChanges.model_validate(changes), T0 + timedelta(minutes=5))
    return after.model_copy(update={"changed_by": ADMIN})


def test_a_new_ticket_is_one_created_event_by_whoever_created_it() -> None:
    ticket = a_ticket()
    (created,) = events.ticket_events(None, ticket)
    assert (created.type, created.actor, created.occurred_at, created.changes) == (
        EventType.TICKET_CREATED,
        ADMIN,
        T0,
        [],
    )


def test_one_patch_tells_its_fields_its_status_and_its_agent_apart_in_that_order() -> None:
    # Given a ticket, and a PATCH of its priority, subject, status and agent at once
    before = a_ticket()
    after = changed(
        before, priority=Priority.URGENT, subject="Refund", status=TicketStatus.ON_HOLD, assigned_agent=AGENT
    )
    # When its events are derived
    told = events.ticket_events(before, after)
    # Then there are three, each with its own changes
    assert [event.type for event in told] == [
        EventType.TICKET_UPDATED,
        EventType.TICKET_STATUS_CHANGED,
        EventType.TICKET_ASSIGNED,
    ]
    assert [(c.field, c.from_, c.to) for c in told[0].changes] == [
        ("subject", "Payment failed for order #12345", "Refund"),
        ("priority", "HIGH", "URGENT"),
    ]
    assert [(c.field, c.from_, c.to) for c in told[1].changes] == [
        ("status", "OPEN", "ON_HOLD"),
        ("awaitingResponseFrom", "AGENT", "NONE"),
    ]
    assert told[2].changes[0].to == {"id": "agent_n1", "name": "Agent N1", "email": None}
    # And the ranks keep them in that order within the write
    assert [event.rank for event in told] == sorted(event.rank for event in told)


def test_unassigning_is_its_own_event() -> None:
    before = a_ticket(status=TicketStatus.IN_PROGRESS, assigned_agent=AGENT)
    (status, unassigned) = events.ticket_events(before, changed(before, assigned_agent=None))
    assert (status.type, unassigned.type) == (EventType.TICKET_STATUS_CHANGED, EventType.TICKET_UNASSIGNED)
    assert unassigned.changes[0].to is None


def test_a_write_that_changes_no_told_field_tells_nothing() -> None:
    # Given an internal note, which changes only the message count and updatedAt
    before = a_ticket()
    note = a_message(internal=True)
    after = workflow.apply_reply(before, note, T0 + timedelta(minutes=1))
    # Then the ticket's write has no event (the message has its own)
    assert events.ticket_events(before, after) == []
    (posted,) = events.message_events(note)
    assert (posted.type, posted.internal, posted.message_id) == (EventType.MESSAGE_CREATED, True, note.id)


def test_the_same_change_derived_twice_is_the_same_event_and_another_change_another() -> None:
    before = a_ticket()
    after = changed(before, priority=Priority.LOW)
    assert events.ticket_events(before, after) == events.ticket_events(before, after)
    again = changed(after, priority=Priority.HIGH)
    assert events.ticket_events(after, again)[0].id != events.ticket_events(before, after)[0].id


def test_a_write_that_kept_no_actor_is_told_as_unknown_never_as_someone() -> None:
    before = a_ticket(changed_by=None)
    after = workflow.apply_update(before, TicketChanges(priority=Priority.LOW), T0)
    (updated,) = events.ticket_events(before, after)
    assert updated.actor.role == ActorRole.UNKNOWN
    assert updated.actor != SYSTEM


def a_message(internal: bool = False) -> Message:
    return Message(
        tenant_id="acme",
        id="01JS3Q6Z8X9V2K4M7N5P0R1T2X",
        ticket_id="01JS3Q6Z8X9V2K4M7N5P0R1T2W",
        message="Hello",
        from_=MessageAuthor(role=Party.AGENT, id="agent_n1"),
        internal=internal,
        created_at=T0,
        posted_by=ADMIN,
    )


def test_a_deleted_ticket_is_one_event_by_whoever_deleted_it_the_same_however_often_derived() -> None:
    ticket = a_ticket()
    deletion = TicketDeletion(
        tenant_id=ticket.tenant_id,
        ticket=ticket.summary(),
        deleted_by=ADMIN,
        deleted_at=T0 + timedelta(days=1),
    )
    (deleted,) = events.deletion_events(deletion)
    assert (deleted.type, deleted.actor, deleted.occurred_at, deleted.ticket_id) == (
        EventType.TICKET_DELETED,
        ADMIN,
        T0 + timedelta(days=1),
        ticket.id,
    )
    assert events.deletion_events(deletion) == [deleted]


def a_customer(**fields: object) -> Customer:
    values = {"email": "john@acme.com", "name": "John Doe", "changed_by": ADMIN} | fields
    return Customer.model_validate(
        {"tenant_id": "acme", "id": "c1", "external_id": "user_42", "created_at": T0, "updated_at": T0}
        | values
    )


def test_a_customers_changed_details_are_one_event_named_by_the_stream_record() -> None:
    before = a_customer()
    after = a_customer(name="John Q. Doe", updated_at=T0 + timedelta(hours=1))
    (told,) = events.customer_events(before, after, "111")
    assert (told.type, told.actor, told.occurred_at, told.customer, told.ticket) == (
        EventType.CUSTOMER_UPDATED,
        ADMIN,
        T0 + timedelta(hours=1),
        after,
        None,
    )
    assert [(c.field, c.from_, c.to) for c in told.changes] == [("name", "John Doe", "John Q. Doe")]
    assert events.customer_events(before, after, "111")[0].id == told.id  # a redelivered record
    assert events.customer_events(before, after, "222")[0].id != told.id  # another write


def test_a_customer_put_again_unchanged_tells_nothing() -> None:
    assert events.customer_events(a_customer(), a_customer(updated_at=T0 + timedelta(hours=1)), "1") == []


def an_agent(**fields: object) -> Agent:
    values = {"tenant_id": "acme", "id": "agent_n1", "name": "Agent N1", "updated_at": T0} | fields
    return Agent.model_validate(values)


def test_an_agents_profile_change_is_told_and_its_load_moving_is_not() -> None:
    before = an_agent(open_tickets=2)
    loaded = before.model_copy(update={"open_tickets": 3, "last_assigned_at": T0 + timedelta(minutes=1)})
    assert events.agent_events(before, loaded, "1") == []
    away = loaded.model_copy(
        update={"available": False, "changed_by": ADMIN, "updated_at": T0 + timedelta(hours=1)}
    )
    (told,) = events.agent_events(loaded, away, "2")
    assert (told.type, told.actor, told.agent) == (EventType.AGENT_UPDATED, ADMIN, away)
    assert [(c.field, c.from_, c.to) for c in told.changes] == [("available", True, False)]


def test_a_customer_and_an_agent_of_the_same_id_and_record_are_different_events() -> None:
    customer = events.customer_events(a_customer(id="x"), a_customer(id="x", name="Other"), "7")[0]
    agent = events.agent_events(an_agent(), an_agent(name="Other"), "7")[0]
    assert customer.id != agent.id
