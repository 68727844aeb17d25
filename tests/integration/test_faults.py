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
        if code == "timeout":
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
