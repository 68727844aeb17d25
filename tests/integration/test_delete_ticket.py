"""DELETE /v1/tickets/{ticketId}: the ticket and everything that is its are gone, stats and the agent's
load follow, only admins may, and a ticket with more messages than one transaction holds goes too."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.factories import Seeder
from tests.support.handlers import Api
from tests.support.moto_table import table_items
from tickets import clients, keys
from tickets.ids import new_ulid, utc_now
from tickets.keys import Entity
from tickets.models.domain import Message, MessageAuthor
from tickets.settings import get_settings
from tickets.store import items
from tickets.store.table import typed_key

TAG = "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"


def create(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"customerExternalId": "user_42", "subject": "Payment failed", "description": "Card declined"}
    response = api.create(body | fields)
    assert response.status == 201, response.json
    return response.data  # type: ignore[no-any-return]


def mentions(ticket_id: str) -> list[dict[str, Any]]:
    """Every item of the table that is the ticket's or points at it (entries, guards, messages...),
    but the record of its deletion (which ticket.deleted is told from, and which then goes with the
    ticket's history, or expires)."""
    return [
        item
        for item in table_items()
        if ticket_id in str(item) and item.get("entity", {}).get("S") != Entity.DELETION
    ]


def deletion_record(ticket_id: str) -> dict[str, Any] | None:
    item = clients.dynamodb().get_item(
        TableName=get_settings().table_name, Key=typed_key(keys.deletion_key("acme", ticket_id))
    )
    return item.get("Item")


def test_a_deleted_ticket_is_gone_with_all_that_is_its_and_the_stats_and_load_follow(
    api: Api, seed: Seeder
) -> None:
    # Given the stats and load with no ticket, then a ticket with a description, tags, an externalId, an
    # agent and messages
    stats_before = api.list().json["stats"]
    ticket = create(api, tagIds=[TAG], externalId="CASE-1")
    assert api.update(ticket["id"], {"assignedAgentId": "agent_n1"}).status == 200
    assert api.reply(ticket["id"], {"message": "On it"}).status == 201
    assert api.reply(ticket["id"], {"message": "Thanks", "from": {"role": "CUSTOMER"}}).status == 201
    assert mentions(ticket["id"])

    # When it is deleted
    response = api.delete(ticket["id"])

    # Then it is 204 with no body, and no item of it or pointing at it is left but the record of who
    # deleted it, with the ticket as it was
    assert response.status == 204
    assert mentions(ticket["id"]) == []
    record = deletion_record(ticket["id"])
    assert record is not None
    deletion = items.deletion_from_item(record)
    assert (deletion.deleted_by.role, deletion.ticket.id, deletion.ticket.ticket_number) == (
        "admin",
        ticket["id"],
        ticket["ticketNumber"],
    )
    assert int(record["expiresAt"]["N"]) > time.time() + 24 * 3600
    # And it is 404 to read or delete again, in no list, and the stats and agent's load are as before it
    assert_error(api.get(ticket["id"]), 404, "TICKET_NOT_FOUND")
    assert_error(api.get(ticket["ticketNumber"]), 404, "TICKET_NOT_FOUND")
    assert_error(api.delete(ticket["id"]), 404, "TICKET_NOT_FOUND")
    assert api.list().data == [] and api.list(tag=TAG).data == []
    assert api.list().json["stats"] == stats_before
    assert seed.agents.get_agent("acme", "agent_n1").open_tickets == 0  # type: ignore[union-attr]
    # And its externalId is free for a new ticket
    assert (
        api.create({"customerExternalId": "user_42", "subject": "Again", "externalId": "CASE-1"}).status
        == 201
    )


@pytest.mark.parametrize("reference", ["number", "lower-case id"])
def test_a_ticket_is_deleted_by_its_number_or_its_id_in_any_case(api: Api, reference: str) -> None:
    ticket = create(api)
    target = ticket["ticketNumber"] if reference == "number" else ticket["id"].lower()
    assert api.delete(target).status == 204
    assert_error(api.get(ticket["id"]), 404, "TICKET_NOT_FOUND")


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "k-big"}], ids=["unkeyed", "keyed"])
def test_a_ticket_with_more_messages_than_one_transaction_holds_is_deleted_completely(
    api: Api, headers: dict[str, str]
) -> None:
    # Given a ticket with 250 messages (more than DynamoDB's 100 writes of one transaction)
    ticket = create(api)
    client, table = clients.dynamodb(), get_settings().table_name
    for _ in range(250):
        now = utc_now()
        message = Message(
            tenant_id="acme",
            id=new_ulid(now),
            ticket_id=ticket["id"],
            message="A message",
            from_=MessageAuthor(),
            created_at=now,
        )
        client.put_item(TableName=table, Item=items.message_item(message))

    # When it is deleted (with a key, whose mark takes a place in the last transaction)
    response = api.delete(ticket["id"], headers=headers)

    # Then nothing of it is left but, for a keyed delete, the key's mark (it expires with the key)
    assert response.status == 204
    left = [item["PK"]["S"] for item in mentions(ticket["id"])]
    assert left == ([keys.idempotency_partition("acme")] if headers else [])


@pytest.mark.parametrize(("role", "agent"), [("integration", None), ("agent", "agent_n1")])
def test_only_an_admin_may_delete_and_a_refusal_changes_nothing(
    api: Api, role: str, agent: str | None
) -> None:
    ticket = create(api)
    before = table_items()
    response = Api("acme", role=role, agent_id=agent).delete(ticket["id"])
    assert_error(response, 403, "FORBIDDEN")
    assert table_items() == before


def test_another_tenants_ticket_is_404_and_stays(api: Api, seed: Seeder) -> None:
    seed.tenant("globex", "GLX", name="Globex")
    ticket = create(api)
    before = table_items()
    assert_error(Api("globex").delete(ticket["id"]), 404, "TICKET_NOT_FOUND")
    assert_error(Api("globex").delete("INV-1"), 404, "TICKET_NOT_FOUND")
    assert table_items() == before


def test_a_delete_with_a_stale_etag_is_412_and_deletes_nothing(api: Api) -> None:
    ticket = create(api)
    assert api.update(ticket["id"], {"priority": "LOW"}).status == 200
    before = table_items()
    response = api.delete(ticket["id"], headers={"If-Match": '"1"'})
    assert_error(response, 412, "PRECONDITION_FAILED", "If-Match")
    assert response.headers["ETag"] == '"2"'
    assert table_items() == before


def test_a_delete_sent_again_with_its_idempotency_key_gets_the_first_answer(api: Api) -> None:
    # Given a ticket deleted with an Idempotency-Key
    ticket = create(api)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.delete(ticket["id"], headers=key).status == 204

    # When the same request is sent again with the key (its answer was lost, say)
    again = api.delete(ticket["id"], headers=key)

    # Then it gets the first answer, 204, marked as a replay, rather than a 404
    assert again.status == 204
    assert again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    ("reference", "status"),
    [
        pytest.param("../../etc/passwd", 404, id="path traversal"),
        pytest.param("' OR 1=1 --", 404, id="SQL injection"),
        pytest.param("INV-1' OR '1'='1", 404, id="a number with an injection"),
        pytest.param("1" * 65, 400, id="over 64"),
    ],
)
def test_a_hostile_ticket_reference_deletes_nothing(api: Api, reference: str, status: int) -> None:
    # Given a ticket, and the table as it is
    create(api)
    before = table_items()
    # When a DELETE names something that is no ticket reference (percent-encoded in the path)
    response = api.delete(reference)
    # Then it is a 4xx in the envelope, and nothing was deleted
    assert_error(response, status, "TICKET_NOT_FOUND" if status == 404 else "VALIDATION_ERROR")
    assert table_items() == before
