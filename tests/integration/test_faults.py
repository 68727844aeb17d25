"""DynamoDB failing under the API: throttling, cancelled transactions, outages and timeouts.

Faults are answered in botocore's `before-send` step, so botocore's own retries (standard mode, the
package's settings) see them as they would see AWS's, and moto only sees the requests let through."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from tests.support.assertions import assert_error
from tests.support.handlers import Api, ApiResponse
from tests.support.moto_table import table_items
from tickets import clients
from tickets.settings import get_aws_settings, get_settings
from tickets.store.repository import TicketRepository

TICKET = {"customerExternalId": "user_42", "subject": "Refund never arrived"}
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


class DynamoDBFaults:
    """Answers the chosen operations with an AWS error, `times` times each (None: every time)."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self._plan: dict[str, tuple[int, str, dict[str, Any], int | None]] = {}
        # Every before-send handler runs, so moto's would still carry out a failed request: the faults
        # take its place and hand it only the requests they let through.
        events = clients.dynamodb().meta.events
        events.unregister("before-send", botocore_stubber)
        events.register("before-send", self._before_send)

    def fail(
        self,
        operations: tuple[str, ...],
        code: str,
        times: int | None = None,
        status: int = 400,
        **fields: Any,
    ) -> None:
        for operation in operations:
            self._plan[operation] = (status, code, fields, times)

    def time_out(self, operations: tuple[str, ...]) -> None:
        self.fail(operations, "timeout")

    def lose_answers(self, operations: tuple[str, ...]) -> None:
        """Each request is carried out, then its answer times out: the write is made, nobody hears."""
        self.fail(operations, "answer lost")

    def clear(self) -> None:
        self._plan.clear()

    def _before_send(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        target = request.headers["X-Amz-Target"]
        operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
        self.sent[operation] += 1
        status, code, fields, times = self._plan.get(operation, (0, "", {}, 0))
        if times == 0:
            return botocore_stubber(request=request, **kwargs)  # type: ignore[no-any-return]
        if times is not None:
            self._plan[operation] = (status, code, fields, times - 1)
        if code == "answer lost":
            botocore_stubber(request=request, **kwargs)
        if code in ("timeout", "answer lost"):
            raise ReadTimeoutError(endpoint_url=request.url)
        body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"} | fields
        return AWSResponse(request.url, status, {}, MockRawResponse(json.dumps(body)))


@pytest.fixture
def faults(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBFaults]:
    """Faults on the package's client; botocore's backoff and ours do not really sleep."""
    monkeypatch.setattr("time.sleep", lambda _: None)
    yield DynamoDBFaults()


@dataclass(frozen=True)
class WritePath:
    """A write, made with an Idempotency-Key, and what holds once it was made exactly once."""

    name: str
    write: Callable[[Api, str], ApiResponse]
    made_once: Callable[[Api, str], bool]


WRITE_PATHS = [
    WritePath(
        "create",
        lambda api, _: api.create(TICKET, headers={"Idempotency-Key": "k-create"}),
        lambda api, _: api.list().json["stats"]["total"] == 2,
    ),
    WritePath(
        "reply",
        lambda api, ticket: api.reply(
            ticket, {"message": "Refund sent"}, headers={"Idempotency-Key": "k-reply"}
        ),
        lambda api, ticket: api.get(ticket).data["messageCount"] == 1,
    ),
    WritePath(
        "update",
        lambda api, ticket: api.update(ticket, {"priority": "HIGH"}, headers={"Idempotency-Key": "k-update"}),
        lambda api, ticket: api.get(ticket).data["version"] == 2,
    ),
    WritePath(
        "put customer",
        lambda api, _: api.put_customer("user_9", {"name": "Ana"}, headers={"Idempotency-Key": "k-customer"}),
        lambda api, _: api.get_customer("user_9").status == 200,
    ),
    WritePath(
        "put agent",
        lambda api, _: api.put_agent("agent_z", {"name": "Zoe"}, headers={"Idempotency-Key": "k-agent"}),
        lambda api, _: [a["id"] for a in api.list_agents().data].count("agent_z") == 1,
    ),
    WritePath(
        "patch agent",
        lambda api, _: api.patch_agent(
            "agent_n1", {"available": False}, headers={"Idempotency-Key": "k-patch"}
        ),
        lambda api, _: [a["available"] for a in api.list_agents().data if a["id"] == "agent_n1"] == [False],
    ),
]
each_write_path = pytest.mark.parametrize("path", WRITE_PATHS, ids=[path.name for path in WRITE_PATHS])


@pytest.fixture
def ticket_id(api: Api) -> str:
    return str(api.create(TICKET).data["id"])


@each_write_path
def test_throttling_that_clears_within_the_retries_goes_unnoticed(
    api: Api, ticket_id: str, faults: DynamoDBFaults, path: WritePath
) -> None:
    # Given DynamoDB throttles the first two attempts of every write
    faults.fail(WRITES, "ProvisionedThroughputExceededException", times=2)
    # When the write is made
    response = path.write(api, ticket_id)
    # Then botocore's retries carried it: a 2xx, made once
    assert response.status in (200, 201), response.json
    assert path.made_once(api, ticket_id)


@each_write_path
def test_throttling_that_outlasts_the_retries_is_a_503_that_changes_nothing_and_can_be_retried(
    api: Api, ticket_id: str, faults: DynamoDBFaults, path: WritePath
) -> None:
    # Given DynamoDB throttles every write for longer than botocore retries
    before = table_items()
    faults.fail(WRITES, "ThrottlingException")
    # When the write is made
    response = path.write(api, ticket_id)
    # Then it is a 503 asking to retry, and nothing in the table changed
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["Retry-After"] == "1"
    assert table_items() == before
    # And once DynamoDB recovers, the client's retry (same Idempotency-Key) is made exactly once
    faults.clear()
    assert path.write(api, ticket_id).status in (200, 201)
    assert path.made_once(api, ticket_id)


def test_botocore_makes_the_configured_number_of_attempts(api: Api, faults: DynamoDBFaults) -> None:
    faults.fail(("TransactWriteItems",), "ProvisionedThroughputExceededException")
    assert_error(api.create(TICKET), 503, "SERVICE_UNAVAILABLE")
    assert faults.sent["TransactWriteItems"] == get_aws_settings().aws_max_attempts


def test_a_ticket_transaction_that_fails_gives_the_quota_back_and_writes_no_ticket(
    api: Api, faults: DynamoDBFaults
) -> None:
    # Given the ticket's transaction fails after its number was taken
    faults.fail(("TransactWriteItems",), "InternalServerError", status=500)
    # When a ticket is created
    assert_error(api.create(TICKET), 503, "SERVICE_UNAVAILABLE")
    # Then there is no ticket, and the month's quota count is back where it was
    faults.clear()
    assert api.list().json["stats"]["total"] == 0
    [tenant] = [item for item in table_items() if item["SK"]["S"] == "#TENANT"]
    assert all(int(value["N"]) == 0 for name, value in tenant.items() if name.startswith("ticketsCreated#"))
    # And the next ticket is created (numbers may have a gap; they are never reused)
    assert api.create(TICKET).status == 201


def test_a_transaction_cancelled_by_a_conflict_is_retried(
    api: Api, ticket_id: str, faults: DynamoDBFaults
) -> None:
    # Given the first two attempts collide with another transaction on the same items
    reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
    faults.fail(("TransactWriteItems",), "TransactionCanceledException", times=2, CancellationReasons=reasons)
    # When a reply is written
    response = api.reply(ticket_id, {"message": "Looking into it"})
    # Then it was made once
    assert response.status == 201
    assert api.get(ticket_id).data["messageCount"] == 1


def test_timeouts_after_the_retries_are_a_503(api: Api, ticket_id: str, faults: DynamoDBFaults) -> None:
    faults.time_out(("Query", "GetItem", "TransactWriteItems"))
    assert_error(api.update(ticket_id, {"priority": "LOW"}), 503, "SERVICE_UNAVAILABLE")
    assert_error(api.get(ticket_id), 503, "SERVICE_UNAVAILABLE")
    faults.clear()
    assert api.get(ticket_id).data["priority"] != "LOW"


def test_throttled_reads_are_a_503_never_a_500(api: Api, ticket_id: str, faults: DynamoDBFaults) -> None:
    faults.fail(("Query", "GetItem", "BatchGetItem"), "ProvisionedThroughputExceededException")
    for response in (api.list(), api.get(ticket_id), api.list_agents(), api.get_customer("user_42")):
        assert_error(response, 503, "SERVICE_UNAVAILABLE")


def test_a_key_whose_failed_write_could_not_be_released_is_in_use_until_the_invocation_would_have_ended(
    api: Api, ticket_id: str, faults: DynamoDBFaults
) -> None:
    # Given a keyed reply whose transaction fails, and DynamoDB refuses to delete the key's record too
    faults.fail(("TransactWriteItems", "DeleteItem"), "ThrottlingException")
    reply = {"message": "Refund sent"}
    assert_error(api.reply(ticket_id, reply, headers={"Idempotency-Key": "k-1"}), 503, "SERVICE_UNAVAILABLE")
    faults.clear()
    # When the client retries at once, it is asked to come back (no second write can start meanwhile)
    retry = api.reply(ticket_id, reply, headers={"Idempotency-Key": "k-1"})
    assert_error(retry, 409, "IDEMPOTENCY_KEY_IN_USE")
    assert retry.headers["Retry-After"] == "1"
    # Then once the failed invocation's time is up (the record's in-flight expiry), the retry is made once
    [record] = [item for item in table_items() if item["PK"]["S"].endswith("#IDEMPOTENCY")]
    clients.dynamodb().update_item(
        TableName=get_settings().table_name,
        Key={"PK": record["PK"], "SK": record["SK"]},
        UpdateExpression="SET inProgressExpiresAtMs = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    assert api.reply(ticket_id, reply, headers={"Idempotency-Key": "k-1"}).status == 201
    assert api.get(ticket_id).data["messageCount"] == 1


# A keyed write that committed, but whose answer was lost ------------------------------------------


def tenant_counters() -> dict[str, int]:
    """The ticket sequence and the quota counters of the tenant item."""
    [tenant] = [item for item in table_items() if item["SK"]["S"] == "#TENANT"]
    return {
        name: int(value["N"])
        for name, value in tenant.items()
        if name == "ticketSequence" or name.startswith("ticketsCreated#")
    }


def agent_load(api: Api, agent_id: str = "agent_n1") -> int:
    [load] = [agent["openTickets"] for agent in api.list_agents().data if agent["id"] == agent_id]
    return int(load)


def replayed(response: ApiResponse, status: int) -> bool:
    return response.status == status and response.headers.get("Idempotent-Replayed") == "true"


ASSIGNED_TICKET = TICKET | {"assignedAgentId": "agent_n1"}


def test_a_keyed_create_whose_answer_was_lost_after_it_committed_is_not_made_again_on_retry(
    api: Api, faults: DynamoDBFaults
) -> None:
    # Given a keyed create whose transaction commits while every attempt's answer is lost
    key = {"Idempotency-Key": "k-lost-create"}
    faults.lose_answers(("TransactWriteItems",))
    assert_error(api.create(ASSIGNED_TICKET, headers=key), 503, "SERVICE_UNAVAILABLE")
    # When DynamoDB answers again and the client retries with the same key
    faults.clear()
    retry = api.create(ASSIGNED_TICKET, headers=key)
    # Then the retry is the first create's outcome: 201 with that ticket as it is, marked as a replay
    assert replayed(retry, 201), retry.json
    [ticket] = api.list().data
    assert retry.data["id"] == ticket["id"]
    assert retry.data["ticketNumber"] == ticket["ticketNumber"]
    assert retry.headers["ETag"] == '"1"'
    # And there is one ticket, counted once in the stats, the month's quota and its agent's load; the
    # retry took no number either
    stats = api.list().json["stats"]
    assert (stats["total"], stats["byStatus"]["IN_PROGRESS"], stats["unassigned"]) == (1, 1, 0)
    assert list(tenant_counters().values()) == [1, 1]
    assert agent_load(api) == 1
    # And a further retry gets the same answer again
    assert api.create(ASSIGNED_TICKET, headers=key).json == retry.json


def test_a_keyed_reply_whose_answer_was_lost_after_it_committed_adds_no_second_message(
    api: Api, ticket_id: str, faults: DynamoDBFaults
) -> None:
    # Given a keyed reply whose transaction commits while every attempt's answer is lost
    key = {"Idempotency-Key": "k-lost-reply"}
    faults.lose_answers(("TransactWriteItems",))
    assert_error(api.reply(ticket_id, {"message": "Refund sent"}, headers=key), 503, "SERVICE_UNAVAILABLE")
    # When the client retries with the same key
    faults.clear()
    retry = api.reply(ticket_id, {"message": "Refund sent"}, headers=key)
    # Then it gets 201 with the message the first attempt wrote and the ticket as it is, as a replay
    assert replayed(retry, 201), retry.json
    ticket = api.get(ticket_id).data
    assert [message["id"] for message in ticket["messages"]] == [retry.data["message"]["id"]]
    assert retry.data["message"] == ticket["messages"][0]
    assert ticket["messageCount"] == retry.data["ticket"]["messageCount"] == 1
    assert ticket["version"] == retry.data["ticket"]["version"] == 2
    assert retry.headers["ETag"] == '"2"'
    # And the stats count the ticket once, as it is after the one reply
    stats = api.list().json["stats"]
    assert stats["total"] == 1
    assert stats["needsResponse"] == (1 if ticket["awaitingResponseFrom"] == "AGENT" else 0)


def test_a_keyed_update_whose_answer_was_lost_after_it_committed_is_answered_not_refused_on_retry(
    api: Api, ticket_id: str, faults: DynamoDBFaults
) -> None:
    # Given a keyed PATCH made on the ETag the client read, whose transaction commits while every
    # attempt's answer is lost
    change = {"priority": "HIGH", "assignedAgentId": "agent_n1"}
    headers = {"Idempotency-Key": "k-lost-update", "If-Match": '"1"'}
    faults.lose_answers(("TransactWriteItems",))
    assert_error(api.update(ticket_id, change, headers=headers), 503, "SERVICE_UNAVAILABLE")
    # When the client retries it as it was (its If-Match is no longer the ticket's version)
    faults.clear()
    retry = api.update(ticket_id, change, headers=headers)
    # Then it gets 200 with the ticket as the first attempt left it, as a replay, not a 412
    assert replayed(retry, 200), retry.json
    assert (retry.data["version"], retry.data["priority"]) == (2, "HIGH")
    assert retry.data["assignedAgent"]["id"] == "agent_n1"
    assert retry.headers["ETag"] == '"2"'
    assert api.get(ticket_id).data["version"] == 2
    # And the change was counted once: in the stats and in the agent's load
    stats = api.list().json["stats"]
    assert (stats["total"], stats["byStatus"]["IN_PROGRESS"], stats["unassigned"]) == (1, 1, 0)
    assert agent_load(api) == 1


def test_a_keyed_delete_whose_answer_was_lost_after_it_committed_is_204_on_retry(
    api: Api, faults: DynamoDBFaults
) -> None:
    # Given a ticket with an agent, and a keyed delete of it that commits while its answers are lost
    ticket_id = api.create(ASSIGNED_TICKET).data["id"]
    key = {"Idempotency-Key": "k-lost-delete"}
    faults.lose_answers(("TransactWriteItems",))
    assert_error(api.delete(ticket_id, headers=key), 503, "SERVICE_UNAVAILABLE")
    # When the client retries with the same key
    faults.clear()
    retry = api.delete(ticket_id, headers=key)
    # Then it is the first delete's 204 (not a 404), as a replay, and the ticket is gone uncounted
    assert replayed(retry, 204)
    assert_error(api.get(ticket_id), 404, "TICKET_NOT_FOUND")
    assert api.list().json["stats"]["total"] == 0
    assert agent_load(api) == 0


def test_after_a_lost_answer_the_key_still_refuses_a_different_request(
    api: Api, faults: DynamoDBFaults
) -> None:
    # Given a keyed create that committed while its answers were lost
    key = {"Idempotency-Key": "k-lost-other"}
    faults.lose_answers(("TransactWriteItems",))
    assert_error(api.create(TICKET, headers=key), 503, "SERVICE_UNAVAILABLE")
    faults.clear()
    # When the key comes back with another body
    response = api.create(TICKET | {"subject": "Another subject"}, headers=key)
    # Then it is refused, and there is still the one ticket, counted once
    assert_error(response, 409, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert api.list().json["stats"]["total"] == 1
    assert tenant_counters()["ticketSequence"] == 1


def test_a_retry_whose_transaction_meets_the_first_write_is_told_to_retry_and_counts_nothing(
    api: Api, faults: DynamoDBFaults, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a keyed create that committed while its answers were lost
    key = {"Idempotency-Key": "k-lost-race"}
    faults.lose_answers(("TransactWriteItems",))
    assert_error(api.create(TICKET, headers=key), 503, "SERVICE_UNAVAILABLE")
    faults.clear()
    # When the retry looks for the key's write before that write is visible (as while it is still
    # being committed), and so makes a transaction of its own
    with monkeypatch.context() as early:
        early.setattr(TicketRepository, "written_under_key", lambda _: None)
        response = api.create(TICKET, headers=key)
    # Then that transaction is refused by the key's mark: the client is asked to retry, and the month's
    # quota does not count the ticket twice (the retry's number is left unused: a gap)
    assert_error(response, 409, "IDEMPOTENCY_KEY_IN_USE", "Idempotency-Key")
    assert response.headers["Retry-After"] == "1"
    assert api.list().json["stats"]["total"] == 1
    counters = tenant_counters()
    assert counters.pop("ticketSequence") == 2
    assert list(counters.values()) == [1]
    # And the next retry is answered from the first write
    retry = api.create(TICKET, headers=key)
    assert replayed(retry, 201)
    assert retry.data["ticketNumber"] == api.list().data[0]["ticketNumber"]
