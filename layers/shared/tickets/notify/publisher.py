"""Events to the stack's event bus, where each consumer (webhooks; the real-time push and SLA next) has
a rule of its own: the table's stream keeps one reader (DynamoDB Streams allows two a shard)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tickets.models.domain import EventEnvelope

SOURCE = "tickets-api"
_BATCH = 10  # PutEvents' limit


class PublishFailed(Exception):
    """The bus refused some events: the stream record is retried, and its events published again
    (consumers tell them apart by id)."""


class EventPublisher:
    def __init__(self, events: Any, bus_name: str) -> None:
        self._events = events
        self._bus = bus_name

    def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        for start in range(0, len(envelopes), _BATCH):
            entries = [
                {
                    "EventBusName": self._bus,
                    "Source": SOURCE,
                    "DetailType": envelope.type,
                    "Detail": envelope.model_dump_json(by_alias=True),
                    "Time": envelope.occurred_at,
                }
                for envelope in envelopes[start : start + _BATCH]
            ]
            response = self._events.put_events(Entries=entries)
            if response.get("FailedEntryCount"):
                codes = [entry.get("ErrorCode") for entry in response["Entries"] if entry.get("ErrorCode")]
                raise PublishFailed(codes)
