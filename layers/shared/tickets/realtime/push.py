"""The event bus's events (RealtimePushRule, straight to this function: no queue's polling in the
way) to the tenant's WebSocket connections (logic/push.py). A failure to read the connections fails
the invocation, which Lambda retries; a post that fails is not retried (logic/push.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from tickets import clients
from tickets.logic.push import Pusher, PushReport
from tickets.models.domain import EventEnvelope
from tickets.notify.connections import ConnectionPoster
from tickets.observability import logger
from tickets.settings import get_realtime_settings, get_settings
from tickets.store.realtime import RealtimeStore


@lru_cache(maxsize=1)
def pusher() -> Pusher:
    store = RealtimeStore(clients.dynamodb(), get_settings().table_name)
    return Pusher(store, ConnectionPoster(clients.connections(get_realtime_settings().management_url)))


def handle(event: dict[str, Any]) -> PushReport:
    """`event` is the bus's event; its detail, the event as published (notify/publisher.py)."""
    envelope = EventEnvelope.model_validate(event["detail"])
    report = pusher().push(envelope)
    logger.info(
        "Pushed",
        extra={"eventId": envelope.id, "posted": report.posted, "gone": report.gone, "failed": report.failed},
    )
    return report
