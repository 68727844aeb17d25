"""The status machine, list membership and stats contributions, without any AWS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.factories import T0, a_ticket
from tickets.errors import Conflict
from tickets.keys import ListDimension, ListMembership
from tickets.logic import assignment, listing, workflow
from tickets.models.domain import (
    Agent,
    AgentRef,
    Assignment,
    Message,
    MessageAuthor,
    Ticket,
    TicketChanges,
)
from tickets.models.enums import Awaiting, Party, Priority, TicketStatus

AGENT = AgentRef(id="agent_n1", name="Agent N1", email="agent@acme.com")
AN_AGENT = Agent(tenant_id="acme", id="agent_n1", name="Agent N1", email="agent@acme.com")
AN_ASSIGNMENT = Assignment(rule="least-loaded", agent_id="agent_n1", candidates=[], assigned_at=T0)


def a_message(role: Party, internal: bool = False) -> Message:
    return Message(
        tenant_id="acme",
        id="01JS3Q6Z8X9V2K4M7N5P0R1T2X",
        ticket_id="01JS3Q6Z8X9V2K4M7N5P0R1T2W",
        message="Hello",
        from_=MessageAuthor(role=role),
        internal=internal,
        created_at=T0,
    )


def test_agent_reply_waits_on_customer_and_records_the_first_response_once() -> None:
    # Given an open ticket
    ticket = a_ticket()
    # When an agent replies twice
    first = workflow.apply_reply(ticket, a_message(Party.AGENT), T0 + timedelta(minutes=5))
    second = workflow.apply_reply(first, a_message(Party.AGENT), T0 + timedelta(minutes=9))
    # Then the customer is awaited and the first response time is the first reply's
    assert second.status == TicketStatus.WAITING_ON_CUSTOMER
    assert second.awaiting_response_from == Awaiting.CUSTOMER
    assert second.has_agent_reply is True
    assert second.first_response_at == T0 + timedelta(minutes=5)
    assert second.message_count == 2
    assert second.version == 3


@pytest.mark.parametrize(
    ("agent", "expected"),
    [(None, TicketStatus.OPEN), (AGENT, TicketStatus.IN_PROGRESS)],
    ids=["unassigned", "assigned"],
)
def test_customer_reply_reopens_a_closed_ticket_for_the_agent(
    agent: AgentRef | None, expected: TicketStatus
) -> None:
    # Given a closed ticket
    ticket = a_ticket(
        status=TicketStatus.CLOSED, closed_at=T0, awaiting_response_from=Awaiting.NONE, assigned_agent=agent
    )
    # When the customer writes again
    after = workflow.apply_reply(ticket, a_message(Party.CUSTOMER), T0 + timedelta(hours=1))
    # Then it is back with the agent (or the queue), awaiting an agent, no longer closed
    assert after.status == expected
    assert after.awaiting_response_from == Awaiting.AGENT
    assert after.closed_at is None


def test_internal_note_changes_neither_status_nor_who_is_awaited() -> None:
    ticket = a_ticket(status=TicketStatus.WAITING_ON_CUSTOMER, awaiting_response_from=Awaiting.CUSTOMER)
    after = workflow.apply_reply(ticket, a_message(Party.AGENT, internal=True), T0 + timedelta(minutes=1))
    assert after.status == TicketStatus.WAITING_ON_CUSTOMER
    assert after.awaiting_response_from == Awaiting.CUSTOMER
    assert after.has_agent_reply is False
    assert after.message_count == 1


def test_closing_sets_closed_at_and_awaits_nobody_and_reopening_clears_it() -> None:
    closed = workflow.apply_update(
        a_ticket(), TicketChanges(status=TicketStatus.CLOSED), T0 + timedelta(days=1)
    )
    assert closed.closed_at == T0 + timedelta(days=1)
    assert closed.awaiting_response_from == Awaiting.NONE
    reopened = workflow.apply_update(closed, TicketChanges(status=TicketStatus.OPEN), T0 + timedelta(days=2))
    assert reopened.closed_at is None
    assert reopened.awaiting_response_from == Awaiting.AGENT


def test_assigning_an_open_ticket_puts_it_in_progress_and_unassigning_returns_it_to_the_queue() -> None:
    assigned = workflow.apply_update(a_ticket(), TicketChanges(assigned_agent=AGENT), T0)
    assert assigned.status == TicketStatus.IN_PROGRESS
    unassigned = workflow.apply_update(assigned, TicketChanges(assigned_agent=None), T0)
    assert unassigned.status == TicketStatus.OPEN
    assert unassigned.assigned_agent is None


def test_in_progress_without_an_agent_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        workflow.apply_update(a_ticket(), TicketChanges(status=TicketStatus.IN_PROGRESS), T0)


# The (status, who is awaited) pairs that can exist, as the README's status table has them. NONE on
# OPEN or IN_PROGRESS only for a ticket created with replyRequested false and not answered since.
PAIRS: dict[TicketStatus, set[Awaiting]] = {
    TicketStatus.OPEN: {Awaiting.AGENT, Awaiting.NONE},
    TicketStatus.IN_PROGRESS: {Awaiting.AGENT, Awaiting.NONE},
    TicketStatus.WAITING_ON_CUSTOMER: {Awaiting.CUSTOMER},
    TicketStatus.ON_HOLD: {Awaiting.NONE},
    TicketStatus.CLOSED: {Awaiting.NONE},
}


def every_ticket_state() -> list[Ticket]:
    """A ticket in every (status, awaiting, agent) state that can exist."""
    states = []
    for status, awaited in PAIRS.items():
        for awaiting in sorted(awaited):  # in a fixed order: xdist workers must collect the same tests
            agents = (
                [AGENT]
                if status == TicketStatus.IN_PROGRESS
                else [None]
                if status == TicketStatus.OPEN
                else [None, AGENT]
            )
            for agent in agents:
                closed_at = T0 if status == TicketStatus.CLOSED else None
                states.append(
                    a_ticket(
                        status=status,
                        awaiting_response_from=awaiting,
                        assigned_agent=agent,
                        closed_at=closed_at,
                    )
                )
    return states


def _state(ticket: Ticket) -> str:
    return (
        f"{ticket.status}/{ticket.awaiting_response_from}/{'agent' if ticket.assigned_agent else 'no agent'}"
    )


@pytest.mark.parametrize("target", list(TicketStatus))
@pytest.mark.parametrize("before", every_ticket_state(), ids=_state)
def test_every_patch_of_the_status_leaves_a_pair_the_status_table_allows(
    before: Ticket, target: TicketStatus
) -> None:
    # Given a ticket in any state that can exist
    # When a PATCH sets the status (assigning an agent where the status needs one)
    given: dict[str, object] = {"status": target}
    if target == TicketStatus.IN_PROGRESS and before.assigned_agent is None:
        given["assigned_agent"] = AGENT
    after = workflow.apply_update(before, TicketChanges.model_validate(given), T0 + timedelta(hours=1))

    # Then the status is the one sent, but OPEN with an agent is IN_PROGRESS (it keeps its agent)
    landed = TicketStatus.IN_PROGRESS if target == TicketStatus.OPEN and before.assigned_agent else target
    assert after.status == landed
    assert after.assigned_agent == (given.get("assigned_agent") or before.assigned_agent)
    # And the new pair is one the table allows, who is awaited following the status
    assert after.awaiting_response_from in PAIRS[landed]
    expected = {
        TicketStatus.WAITING_ON_CUSTOMER: Awaiting.CUSTOMER,
        TicketStatus.ON_HOLD: Awaiting.NONE,
        TicketStatus.CLOSED: Awaiting.NONE,
    }.get(landed)
    if expected is None:  # OPEN or IN_PROGRESS: kept between the two, an agent awaited from any other
        moving_between = before.status in (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)
        expected = before.awaiting_response_from if moving_between else Awaiting.AGENT
    assert after.awaiting_response_from == expected
    # And closedAt is set exactly while the ticket is closed
    assert (after.closed_at is not None) == (landed == TicketStatus.CLOSED)


@pytest.mark.parametrize("role", [Party.AGENT, Party.CUSTOMER])
@pytest.mark.parametrize("before", every_ticket_state(), ids=_state)
def test_every_public_reply_leaves_a_pair_the_status_table_allows(before: Ticket, role: Party) -> None:
    # Given a ticket in any state that can exist
    # When the agent or the customer replies
    after = workflow.apply_reply(before, a_message(role), T0 + timedelta(hours=1))
    # Then an agent's reply awaits the customer, a customer's awaits an agent (in progress if assigned)
    if role == Party.AGENT:
        assert (after.status, after.awaiting_response_from) == (
            TicketStatus.WAITING_ON_CUSTOMER,
            Awaiting.CUSTOMER,
        )
    else:
        expected = TicketStatus.IN_PROGRESS if before.assigned_agent else TicketStatus.OPEN
        assert (after.status, after.awaiting_response_from) == (expected, Awaiting.AGENT)
    assert after.closed_at is None


def test_open_for_a_ticket_with_an_agent_keeps_the_agent_in_progress_and_unassigning_queues_it() -> None:
    # Given a closed ticket that has an agent
    closed = a_ticket(
        status=TicketStatus.CLOSED, assigned_agent=AGENT, awaiting_response_from=Awaiting.NONE, closed_at=T0
    )
    # When it is reopened with OPEN, then it is IN_PROGRESS with its agent, awaiting the agent
    reopened = workflow.apply_update(closed, TicketChanges(status=TicketStatus.OPEN), T0)
    assert (reopened.status, reopened.assigned_agent) == (TicketStatus.IN_PROGRESS, AGENT)
    assert reopened.awaiting_response_from == Awaiting.AGENT
    assert not workflow.waits_for_agent(reopened)
    # And set OPEN with the agent removed, it is back in the queue
    queued = workflow.apply_update(closed, TicketChanges(status=TicketStatus.OPEN, assigned_agent=None), T0)
    assert (queued.status, queued.assigned_agent) == (TicketStatus.OPEN, None)
    assert workflow.waits_for_agent(queued)


@pytest.mark.parametrize(
    "changes",
    [
        {"priority": Priority.HIGH},
        {"status": TicketStatus.OPEN, "priority": Priority.HIGH},
        {"assigned_agent": None},
        {"tag_ids": []},
        {"category": None},
    ],
    ids=[
        "same priority",
        "same status and priority",
        "unassigning an unassigned ticket",
        "no tags",
        "no category",
    ],
)
def test_a_patch_that_changes_nothing_returns_the_ticket_itself_at_the_same_version(
    changes: dict[str, object],
) -> None:
    # Given an OPEN, unassigned HIGH ticket with no tags and no category
    ticket = a_ticket()
    # When a PATCH sets only what it already has
    after = workflow.apply_update(ticket, TicketChanges.model_validate(changes), T0 + timedelta(hours=1))
    # Then nothing changed: the same ticket, the same version and updatedAt
    assert after is ticket


@pytest.mark.parametrize(
    ("ticket", "queued"),
    [
        (a_ticket(), True),
        (a_ticket(awaiting_response_from=Awaiting.NONE), True),
        (a_ticket(status=TicketStatus.IN_PROGRESS, assigned_agent=AGENT), False),
        (a_ticket(status=TicketStatus.WAITING_ON_CUSTOMER, awaiting_response_from=Awaiting.CUSTOMER), False),
        (a_ticket(status=TicketStatus.ON_HOLD, awaiting_response_from=Awaiting.NONE), False),
        (a_ticket(status=TicketStatus.CLOSED, awaiting_response_from=Awaiting.NONE, closed_at=T0), False),
    ],
    ids=["open", "open, no reply requested", "in progress", "waiting on customer", "on hold", "closed"],
)
def test_the_queue_list_and_the_unassigned_stat_hold_exactly_the_open_unassigned_tickets(
    ticket: Ticket, queued: bool
) -> None:
    # Given an unassigned ticket in some status (or an assigned one)
    # Then it is in the queue's list, counts in stats.unassigned and waits for an agent only when OPEN
    in_list = listing.UNASSIGNED_QUEUE in listing.list_memberships(ticket)
    counted = listing.stats_contribution(ticket)["unassigned"] == 1
    assert in_list == counted == workflow.waits_for_agent(ticket) == queued


def test_unassigned_queue_holds_only_open_tickets_and_tags_each_get_a_list() -> None:
    tags = ["0b5e2a4e-6a8f-4c1b-9d2e-3f4a5b6c7d8e", "1c6f3b5f-7b9a-4d2c-8e3f-4a5b6c7d8e9f"]
    open_ticket = listing.list_memberships(a_ticket(tag_ids=tags))
    closed_ticket = listing.list_memberships(
        a_ticket(status=TicketStatus.CLOSED, awaiting_response_from=Awaiting.NONE)
    )
    assert listing.UNASSIGNED_QUEUE in open_ticket
    assert {ListMembership(ListDimension.TAG, tag) for tag in tags} <= open_ticket
    assert listing.UNASSIGNED_QUEUE not in closed_ticket
    assert not any(m.dimension == ListDimension.AWAITING for m in closed_ticket)


# Every PATCH of the status and the agent (alone and together), refused ones included.
EVERY_CHANGE: list[dict[str, object]] = [
    {"assigned_agent": AGENT},
    {"assigned_agent": None},
    *({"status": status} for status in TicketStatus),
    *({"status": status, "assigned_agent": agent} for status in TicketStatus for agent in (AGENT, None)),
]


@pytest.mark.parametrize("before", every_ticket_state(), ids=_state)
def test_no_change_leaves_a_state_in_which_the_queue_or_awaiting_the_customer_needs_a_list_of_its_own(
    before: Ticket,
) -> None:
    # Given a ticket in any state that can exist
    # When any PATCH, any reply or note, or the automatic assignment changes it
    later = T0 + timedelta(hours=1)
    after: list[Ticket] = []
    for given in EVERY_CHANGE:
        try:
            after.append(workflow.apply_update(before, TicketChanges.model_validate(given), later))
        except Conflict:
            continue  # refused: nothing is written
    after += [
        workflow.apply_reply(before, a_message(role, internal), later)
        for role in (Party.AGENT, Party.CUSTOMER)
        for internal in (False, True)
    ]
    if workflow.waits_for_agent(before):
        after.append(assignment.assign(before, AN_AGENT, AN_ASSIGNMENT))
    # Then every ticket is again in a state that can exist: an OPEN ticket has no agent, so the queue
    # is the OPEN list; the customer is awaited exactly while WAITING_ON_CUSTOMER, so that list is the
    # awaiting=CUSTOMER list (logic/listing.py keeps neither twice)
    states = {_state(ticket) for ticket in every_ticket_state()}
    for ticket in after:
        assert _state(ticket) in states
        memberships = listing.list_memberships(ticket)
        assert (listing.UNASSIGNED_QUEUE in memberships) == workflow.waits_for_agent(ticket)
        awaits_customer = ticket.awaiting_response_from == Awaiting.CUSTOMER
        assert (listing.AWAITING_CUSTOMER in memberships) == awaits_customer


def test_stats_delta_moves_a_ticket_between_status_counters_without_changing_the_total() -> None:
    before = a_ticket()
    after = workflow.apply_update(before, TicketChanges(status=TicketStatus.CLOSED), T0)
    assert listing.stats_delta(before, after) == {
        "status_OPEN": -1,
        "status_CLOSED": 1,
        "needsResponse": -1,
        "unassigned": -1,
    }
    assert listing.stats_delta(None, before) == {
        "total": 1,
        "status_OPEN": 1,
        "needsResponse": 1,
        "unassigned": 1,
    }


@pytest.mark.parametrize(
    ("reference", "parsed"),
    [("INV-1042", ("INV", 1042)), ("inv-7", ("INV", 7)), ("INV-", None), ("-12", None), ("INV-12a", None)],
)
def test_ticket_numbers_parse_only_when_they_are_prefix_dash_digits(
    reference: str, parsed: tuple[str, int] | None
) -> None:
    assert workflow.parse_ticket_number(reference) == parsed
