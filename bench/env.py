"""The environment the functions get from template.yaml, as the tests set it (tests/conftest.py).

Imported first by bench/__main__.py, before any tickets module reads its settings."""

from __future__ import annotations

import os

FUNCTION_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "tickets-bench",
    "CURSOR_SIGNING_KEY": "bench-cursor-signing-key-0123456789",
    "POWERTOOLS_SERVICE_NAME": "tickets-api",
    "POWERTOOLS_METRICS_NAMESPACE": "TicketsApi",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_DEV": "false",
    "AUTH_CACHE_TTL_SECONDS": "60",
    "DEFAULT_SENDER_EMAIL": "support@bench.example",
    "EVENT_BUS_NAME": "tickets-bench-events",
    "WEBHOOK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/tickets-bench-deliveries",
    "WEBHOOK_KEY_ID": "alias/tickets-bench-webhooks",
    "WEBHOOK_LOOPBACK_ALLOWED": "true",
    "REALTIME_API_ID": "a1b2c3d4e5",
    "REALTIME_DOMAIN": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
    "REALTIME_STAGE": "live",
    "MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false",
}


def configure() -> None:
    os.environ.update(FUNCTION_ENV)
    # Never reach a real or local AWS endpoint: moto intercepts the calls.
    os.environ.pop("AWS_ENDPOINT_URL", None)
