"""The queue between the events and the delivery function: one message per attempt that is due, with
SQS's delay (at most 15 minutes; a later attempt is handed on until it is due, logic/deliveries.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tickets.models.webhooks import DeliveryTask

MAX_DELAY_SECONDS = 900  # SQS's DelaySeconds
_BATCH = 10  # SendMessageBatch's limit


class QueueRefused(Exception):
    """SQS kept some messages back: the caller fails, and what it was handed comes again."""


class DeliveryQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def send(self, tasks: Sequence[tuple[DeliveryTask, int]]) -> None:
        """Each task with its delay in seconds (0 to MAX_DELAY_SECONDS), ten a round trip."""
        for start in range(0, len(tasks), _BATCH):
            entries = [
                {
                    "Id": str(index),
                    "MessageBody": task.model_dump_json(by_alias=True),
                    "DelaySeconds": max(0, min(MAX_DELAY_SECONDS, delay)),
                }
                for index, (task, delay) in enumerate(tasks[start : start + _BATCH])
            ]
            response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            if response.get("Failed"):
                raise QueueRefused([failure.get("Code") for failure in response["Failed"]])
