"""Idempotency-Key on every write: a retry gets the first answer back and has no second effect."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.assertions import assert_error
from tests.support.factories import Seeder
from tests.support.handlers import Api, ApiResponse, LambdaContext
from tickets import clients, keys
from tickets.api import idempotency
from tickets.api.services import ticket_service
from tickets.logic.access import Caller
from tickets.models.enums import Role
from tickets.models.requests import CreateTicketRequest
from tickets.settings import get_settings

TICKET = {"customerExternalId": "user_42", "subject": "Payment failed twice"}


def keyed(key: str) -> dict[str, Any]:
    return {"headers": {"Idempotency-Key": key}}


def same_answer(first: ApiResponse, again: ApiResponse) -> None:
    """The replay is the first response: status, body (timestamp included) and ETag."""
    assert again.status == first.status
    assert again.json == first.json
    assert again.headers.get("ETag") == first.headers.get("ETag")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers


def idempotency_records(tenant_id: str) -> list[dict[str, Any]]:
    response = clients.dynamodb().query(
        TableName=get_settings().table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.idempotency_partition(tenant_id)}},
    )
    return response["Items"]


def test_a_create_sent_twice_with_one_key_creates_one_ticket_and_answers_the_same(api: Api) -> None:
    # Given a create that was sent with a key
    first = api.create(TICKET, **keyed("create-1"))
    assert first.status == 201
    # When the integration retries it (it never saw the answer)
    again = api.create(TICKET, **keyed("create-1"))
    # Then it gets the same 201 and the same ticket, and there is one ticket
    same_answer(first, again)
    listed = api.list()
    assert [ticket["id"] for ticket in listed.data] == [first.data["id"]]
    assert listed.json["stats"]["total"] == 1


def test_a_reply_sent_twice_with_one_key_adds_one_message(api: Api) -> None:
    ticket_id = api.create(TICKET).data["id"]
    first = api.reply(ticket_id, {"message": "We are on it"}, **keyed("reply-1"))
    again = api.reply(ticket_id, {"message": "We are on it"}, **keyed("reply-1"))
    same_answer(first, again)
    ticket = api.get(ticket_id).data
    assert ticket["messageCount"] == 1
    assert [message["id"] for message in ticket["messages"]] == [first.data["message"]["id"]]


def test_a_patch_sent_twice_with_one_key_changes_the_ticket_once(api: Api) -> None:
    ticket_id = api.create(TICKET).data["id"]
    first = api.update(ticket_id, {"priority": "HIGH"}, **keyed("patch-1"))
    again = api.update(ticket_id, {"priority": "HIGH"}, **keyed("patch-1"))
    same_answer(first, again)
    assert api.get(ticket_id).data["version"] == first.data["version"] == 2


def test_customer_and_agent_writes_replay_too(api: Api) -> None:
    customer = {"email": "ana@example.com", "name": "Ana"}
    first = api.put_customer("user_77", customer, **keyed("customer-1"))
    same_answer(first, api.put_customer("user_77", customer, **keyed("customer-1")))
    agent = {"name": "Bea", "email": "bea@example.com"}
    first_agent = api.put_agent("agent_b", agent, **keyed("agent-1"))
    same_answer(first_agent, api.put_agent("agent_b", agent, **keyed("agent-1")))
    patched = api.patch_agent("agent_b", {"available": False}, **keyed("agent-2"))
    same_answer(patched, api.patch_agent("agent_b", {"available": False}, **keyed("agent-2")))


@pytest.mark.parametrize(
    "second",
    [
        {"body": TICKET | {"subject": "Another subject"}},
        {"body": TICKET, "headers": {"If-Match": '"1"'}},
    ],
    ids=["other-body", "other-precondition"],
)
def test_one_key_for_a_different_request_is_409_and_writes_nothing(api: Api, second: dict[str, Any]) -> None:
    # Given a ticket created with a key
    api.create(TICKET, **keyed("create-2"))
    # When the key is sent again with a different request
    headers = {"Idempotency-Key": "create-2"} | second.get("headers", {})
    response = api.create(second["body"], headers=headers)
    # Then it is refused and there is still one ticket
    assert_error(response, 409, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert api.list().json["stats"]["total"] == 1


def test_one_key_on_another_route_is_409(api: Api) -> None:
    ticket_id = api.create(TICKET, **keyed("shared-key")).data["id"]
    response = api.update(ticket_id, {"priority": "LOW"}, **keyed("shared-key"))
    assert_error(response, 409, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert api.get(ticket_id).data["priority"] != "LOW"


def test_keys_are_scoped_to_the_tenant(api: Api, seed: Seeder) -> None:
    # Given another tenant that happens to use the same key
    seed.tenant("globex", "GLX")
    seed.customer("globex")
    ours = api.create(TICKET, **keyed("order-1001"))
    theirs = Api("globex").create(TICKET, **keyed("order-1001"))
    # Then each tenant got its own ticket
    assert ours.status == theirs.status == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.data["ticketNumber"].startswith("GLX-")


def test_a_request_still_in_flight_with_the_key_is_409_with_retry_after(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a create that, while it is being written, is sent again with the same key
    service = ticket_service()
    create, inner = service.create_ticket, []

    def create_and_retry_meanwhile(caller: Caller, request: CreateTicketRequest) -> Any:
        if not inner:
            inner.append(api.create(TICKET, **keyed("slow-1")))
        return create(caller, request)

    monkeypatch.setattr(service, "create_ticket", create_and_retry_meanwhile)
    first = api.create(TICKET, **keyed("slow-1"))
    # Then the retry was told to come back, and the first request created the one ticket
    assert_error(inner[0], 409, "IDEMPOTENCY_KEY_IN_USE", "Idempotency-Key")
    assert inner[0].headers["Retry-After"] == "1"
    assert first.status == 201
    assert api.list().json["stats"]["total"] == 1


def test_a_failed_request_does_not_keep_its_key(api: Api, seed: Seeder) -> None:
    # Given a create refused because the customer does not exist yet
    body = TICKET | {"customerExternalId": "user_new"}
    assert_error(api.create(body, **keyed("create-3")), 404, "CUSTOMER_NOT_FOUND")
    assert idempotency_records("acme") == []
    # When the customer is created and the same request retried with the same key
    seed.customer("acme", "user_new")
    retried = api.create(body, **keyed("create-3"))
    # Then it is carried out
    assert retried.status == 201
    assert "Idempotent-Replayed" not in retried.headers


def test_a_key_is_remembered_for_24_hours(api: Api) -> None:
    # Given a ticket created with a key
    first = api.create(TICKET, **keyed("create-4"))
    # Then what the key left (its record and the mark of its write) expires 24 h later, through the
    # table's TTL attribute
    records = idempotency_records("acme")
    assert len(records) == 2
    for record in records:
        expires_in = int(record["expiresAt"]["N"]) - time.time()
        assert idempotency.KEY_TTL_SECONDS - 60 < expires_in <= idempotency.KEY_TTL_SECONDS
    # When the 24 h have passed (DynamoDB may not have removed them yet), the key is free again: the
    # same request is a new one
    for record in records:
        clients.dynamodb().update_item(
            TableName=get_settings().table_name,
            Key={"PK": record["PK"], "SK": record["SK"]},
            UpdateExpression="SET expiresAt = :past",
            ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
        )
    later = api.create(TICKET, **keyed("create-4"))
    assert later.status == 201
    assert "Idempotent-Replayed" not in later.headers
    assert later.data["id"] != first.data["id"]


@pytest.mark.parametrize(
    "key", ["", "has space", "x" * 256, "ключ"], ids=["empty", "space", "long", "non-ascii"]
)
def test_an_invalid_key_is_400_and_writes_nothing(api: Api, key: str) -> None:
    response = api.create(TICKET, headers={"Idempotency-Key": key})
    assert_error(response, 400, "VALIDATION_ERROR", "Idempotency-Key")
    assert api.list().json["stats"]["total"] == 0


@pytest.mark.usefixtures("atomic_requests")
def test_parallel_creates_with_one_key_create_one_ticket(api: Api) -> None:
    caller = Caller(tenant_id="acme", role=Role.INTEGRATION, key_id="key_race")
    request = CreateTicketRequest.model_validate(TICKET)
    created: list[str] = []

    def create(_: int) -> str:
        def write() -> idempotency.StoredResponse:
            ticket = ticket_service().create_ticket(caller, request)[0]
            created.append(ticket.id)
            return {"status": 201, "body": ticket.id, "headers": {}}

        try:
            return str(
                idempotency.run_once("acme", "race-1", {"body": TICKET}, LambdaContext(), write)["body"]
            )
        except Exception as error:
            return type(error).__name__

    # When 10 requests with one key race
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(create, range(10)))
    # Then one ticket was created; every other request got it back or was told the key is in use
    assert len(created) == 1
    assert set(outcomes) <= {created[0], "IdempotencyKeyInUse"}
    assert api.list().json["stats"]["total"] == 1


def test_requests_without_a_key_are_not_deduplicated(api: Api) -> None:
    first, second = api.create(TICKET), api.create(TICKET)
    assert first.data["id"] != second.data["id"]
    assert idempotency_records("acme") == []


def test_keyed_requests_leave_the_shared_client_as_they_found_it(api: Api) -> None:
    """Powertools' store registers a handler on the client it is given; one store per request would
    pile one more onto the container's shared client for every keyed write it ever served."""

    def handlers() -> int:
        emitter = clients.dynamodb().meta.events._emitter  # botocore's, to count what is registered
        return len(list(emitter._handlers.prefix_search("request-created.dynamodb.UpdateItem")))

    # Given a container that has served one keyed write
    ticket_id = api.create(TICKET).data["id"]
    api.update(ticket_id, {"priority": "LOW"}, **keyed("warm-0"))
    after_one = handlers()
    # When it serves more
    for n in range(1, 6):
        api.update(ticket_id, {"priority": "HIGH" if n % 2 else "LOW"}, **keyed(f"warm-{n}"))
    # Then its client carries no more handlers than before
    assert handlers() == after_one
