"""The table's stream delivered to the stream function as Lambda delivers it, and the emails SES sent.

StreamPump reads the records of moto's stream (dynamodbstreams, shard by shard, from where it last
stopped), keeps those that pass TicketStreamFunction's FilterCriteria of template.yaml, and invokes the
real lambda_handler with batches no larger than the event source's BatchSize. Outbox reads what moto's
SES accepted."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import Message as MotoMessage
from moto.ses.models import ses_backends

from tests.support.aws import template
from tests.support.handlers import LambdaContext, handler_module

STREAM_FUNCTION = "TicketStreamFunction"
SENDER = "support@acme.com"  # the address tests' tenants send from (verified in moto's SES by `outbox`)
MAX_BATCH = 25  # Lambda's largest batch for this function, whatever the template says


@cache
def _event_source() -> dict[str, Any]:
    """The DynamoDB event source of TicketStreamFunction in template.yaml."""
    events = template()["Resources"][STREAM_FUNCTION]["Properties"]["Events"]
    sources = [event["Properties"] for event in events.values() if event["Type"] == "DynamoDB"]
    assert len(sources) == 1, f"{STREAM_FUNCTION} should read exactly one stream"
    return sources[0]  # type: ignore[no-any-return]


def stream_filters() -> list[dict[str, Any]]:
    """The FilterCriteria patterns of the event source (a record passes when any pattern matches)."""
    criteria = _event_source().get("FilterCriteria", {"Filters": [{"Pattern": "{}"}]})
    return [json.loads(entry["Pattern"]) for entry in criteria["Filters"]]


def batch_size() -> int:
    return min(int(_event_source().get("BatchSize", 100)), MAX_BATCH)


def matches(pattern: Any, value: Any) -> bool:
    """Lambda event filtering, for the pattern forms the template uses: nested objects whose leaves
    are lists of exact values. Anything else (prefix, numeric, exists...) fails loudly, so a new
    pattern in the template is noticed here rather than silently treated as a match."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            name in value and matches(inner, value[name]) for name, inner in pattern.items()
        )
    if isinstance(pattern, list):
        rules = [rule for rule in pattern if isinstance(rule, dict | list)]
        if rules:
            raise NotImplementedError(f"filter rules {rules} are not simulated; add them to matches()")
        values = value if isinstance(value, list) else [value]
        return any(candidate in pattern for candidate in values)
    raise NotImplementedError(f"a filter pattern leaf must be a list of values, not {pattern!r}")


def passes_filters(record: dict[str, Any], filters: Sequence[dict[str, Any]]) -> bool:
    return any(matches(pattern, record) for pattern in filters)


def lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda gives the function (creation time as epoch seconds)."""
    change = dict(raw["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion", "us-east-1"),
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def sequence_of(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def entity_of(record: dict[str, Any]) -> str:
    image = record["dynamodb"].get("NewImage") or record["dynamodb"].get("OldImage") or {}
    return str(image.get("entity", {}).get("S", ""))


def new_value(record: dict[str, Any], attribute: str) -> str | None:
    """A string attribute of the record's new image (None when absent)."""
    value = record["dynamodb"].get("NewImage", {}).get(attribute)
    return None if value is None else str(value.get("S", value.get("N")))


class StreamPump:
    """The table's stream, read from the start (the event source's TRIM_HORIZON) and delivered to the
    stream function in Lambda's event shape. Every record delivered is kept, by sequence number, so a
    test can deliver the same records again as a redelivering Lambda would."""

    def __init__(self, table_name: str) -> None:
        described = boto3.client("dynamodb").describe_table(TableName=table_name)["Table"]
        self.stream_arn: str = described["LatestStreamArn"]
        # botocore sends stream-ARN calls to the account's endpoint ({account}.streams-ddb...), which
        # moto 5.2 does not intercept; the regional endpoint reaches the same (mocked) stream.
        self._streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self._last_read: dict[str, str] = {}  # shard id -> sequence number of the last record read
        self.filters = stream_filters()
        self.batch_size = batch_size()
        self.delivered: dict[str, dict[str, Any]] = {}  # sequence number -> record, in delivery order

    # Reading ---------------------------------------------------------------------------------------

    def _shards(self) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self._streams.describe_stream(**request)["StreamDescription"]
            yield from description["Shards"]
            if not description.get("LastEvaluatedShardId"):
                return
            request["ExclusiveStartShardId"] = description["LastEvaluatedShardId"]

    def _iterator(self, shard_id: str) -> str:
        position: dict[str, Any] = {"ShardIteratorType": "TRIM_HORIZON"}
        if shard_id in self._last_read:
            position = {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "SequenceNumber": self._last_read[shard_id],
            }
        response = self._streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **position)
        return str(response["ShardIterator"])

    def read_all(self) -> list[dict[str, Any]]:
        """Every record written since the last read, whatever its entity, in stream order."""
        records: list[dict[str, Any]] = []
        for shard in self._shards():
            shard_id = shard["ShardId"]
            iterator: str | None = self._iterator(shard_id)
            while iterator:
                response = self._streams.get_records(ShardIterator=iterator, Limit=1000)
                if not response["Records"]:
                    break
                for raw in response["Records"]:
                    records.append(lambda_record(raw, self.stream_arn))
                    self._last_read[shard_id] = sequence_of(raw)
                iterator = response.get("NextShardIterator")
        return records

    def pending(self) -> list[dict[str, Any]]:
        """The records written since the last read that the event source's filter lets through."""
        return [record for record in self.read_all() if passes_filters(record, self.filters)]

    # Delivering ------------------------------------------------------------------------------------

    def invoke(self, records: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
        """One invocation of the stream function with these records; the batchItemFailures."""
        assert len(records) <= self.batch_size, f"Lambda never sends more than {self.batch_size} records"
        for record in records:
            self.delivered[sequence_of(record)] = record
        handler = handler_module("ticket_stream").lambda_handler
        response = handler({"Records": list(records)}, LambdaContext(function_name="ticket_stream"))
        failures: list[dict[str, str]] = response["batchItemFailures"]
        delivered = {sequence_of(record) for record in records}
        assert all(failure["itemIdentifier"] in delivered for failure in failures), failures
        return failures

    def deliver(self, records: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
        """The records in batches of at most the event source's BatchSize; every batchItemFailure."""
        failures: list[dict[str, str]] = []
        for start in range(0, len(records), self.batch_size):
            failures += self.invoke(records[start : start + self.batch_size])
        return failures

    def run_until_quiet(self, max_rounds: int = 10) -> list[dict[str, str]]:
        """Deliver what the stream holds, then what that caused, until nothing new passes the filter;
        every batchItemFailure on the way (failed records are not retried here)."""
        failures: list[dict[str, str]] = []
        for _ in range(max_rounds):
            records = self.pending()
            if not records:
                return failures
            failures += self.deliver(records)
        raise AssertionError(f"the stream was still busy after {max_rounds} rounds: a trigger loop?")

    def skip(self) -> None:
        """Forget what the stream holds so far (it is never delivered)."""
        self.read_all()

    def records(self, *sequence_numbers: str) -> list[dict[str, Any]]:
        """Delivered records by sequence number (as batchItemFailures name them)."""
        return [self.delivered[number] for number in sequence_numbers]

    def failed_records(self, failures: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
        return self.records(*(failure["itemIdentifier"] for failure in failures))


# SES -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentEmail:
    sender: str
    to: tuple[str, ...]
    subject: str
    html: str
    text: str | None  # the text part, as the client sent it (moto keeps only the HTML part)


class Outbox:
    """The emails moto's SES accepted, oldest first. moto records one body (the HTML part when there is
    one), so the text part is picked up from the client's request, joined by SES's message id."""

    def __init__(self, ses_client: Any) -> None:
        self._backend = ses_backends[DEFAULT_ACCOUNT_ID][ses_client.meta.region_name]
        self._texts: dict[str, str] = {}
        events = ses_client.meta.events
        events.register("provide-client-params.sesv2.SendEmail", self._remember_text)
        events.register("after-call.sesv2.SendEmail", self._keep_text)

    @staticmethod
    def _remember_text(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        body = params.get("Content", {}).get("Simple", {}).get("Body", {})
        context["outbox_text"] = body.get("Text", {}).get("Data")

    def _keep_text(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if parsed.get("MessageId") and context.get("outbox_text") is not None:
            self._texts[parsed["MessageId"]] = context["outbox_text"]

    @property
    def emails(self) -> list[SentEmail]:
        return [
            SentEmail(
                sender=message.source,
                to=tuple(message.destinations.get("ToAddresses", [])),
                subject=message.subject,
                html=message.body,
                text=self._texts.get(message.id),
            )
            for message in self._backend.sent_messages
            if isinstance(message, MotoMessage)
        ]

    def to(self, address: str) -> list[SentEmail]:
        return [email for email in self.emails if address in email.to]

    def __len__(self) -> int:
        return len(self.emails)
