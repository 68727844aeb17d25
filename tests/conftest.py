"""Fixtures shared by unit and integration tests: environment, moto table from template.yaml, events."""

from __future__ import annotations

import os

from tests.support.aws import back_up_tables_once_per_transaction

# Set before any tickets module reads settings; tests never reach real AWS.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": "tickets-test",
        "CURSOR_SIGNING_KEY": "test-cursor-signing-key-0123456789",
        "EVENT_BUS_NAME": "tickets-test-events",
        "WEBHOOK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/tickets-test-deliveries",
        "WEBHOOK_KEY_ID": "alias/tickets-test-webhooks",
        # The tests' receivers listen on 127.0.0.1, as the local stack's do.
        "WEBHOOK_LOOPBACK_ALLOWED": "true",
        "REALTIME_API_ID": "a1b2c3d4e5",
        "REALTIME_DOMAIN": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "REALTIME_STAGE": "live",
        "POWERTOOLS_SERVICE_NAME": "tickets-api",
        "POWERTOOLS_METRICS_NAMESPACE": "TicketsApi",
        "POWERTOOLS_DEV": "false",
        # Tests take the delivery queue's tasks more often than SQS's one PurgeQueue a minute.
        "MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

back_up_tables_once_per_transaction()
