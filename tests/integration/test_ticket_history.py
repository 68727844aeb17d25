"""A ticket's history, as a client reads it after the stream function has seen the writes: every change
an event, in order, with who made it; kept once however often the stream delivers; gone with the
ticket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.moto_table import table_items
from tests.support.streams import StreamPump
from tickets.stream import processor

TICKET: dict[str, Any] = {
    "customerExternalId": "user_42",
    "subject": "Payment failed for order #12345",
    "description": "Payment attempt failed with CARD_DECLINED.",
    "priority": "HIGH",
}


@pytest.fixture
def pump(table: str, seed: Seeder) -> Iterator[StreamPump]:
    """The stream from the start, the seed's records already processed."""
    processor.automation.cache_clear()
    processor.history.cache_clear()
    stream = StreamPump(table)
    assert stream.run_until_quiet() == []
    yield stream
    processor.automation.cache_clear()
    processor.history.cache_clear()


def history(api: Api, ticket_id: str, **query: str) -> list[dict[str, Any]]:
    """Every event of the ticket, oldest first, following the cursor."""
    events: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        response = api.events(ticket_id, **query, **({"cursor": cursor} if cursor else {}))
        assert response.status == 200, response.json
        events += response.data
        cursor = response.json["meta"]["nextCursor"]
        if cursor is None:
            return events


def told(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["type"], event["actor"]["role"]) for event in events]


def test_a_tickets_life_is_told_in_order_with_who_changed_what_from_what_to_what(
    api: Api, pump: StreamPump
) -> None:
    # Given a ticket created by an integration, assigned by the stream, answered by its agent, answered
    # by its customer (through the integration), noted internally and closed by an admin
    integration, agent = Api(role="integration"), Api(role="agent", agent_id="agent_n1")
    ticket_id = integration.create(TICKET).data["id"]
    assert pump.run_until_quiet() == []
    assert agent.reply(ticket_id, {"message": "We are on it."}).status == 201
    assert (
        integration.reply(ticket_id, {"message": "Still broken.", "from": {"role": "CUSTOMER"}}).status == 201
    )
    assert agent.reply(ticket_id, {"message": "Card issuer contacted.", "internal": True}).status == 201
    assert api.update(ticket_id, {"priority": "URGENT", "status": "CLOSED"}).status == 200
    assert pump.run_until_quiet() == []

    # When its history is read
    events = history(api, ticket_id)

    # Then every change is there once, oldest first, each by the key that made it (the assignment by
    # the system)
    assert told(events) == [
        ("ticket.created", "integration"),
        ("ticket.status_changed", "system"),
        ("ticket.assigned", "system"),
        ("message.created", "agent"),
        ("ticket.status_changed", "agent"),
        ("message.created", "integration"),
        ("ticket.status_changed", "integration"),
        ("message.created", "agent"),
        ("ticket.updated", "admin"),
        ("ticket.status_changed", "admin"),
    ]
    # And each says what changed, from what to what
    changes = [event["changes"] for event in events]
    assert changes[1] == [{"field": "status", "from": "OPEN", "to": "IN_PROGRESS"}]
    assert changes[2][0]["field"] == "assignedAgent"
    assert (changes[2][0]["from"], changes[2][0]["to"]["id"]) == (None, "agent_n1")
    assert changes[4] == [
        {"field": "status", "from": "IN_PROGRESS", "to": "WAITING_ON_CUSTOMER"},
        {"field": "awaitingResponseFrom", "from": "AGENT", "to": "CUSTOMER"},
    ]
    assert changes[8] == [{"field": "priority", "from": "HIGH", "to": "URGENT"}]
    assert changes[9][0] == {"field": "status", "from": "IN_PROGRESS", "to": "CLOSED"}
    # And an agent key is told as its agent, internal notes as internal
    assert events[3]["actor"]["agentId"] == "agent_n1"
    assert [event.get("internal") for event in events if event["type"] == "message.created"] == [
        False,
        False,
        True,
    ]
    assert all(event["id"].startswith("evt_") for event in events)
    assert len({event["id"] for event in events}) == len(events)


def test_a_stream_batch_delivered_again_tells_nothing_twice(api: Api, pump: StreamPump) -> None:
    # Given a ticket changed twice, its records delivered once
    ticket_id = api.create(TICKET).data["id"]
    assert api.update(ticket_id, {"priority": "LOW"}).status == 200
    assert pump.run_until_quiet() == []
    before = history(api, ticket_id)
    # When the stream delivers every record again (a retried batch)
    assert pump.deliver(list(pump.delivered.values())) == []
    # Then the history is the same, event for event
    assert history(api, ticket_id) == before


def test_history_pages_follow_the_cursor_without_a_gap_or_a_repeat(api: Api, pump: StreamPump) -> None:
    # Given a ticket with seven events
    ticket_id = api.create(TICKET).data["id"]
    for priority in ("LOW", "MEDIUM", "URGENT", "HIGH", "LOW", "MEDIUM"):
        assert api.update(ticket_id, {"priority": priority}).status == 200
    assert pump.run_until_quiet() == []
    whole = history(api, ticket_id, limit="100")
    # When it is read two at a time
    paged = history(api, ticket_id, limit="2")
    # Then the pages hold the same events in the same order
    assert len(whole) >= 7
    assert paged == whole
    first = api.events(ticket_id, limit="2")
    assert first.json["meta"] == {"limit": 2, "count": 2, "nextCursor": first.json["meta"]["nextCursor"]}


def test_a_ticket_is_named_by_its_number_too_and_another_tenants_ticket_is_not_found(
    api: Api, pump: StreamPump, seed: Seeder
) -> None:
    # Given a ticket of acme, and tenant initech
    ticket = api.create(TICKET).data
    assert pump.run_until_quiet() == []
    seed.tenant("initech", prefix="INI")
    # When acme reads it by number, and initech by id
    by_number = api.events(ticket["ticketNumber"])
    theirs = Api(tenant_id="initech").events(ticket["id"])
    # Then acme sees its history, and initech a 404 that tells nothing
    assert by_number.status == 200
    assert by_number.data[0]["type"] == "ticket.created"
    assert theirs.status == 404
    assert theirs.json["error"]["code"] == "TICKET_NOT_FOUND"


def test_a_deleted_tickets_history_goes_with_it(table: str, api: Api, pump: StreamPump) -> None:
    # Given a ticket with a history
    ticket_id = api.create(TICKET).data["id"]
    assert api.update(ticket_id, {"priority": "LOW"}).status == 200
    assert pump.run_until_quiet() == []
    assert history(api, ticket_id)
    # When it is deleted and the stream has seen it
    assert api.delete(ticket_id).status == 204
    assert pump.run_until_quiet() == []
    # Then its history is 404 with it, and none of its events is left in the table
    assert api.events(ticket_id).status == 404
    assert [item for item in table_items() if f"#EVENTS#{ticket_id}" in item["PK"]["S"]] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"since": "2026-01-01"}, "since"),
    ],
    ids=["limit-0", "limit-over-100", "bad-cursor", "unknown-parameter"],
)
def test_a_bad_page_request_is_a_400_naming_the_parameter(
    api: Api, pump: StreamPump, query: dict[str, str], field: str
) -> None:
    ticket_id = api.create(TICKET).data["id"]
    response = api.events(ticket_id, **query)
    assert response.status == 400, response.json
    assert field in {detail["field"] for detail in response.json["error"]["details"]}


def test_a_cursor_of_another_tickets_history_is_refused(api: Api, pump: StreamPump) -> None:
    # Given two tickets, the first with more than a page of history
    first, second = (api.create(TICKET).data["id"] for _ in range(2))
    for priority in ("LOW", "MEDIUM"):
        assert api.update(first, {"priority": priority}).status == 200
    assert pump.run_until_quiet() == []
    cursor = api.events(first, limit="1").json["meta"]["nextCursor"]
    # When the cursor is sent for the other ticket
    response = api.events(second, cursor=cursor)
    # Then it is a 400 on cursor, not a page of the first ticket's history
    assert response.status == 400
    assert response.json["error"]["details"][0]["field"] == "cursor"


def test_every_role_that_may_read_the_ticket_reads_the_same_history(api: Api, pump: StreamPump) -> None:
    ticket_id = api.create(TICKET).data["id"]
    assert pump.run_until_quiet() == []
    readers = (Api(role="integration"), Api(role="agent", agent_id="agent_n1"))
    assert [history(reader, ticket_id) for reader in readers] == [history(api, ticket_id)] * 2
