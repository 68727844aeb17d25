"""The webhook path of template.yaml in moto: the stream function publishes to the bus, the bus's
WebhookEventsRule puts each event on the events queue, the dispatch function's handler takes them, and
the delivery function's handler takes the delivery queue's tasks. Tasks due later are taken from the
queue by the test and attempted at a time the test sets."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
from moto.sqs.models import sqs_backends

from tests.support.aws import template
from tests.support.handlers import LambdaContext, handler_module
from tests.support.streams import StreamPump
from tickets import clients
from tickets.logic.deliveries import Deliverer
from tickets.models.webhooks import DeliveryTask
from tickets.notify.delivery_queue import DeliveryQueue
from tickets.settings import get_event_settings, get_settings, get_webhook_settings
from tickets.store.secrets import SecretBox
from tickets.store.webhooks import WebhookStore

EVENTS_QUEUE = "tickets-test-webhook-events"


def _sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """Lambda's SQS event for these received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


class WebhookPipeline:
    def __init__(self, table_name: str) -> None:
        self.stream = StreamPump(table_name)
        self._sqs = boto3.client("sqs")
        self.events_url = self._sqs.create_queue(QueueName=EVENTS_QUEUE)["QueueUrl"]
        self.events_arn = self._arn(self.events_url)
        rule = template()["Resources"]["WebhookEventsRule"]["Properties"]
        bus = get_event_settings().event_bus_name
        events = boto3.client("events")
        events.put_rule(
            Name="webhook-events", EventBusName=bus, EventPattern=json.dumps(rule["EventPattern"])
        )
        events.put_targets(
            Rule="webhook-events",
            EventBusName=bus,
            Targets=[{"Id": "webhook-events", "Arn": self.events_arn}],
        )
        self.deliveries_url = get_webhook_settings().queue_url
        self.deliveries_arn = self._arn(self.deliveries_url)

    def _arn(self, url: str) -> str:
        attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return str(attributes["Attributes"]["QueueArn"])

    def _drain(self, url: str, arn: str, function: str) -> int:
        """Hand the queue's visible messages to the function, ten at a time, as the event source does;
        the messages it handled are deleted, those it failed stay. How many it handled."""
        handled = 0
        while True:
            messages = self._sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return handled
            response = handler_module(function).lambda_handler(
                _sqs_event(messages, arn), LambdaContext(function_name=function)
            )
            failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
            for message in messages:
                if message["MessageId"] not in failed:
                    self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    handled += 1
            if failed:
                return handled

    def dispatch(self) -> int:
        """The events on the events queue to the dispatch function; how many it handled."""
        return self._drain(self.events_url, self.events_arn, "webhook_dispatch")

    def deliver(self) -> int:
        """The tasks due now to the delivery function; how many it handled."""
        return self._drain(self.deliveries_url, self.deliveries_arn, "webhook_delivery")

    def run(self) -> None:
        """Everything written so far, through the stream, the bus and the dispatcher, to every first
        attempt."""
        failures = self.stream.run_until_quiet()
        assert not failures, failures
        self.dispatch()
        self.deliver()

    def take_tasks(self) -> list[DeliveryTask]:
        """Every task on the delivery queue, due or not (read from moto's store: a delayed message is not
        received yet), taken off it."""
        name = self.deliveries_url.rsplit("/", 1)[-1]
        queue = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_queue(name)
        tasks = [DeliveryTask.model_validate_json(message.body) for message in queue._messages]
        self._sqs.purge_queue(QueueUrl=self.deliveries_url)
        return tasks

    def deliverer(self, clock: Callable[[], datetime], jitter: float = 0.0) -> Deliverer:
        """The delivery function's Deliverer, at the time `clock` says."""
        settings = get_webhook_settings()
        return Deliverer(
            WebhookStore(clients.dynamodb(), get_settings().table_name),
            SecretBox(clients.kms(), settings.key_id),
            DeliveryQueue(clients.sqs(), settings.queue_url),
            allow_loopback=True,
            clock=clock,
            jitter=lambda: jitter,
        )
