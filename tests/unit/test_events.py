"""What each change is told as: the events of a ticket write and of a message, without any AWS."""

from __future__ import annotations

from datetime import timedelta

from tests.support import factories
from tests.support.factories import T0
from tickets.logic import events, workflow
from tickets.models.domain import (
    SYSTEM,
    Actor,
    AgentRef,
    Message,
    MessageAuthor,
    Ticket,
    TicketChanges,
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
