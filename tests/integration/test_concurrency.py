"""Many writers at once: nothing lost, nothing doubled.

The races run between service calls from threads (see the `atomic_requests` fixture): that is where
concurrent Lambda invocations meet, at the table."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.handlers import Api
from tickets.api.services import ticket_service
from tickets.logic.access import Caller
from tickets.models.enums import Role
from tickets.models.requests import CreateTicketRequest, ReplyRequest, UpdateTicketRequest
from tickets.settings import get_settings

TICKET = {"customerExternalId": "user_42", "subject": "Order stuck in customs"}
ADMIN = Caller(tenant_id="acme", role=Role.ADMIN, key_id="key_admin")


@pytest.fixture(autouse=True)
def patient_writers(atomic_requests: None) -> Iterator[None]:
    """moto answers one request at a time (`atomic_requests`), so 50 writers that all collide take about
    15 s of retries here, where DynamoDB serves them side by side; the retry budget is raised to match.
    What is checked is the outcome: every write made exactly once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WRITE_RETRY_SECONDS", "60")
        get_settings.cache_clear()
        ticket_service.cache_clear()
        yield
    get_settings.cache_clear()
    ticket_service.cache_clear()


def run_in_parallel(work: Any, count: int) -> list[Any]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(work, range(count)))


def test_50_parallel_replies_leave_exactly_50_messages(api: Api) -> None:
    # Given a ticket
    ticket_id = api.create(TICKET).data["id"]

    def reply(n: int) -> str:
        request = ReplyRequest.model_validate({"message": f"Reply {n}", "from": {"role": "CUSTOMER"}})
        return ticket_service().reply(ADMIN, ticket_id, request).message.message

    # When 50 replies arrive at the same time
    written = run_in_parallel(reply, 50)
    # Then each was written once: 50 messages, messageCount 50, one version per reply
    ticket = api.get(ticket_id).data
    assert sorted(message["message"] for message in ticket["messages"]) == sorted(written)
    assert len(ticket["messages"]) == 50
    assert ticket["messageCount"] == 50
    assert ticket["version"] == 51
    # And the lists hold the ticket once, where its final state puts it
    assert [entry["id"] for entry in api.list(limit="100").data] == [ticket_id]
    assert [entry["id"] for entry in api.list(status=ticket["status"]).data] == [ticket_id]


def test_20_parallel_patches_of_different_fields_all_survive(api: Api) -> None:
    # Given a ticket and 20 changes to different fields (metadata keys, tags, priority, status, ...)
    ticket_id = api.create(TICKET).data["id"]
    tags = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(4)]
    changes: list[dict[str, Any]] = [{"metadata": {f"key{n}": n}} for n in range(13)]
    changes += [{"tagIds": tags}, {"priority": "URGENT"}, {"status": "ON_HOLD"}]
    changes += [{"subject": "Order stuck in customs (DHL)"}, {"category": "Shipping"}]
    changes += [{"department": "Logistics"}, {"assignedAgentId": "agent_n1"}]

    def patch(n: int) -> int:
        request = UpdateTicketRequest.model_validate(changes[n])
        return ticket_service().update(ADMIN, ticket_id, request).version

    # When all are sent at once
    versions = run_in_parallel(patch, len(changes))
    # Then each made its own version and the ticket has every change
    assert sorted(versions) == list(range(2, 22))
    ticket = api.get(ticket_id).data
    assert ticket["version"] == 21
    assert ticket["priority"] == "URGENT"
    assert ticket["status"] == "ON_HOLD"
    assert ticket["subject"] == "Order stuck in customs (DHL)"
    assert (ticket["category"], ticket["department"]) == ("Shipping", "Logistics")
    assert sorted(ticket["tagIds"]) == tags
    assert ticket["assignedAgent"]["id"] == "agent_n1"
    # metadata is replaced as a whole by each PATCH, so one of the 13 values is there, intact
    assert len(ticket["metadata"]) == 1
    [(name, value)] = ticket["metadata"].items()
    assert name == f"key{value}"


def test_parallel_creates_with_one_external_id_create_one_ticket(api: Api) -> None:
    request = CreateTicketRequest.model_validate(TICKET | {"externalId": "payment-failed-991"})

    def create(_: int) -> tuple[str, bool]:
        ticket, created = ticket_service().create_ticket(ADMIN, request)
        return ticket.id, created

    outcomes = run_in_parallel(create, 10)
    assert [created for _, created in outcomes].count(True) == 1
    assert len({ticket_id for ticket_id, _ in outcomes}) == 1
    listed = api.list()
    assert listed.json["stats"]["total"] == 1
    assert [ticket["id"] for ticket in listed.data] == [outcomes[0][0]]
