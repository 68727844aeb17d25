"""Create -> list -> get -> reply -> update through the handlers, as the issue's done-when describes."""

from __future__ import annotations

from tests.support.events import load_event
from tests.support.handlers import Api, invoke


def test_supportdesk_example_creates_a_ticket_that_lists_gets_replies_and_closes(api: Api) -> None:
    # Given the SupportDesk create example, exactly as its curl sends it
    created = invoke("create_ticket", load_event("create_ticket.json"))

    # Then it is created with a number, the customer and the defaults
    assert created.status == 201, created.json
    ticket = created.data
    assert ticket["ticketNumber"] == "INV-1"
    assert ticket["status"] == "OPEN"
    assert ticket["priority"] == "HIGH"
    assert ticket["channel"] == "API"
    assert ticket["customer"]["externalId"] == "user_42"
    assert ticket["customer"]["email"] == "john@acme.com"
    assert ticket["metadata"] == {"orderId": "12345", "amount": 99.9}
    assert ticket["awaitingResponseFrom"] == "AGENT"

    listed = api.list()
    assert listed.status == 200, listed.json
    assert [t["id"] for t in listed.data] == [ticket["id"]]
    assert listed.json["stats"]["open"] == 1

    got = api.get(ticket["ticketNumber"])
    assert got.status == 200, got.json
    assert got.data["description"].startswith("Payment attempt failed")

    reply = api.reply(ticket["id"], {"message": "We are on it."})
    assert reply.status == 201, reply.json
    assert reply.data["ticket"]["status"] == "WAITING_ON_CUSTOMER"

    closed = api.update(ticket["id"], {"status": "CLOSED"})
    assert closed.status == 200, closed.json
    assert closed.data["closedAt"] is not None
    stats = api.list().json["stats"]
    assert stats["closed"] == 1
    assert stats["open"] == 0
