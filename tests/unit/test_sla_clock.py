"""The SLA clock rules (logic/sla_clock.py) at times the tests set: which policy applies, when each
metric is due, pausing and resuming, a priority change, reopening, and what the sweep records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.factories import a_ticket
from tickets.logic import sla_clock
from tickets.models.domain import CustomerRef, Message, MessageAuthor, Ticket
from tickets.models.enums import Party, Priority, TicketStatus
from tickets.models.sla import SlaPolicy

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
MINUTE = timedelta(minutes=1)


def policy(policy_id: str = "default", **fields: Any) -> SlaPolicy:
    values: dict[str, Any] = {
        "tenant_id": "acme",
        "id": policy_id,
        "name": "Standard",
        "targets": {
            "URGENT": {"firstResponseMinutes": 30, "nextResponseMinutes": 60, "resolutionMinutes": 480},
            "LOW": {"firstResponseMinutes": 240, "resolutionMinutes": 2880},
        },
        "created_at": T0,
        "updated_at": T0,
    }
    return SlaPolicy.model_validate(values | fields)


def ticket(**fields: Any) -> Ticket:
    """The shared test ticket, URGENT and created at this module's T0."""
    at = {"id": "01JTICKET", "priority": Priority.URGENT, "created_at": T0, "updated_at": T0}
    return a_ticket(**(at | fields))


def message(role: Party, at: datetime, internal: bool = False) -> Message:
    return Message(
        tenant_id="acme",
        id=f"m{at.timestamp()}",
        ticket_id="01JTICKET",
        message="Hello",
        from_=MessageAuthor(role=role),
        internal=internal,
        created_at=at,
    )


def opened(applied: SlaPolicy | None = None, **fields: Any) -> Ticket:
    new = ticket(**fields)
    return sla_clock.advance(None, new, applied or policy(), now=new.created_at)


def changed(before: Ticket, at: datetime, applied: SlaPolicy | None = None, **fields: Any) -> Ticket:
    after = before.model_copy(update=fields | {"updated_at": at, "version": before.version + 1})
    return sla_clock.advance(before, after, applied or policy(), now=at)


def replied(before: Ticket, role: Party, at: datetime, applied: SlaPolicy | None = None) -> Ticket:
    posted = message(role, at)
    agent = role == Party.AGENT
    fields: dict[str, Any] = {
        "status": TicketStatus.WAITING_ON_CUSTOMER if agent else TicketStatus.OPEN,
        "has_agent_reply": before.has_agent_reply or agent,
        "updated_at": at,
        "version": before.version + 1,
    }
    after = before.model_copy(update=fields)
    return sla_clock.advance(before, after, applied or policy(), now=at, message=posted)


# Which policy -------------------------------------------------------------------------------------


def test_the_most_specific_matching_policy_applies_and_default_takes_the_rest() -> None:
    # Given a default, a policy for billing, and one for billing refunds
    policies = [
        policy("default"),
        policy("billing", applies_to={"department": "billing"}),
        policy("billing-refunds", applies_to={"department": "billing", "topic": "REFUND"}),
        policy("nothing", applies_to={}),
    ]
    # Then each ticket gets the policy that names most of it, and the rest the default
    assert (
        sla_clock.match_policy(policies, ticket(department="billing", topic="REFUND")).id == "billing-refunds"
    )
    assert sla_clock.match_policy(policies, ticket(department="billing", topic="DELIVERY")).id == "billing"
    assert sla_clock.match_policy(policies, ticket(department="shipping")).id == "default"
    # And without a default, a ticket no policy names has none
    assert sla_clock.match_policy(policies[1:], ticket(department="shipping")) is None


def test_a_policy_can_name_one_customer() -> None:
    policies = [policy("vip", applies_to={"customerExternalId": "user_42"})]
    assert sla_clock.match_policy(policies, ticket()).id == "vip"
    other = ticket(customer=CustomerRef(id="c2", external_id="user_7"))
    assert sla_clock.match_policy(policies, other) is None


# Creation -----------------------------------------------------------------------------------------


def test_a_new_ticket_is_due_its_first_response_and_resolution_from_its_creation() -> None:
    # When an URGENT ticket is opened under a calendar-time policy
    new = opened()
    # Then first response is due in 30 minutes, resolution in 8 hours, next response not yet
    assert new.sla is not None
    assert new.sla.policy_id == "default"
    assert new.sla.first_response.due_at == T0 + 30 * MINUTE
    assert new.sla.resolution.due_at == T0 + 480 * MINUTE
    assert new.sla.next_response is None
    assert new.sla.next_moment == T0 + 30 * MINUTE


def test_a_priority_without_targets_or_a_ticket_without_policy_has_no_clocks() -> None:
    assert opened(priority=Priority.MEDIUM).sla.metrics() == {}
    unpoliced = ticket()
    assert sla_clock.advance(None, unpoliced, None, now=T0) is unpoliced


def test_due_times_follow_business_hours() -> None:
    # Given weekdays 09:00-17:00 in Berlin (UTC+1 in December)
    hours = {
        "timezone": "Europe/Berlin",
        "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
    business = policy(business_hours=hours)
    # When an URGENT ticket comes in on Friday at 16:45 Berlin time
    friday = datetime(2026, 12, 4, 15, 45, tzinfo=UTC)
    new = opened(business, created_at=friday, updated_at=friday)
    # Then its 30 minutes run 15 on Friday and 15 on Monday from 09:00 Berlin
    assert new.sla.first_response.due_at == datetime(2026, 12, 7, 8, 15, tzinfo=UTC)


# Replies ------------------------------------------------------------------------------------------


def test_an_agent_reply_meets_the_first_response_and_a_customer_reply_starts_the_next() -> None:
    new = opened()
    # When an agent answers after 10 minutes
    answered = replied(new, Party.AGENT, T0 + 10 * MINUTE)
    # Then first response is met then, and resolution pauses while the customer is awaited
    assert answered.sla.first_response.met_at == T0 + 10 * MINUTE
    assert answered.sla.resolution.paused_at == T0 + 10 * MINUTE
    assert answered.sla.resolution.remaining_seconds == 470 * 60
    assert answered.sla.resolution.due_at is None
    # When the customer writes back an hour later
    back = replied(answered, Party.CUSTOMER, T0 + 70 * MINUTE)
    # Then next response is due an hour after, and resolution runs again with what it had left
    assert back.sla.next_response.due_at == T0 + 130 * MINUTE
    assert back.sla.resolution.due_at == T0 + 70 * MINUTE + 470 * MINUTE
    assert back.sla.resolution.paused_at is None
    # And the agent's next answer meets it
    again = replied(back, Party.AGENT, T0 + 100 * MINUTE)
    assert again.sla.next_response.met_at == T0 + 100 * MINUTE


def test_a_second_customer_message_keeps_the_next_response_due_from_the_first() -> None:
    answered = replied(opened(), Party.AGENT, T0 + 5 * MINUTE)
    first = replied(answered, Party.CUSTOMER, T0 + 20 * MINUTE)
    second = replied(first, Party.CUSTOMER, T0 + 40 * MINUTE)
    assert second.sla.next_response.due_at == T0 + 80 * MINUTE


def test_a_customer_message_before_any_answer_starts_no_next_response() -> None:
    early = replied(opened(), Party.CUSTOMER, T0 + 5 * MINUTE)
    assert early.sla.next_response is None
    assert early.sla.first_response.due_at == T0 + 30 * MINUTE


def test_an_internal_note_moves_no_clock() -> None:
    new = opened()
    noted = sla_clock.advance(
        new, new, policy(), now=T0 + MINUTE, message=message(Party.AGENT, T0, internal=True)
    )
    assert noted.sla == new.sla


# Status -------------------------------------------------------------------------------------------


def test_on_hold_pauses_resolution_and_reopening_a_closed_ticket_resumes_it() -> None:
    new = opened()
    held = changed(new, T0 + 60 * MINUTE, status=TicketStatus.ON_HOLD)
    assert held.sla.resolution.remaining_seconds == 420 * 60
    # The first response is not paused by a hold
    assert held.sla.first_response.due_at == T0 + 30 * MINUTE
    resumed = changed(held, T0 + 180 * MINUTE, status=TicketStatus.OPEN)
    assert resumed.sla.resolution.due_at == T0 + 600 * MINUTE
    closed = changed(resumed, T0 + 200 * MINUTE, status=TicketStatus.CLOSED)
    # Closing meets every metric still open
    assert closed.sla.resolution.met_at == T0 + 200 * MINUTE
    assert closed.sla.first_response.met_at == T0 + 200 * MINUTE
    assert closed.sla.next_moment is None
    # Reopening resumes resolution with the 400 minutes it had left at the close
    reopened = changed(closed, T0 + 1000 * MINUTE, status=TicketStatus.OPEN)
    assert reopened.sla.resolution.met_at is None
    assert reopened.sla.resolution.due_at == T0 + 1400 * MINUTE


def test_a_ticket_opened_on_hold_starts_with_its_resolution_paused() -> None:
    held = opened(status=TicketStatus.ON_HOLD)
    assert held.sla.resolution.paused_at == T0
    assert held.sla.resolution.remaining_seconds == 480 * 60


# Priority and policy ------------------------------------------------------------------------------


def test_a_priority_change_keeps_the_time_used_and_applies_the_new_target() -> None:
    new = opened(priority=Priority.LOW)
    # After 100 minutes, the LOW ticket becomes URGENT: its first response had 240 minutes, now 30
    urgent = changed(new, T0 + 100 * MINUTE, priority=Priority.URGENT)
    # Then it was due at 30 minutes (100 used is more than 30), resolution has 380 minutes left
    assert urgent.sla.first_response.target_minutes == 30
    assert urgent.sla.first_response.due_at == T0 + 30 * MINUTE
    assert urgent.sla.resolution.due_at == T0 + 480 * MINUTE
    # And back to LOW, the first response has 140 of its 240 minutes left
    low = changed(urgent, T0 + 100 * MINUTE, priority=Priority.LOW)
    assert low.sla.first_response.due_at == T0 + 240 * MINUTE


def test_a_priority_without_a_target_drops_that_clock_and_one_with_a_target_starts_it() -> None:
    answered = replied(opened(), Party.AGENT, T0 + 5 * MINUTE)
    waiting = replied(answered, Party.CUSTOMER, T0 + 10 * MINUTE)
    assert waiting.sla.next_response is not None
    low = changed(waiting, T0 + 20 * MINUTE, priority=Priority.LOW)  # LOW has no next response target
    assert low.sla.next_response is None
    medium = opened(priority=Priority.MEDIUM)
    urgent = changed(medium, T0 + 10 * MINUTE, priority=Priority.URGENT)
    assert urgent.sla.first_response.due_at == T0 + 40 * MINUTE  # started at the change


# The sweep ----------------------------------------------------------------------------------------


def test_the_sweep_records_a_warning_then_the_breach_once_each() -> None:
    warned_policy = policy(warning_minutes=10)
    new = opened(warned_policy)
    assert new.sla.first_response.warn_at == T0 + 20 * MINUTE
    assert new.sla.next_moment == T0 + 20 * MINUTE
    # Nothing is due before the warning
    assert sla_clock.fire(new, T0 + 19 * MINUTE) is None
    warned = sla_clock.fire(new, T0 + 20 * MINUTE)
    assert warned.sla.first_response.warned_at == T0 + 20 * MINUTE
    assert warned.version == new.version + 1
    assert warned.sla.next_moment == T0 + 30 * MINUTE
    assert sla_clock.fire(warned, T0 + 25 * MINUTE) is None
    breached = sla_clock.fire(warned, T0 + 30 * MINUTE + 5 * timedelta(seconds=1))
    assert breached.sla.first_response.breached_at == T0 + 30 * MINUTE + timedelta(seconds=5)
    # Recorded, nothing more is due: a second sweep finds nothing
    assert sla_clock.fire(breached, T0 + 31 * MINUTE) is None
    # And the breach stays once the agent answers
    late = replied(breached, Party.AGENT, T0 + 40 * MINUTE, warned_policy)
    assert late.sla.first_response.met_at == T0 + 40 * MINUTE
    assert late.sla.first_response.breached_at is not None


def test_a_breach_due_with_its_warning_is_told_alone() -> None:
    new = opened(policy(warning_minutes=10))
    breached = sla_clock.fire(new, T0 + 45 * MINUTE)
    assert breached.sla.first_response.breached_at == T0 + 45 * MINUTE
    assert breached.sla.first_response.warned_at is None
    assert [name for name, _ in sla_clock.newly_recorded(new, breached, "breached_at")] == ["firstResponse"]
    assert sla_clock.newly_recorded(new, breached, "warned_at") == []


def test_no_warning_when_the_target_is_shorter_than_the_warning() -> None:
    new = opened(policy(warning_minutes=45))
    assert new.sla.first_response.warn_at is None
    assert new.sla.resolution.warn_at == T0 + 435 * MINUTE


@pytest.mark.parametrize("status", [TicketStatus.ON_HOLD, TicketStatus.WAITING_ON_CUSTOMER])
def test_a_paused_resolution_never_breaches(status: TicketStatus) -> None:
    paused = changed(opened(priority=Priority.LOW), T0 + MINUTE, status=status)
    later = paused.model_copy(update={"sla": paused.sla.model_copy(update={"first_response": None})})
    assert later.sla.next_moment is None
    assert sla_clock.fire(later, T0 + 10_000 * MINUTE) is None
