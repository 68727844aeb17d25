"""The table client every store shares: one round trip per call, throttling and outages as
StoreUnavailable, partial answers and transaction conflicts asked again (tickets/retry.py), typed keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from tickets import retry
from tickets.keys import Entity
from tickets.store.errors import StoreUnavailable
from tickets.store.items import Item, serialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Errors that are DynamoDB's, not the request's: after botocore's retries they are StoreUnavailable.
_RETRY_LATER = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
# Why a transaction item was cancelled, when trying again can succeed.
_RETRYABLE_CANCELLATIONS = frozenset(
    {"TransactionConflict", "ProvisionedThroughputExceeded", "ThrottlingError"}
)
# DynamoDB's limits: actions in one TransactWriteItems, requests in one BatchWriteItem, keys in one
# BatchGetItem.
MAX_TRANSACTION_ITEMS = 100
_MAX_BATCH_WRITE = 25
_MAX_BATCH_GET = 100


class TransactionRejected(Exception):
    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__([reason.get("Code") for reason in reasons])
        self.reasons = reasons


def plain_key(key: Item) -> dict[str, str]:
    return {name: value["S"] for name, value in key.items()}


def typed_key(key: dict[str, str]) -> Item:
    return {name: {"S": value} for name, value in key.items()}


class Table:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _call(self, operation: Callable[..., Any], **kwargs: Any) -> Any:
        """One DynamoDB round trip; throttling that outlived botocore's retries is StoreUnavailable."""
        try:
            return operation(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] in _RETRY_LATER:
                raise StoreUnavailable() from error
            raise
        except BotoCoreError as error:  # timeouts and connection errors, after botocore's retries
            raise StoreUnavailable() from error

    def _transact(self, writes: list[dict[str, Any]]) -> None:
        """One atomic write. Transaction conflicts (another writer on the same item) are retried
        (tickets/retry.py); a failed condition raises TransactionRejected with DynamoDB's reasons, one
        per write. The request token makes a retry of this very write (same token, same items) apply once."""
        token = uuid.uuid4().hex
        for _ in retry.attempts(retry.STORE_ATTEMPTS, retry.STORE_BACKOFF):
            try:
                self._client.transact_write_items(TransactItems=writes, ClientRequestToken=token)  # type: ignore[arg-type]
                return
            except self._client.exceptions.TransactionCanceledException as error:
                reasons = error.response.get("CancellationReasons", [])
                codes = {reason.get("Code") for reason in reasons}
                if "ConditionalCheckFailed" in codes:
                    raise TransactionRejected([dict(reason) for reason in reasons]) from error
                if not codes & _RETRYABLE_CANCELLATIONS:
                    raise
            except self._client.exceptions.TransactionInProgressException:
                pass  # this token's earlier attempt is still being applied: ask again
            except ClientError as error:
                if error.response["Error"]["Code"] in _RETRY_LATER:
                    raise StoreUnavailable() from error
                raise
            except BotoCoreError as error:
                raise StoreUnavailable() from error
        raise StoreUnavailable()

    def _put(self, item: Item, condition: str | None = None) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": item}
        if condition:
            put["ConditionExpression"] = condition
            put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {"Put": put}

    def _delete(self, key: dict[str, str]) -> dict[str, Any]:
        return {"Delete": {"TableName": self._table, "Key": typed_key(key)}}

    def _add_counters(self, key: dict[str, str], delta: dict[str, int], entity: Entity) -> dict[str, Any]:
        names = {f"#c{index}": name for index, name in enumerate(sorted(delta))}
        values = {f":c{index}": {"N": str(delta[name])} for index, name in enumerate(sorted(delta))}
        additions = ", ".join(f"#c{index} :c{index}" for index in range(len(delta)))
        return {
            "Update": {
                "TableName": self._table,
                "Key": typed_key(key),
                "UpdateExpression": f"SET #entity = :entity ADD {additions}",
                "ExpressionAttributeNames": names | {"#entity": "entity"},
                "ExpressionAttributeValues": values | {":entity": {"S": entity}},
            }
        }

    def _update(
        self,
        key: dict[str, str],
        values: dict[str, Any],
        kept: dict[str, Any] | None = None,
        condition: str | None = "attribute_exists(PK)",
        condition_values: dict[str, Any] | None = None,
    ) -> Item | None:
        """One UpdateItem: SET `values` (None: REMOVE), SET `kept` only where absent. The item after
        it, or None when `condition` (default: the item exists; its :placeholders from
        `condition_values`, named apart from the attributes') failed."""
        kept = kept or {}
        names = {f"#{name}": name for name in (*values, *kept)}
        sets = [f"#{name} = :{name}" for name, value in values.items() if value is not None]
        sets += [f"#{name} = if_not_exists(#{name}, :{name})" for name in kept]
        removes = [f"#{name}" for name, value in values.items() if value is None]
        placeholders = {f":{name}": value for name, value in (values | kept).items() if value is not None}
        placeholders |= condition_values or {}
        clauses = [
            f"{action} {', '.join(parts)}" for action, parts in (("SET", sets), ("REMOVE", removes)) if parts
        ]
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": typed_key(key),
            "UpdateExpression": " ".join(clauses),
            "ExpressionAttributeNames": names,
            "ReturnValues": "ALL_NEW",
        }
        if placeholders:  # an update that only clears fields has no values at all
            request["ExpressionAttributeValues"] = serialize(placeholders)
        if condition:
            request["ConditionExpression"] = condition
        try:
            response = self._call(self._client.update_item, **request)
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return response["Attributes"]  # type: ignore[no-any-return]

    def _get(self, key: dict[str, str]) -> Item | None:
        response = self._call(
            self._client.get_item, TableName=self._table, Key=typed_key(key), ConsistentRead=True
        )
        return response.get("Item")  # type: ignore[no-any-return]

    def _delete_existing(self, key: dict[str, str]) -> bool:
        """Delete the item; False when there was none."""
        try:
            self._call(
                self._client.delete_item,
                TableName=self._table,
                Key=typed_key(key),
                ConditionExpression="attribute_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _query_prefix(self, partition: str, prefix: str, consistent: bool = False) -> list[Item]:
        """Every item of `partition` whose SK starts with `prefix`, all pages (small collections only)."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":prefix": {"S": prefix}},
            "ConsistentRead": consistent,
        }
        found: list[Item] = []
        while True:
            response = self._call(self._client.query, **request)
            found.extend(response["Items"])
            if not response.get("LastEvaluatedKey"):
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _partition_keys(self, partition: str) -> list[dict[str, str]]:
        """The keys of every item of a partition, all pages, read consistently."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ProjectionExpression": "PK, SK",
            "ConsistentRead": True,
        }
        found: list[dict[str, str]] = []
        while True:
            response = self._call(self._client.query, **request)
            found.extend(plain_key(item) for item in response["Items"])
            if not response.get("LastEvaluatedKey"):
                return found
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _batch_delete(self, keys: Sequence[dict[str, str]]) -> None:
        """BatchWriteItem deletes, 25 a call, the unprocessed ones sent again (rare; under throttling)."""
        for start in range(0, len(keys), _MAX_BATCH_WRITE):
            request: Any = {
                self._table: [
                    {"DeleteRequest": {"Key": typed_key(key)}}
                    for key in keys[start : start + _MAX_BATCH_WRITE]
                ]
            }
            for _ in retry.attempts(retry.STORE_ATTEMPTS, retry.STORE_BACKOFF):
                response = self._call(self._client.batch_write_item, RequestItems=request)
                request = response.get("UnprocessedItems") or {}
                if not request:
                    break
            else:
                raise StoreUnavailable()

    def _batch_get(self, wanted: Sequence[dict[str, str]], consistent: bool = True) -> list[Item]:
        """BatchGetItem, 100 keys a call, with the unprocessed keys asked again (rare; only under
        throttling)."""
        found: list[Item] = []
        for start in range(0, len(wanted), _MAX_BATCH_GET):
            chunk = [typed_key(key) for key in wanted[start : start + _MAX_BATCH_GET]]
            request: Any = {self._table: {"Keys": chunk, "ConsistentRead": consistent}}
            for _ in retry.attempts(retry.STORE_ATTEMPTS, retry.STORE_BACKOFF):
                response = self._call(self._client.batch_get_item, RequestItems=request)
                found.extend(response["Responses"].get(self._table, []))
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise StoreUnavailable()
        return found
