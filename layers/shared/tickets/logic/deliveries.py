"""Webhook deliveries (README, Webhooks): an event becomes one delivery for each endpoint that wants
it (dispatch), and a delivery is attempted on Standard Webhooks' schedule until an endpoint answers 2xx
(attempt). Every step can be handed over twice and still sends each attempt's record once."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from tickets.ids import format_timestamp, new_ulid, utc_now
from tickets.logic import events
from tickets.models.domain import EventEnvelope
from tickets.models.enums import DeliveryStatus
from tickets.models.webhooks import Delivery, DeliveryAttempt, DeliveryTask, Webhook
from tickets.notify import webhook_transport
from tickets.notify.delivery_queue import MAX_DELAY_SECONDS, DeliveryQueue
from tickets.notify.webhook_transport import Answer
from tickets.store.secrets import SecretBox
from tickets.store.webhooks import WebhookStore

# After the first attempt (at once): the waits before each retry, as the specification has them.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
JITTER = 0.1  # each wait is up to 10 % shorter or longer, so endpoints that failed together spread out
MAX_RETRY_AFTER = timedelta(hours=24)
FAILING_LIMIT = timedelta(days=5)  # an endpoint failing this long, with no success, is disabled
GONE = 410
# A task this early is not handed back to SQS again (its delay is whole seconds).
_EARLY_ENOUGH = timedelta(seconds=1)
# How long an attempt is held by the task making it: the POST's 10 s and the records, well inside the
# delivery function's 30 s; a holder that died lets the attempt go after it.
CLAIM = timedelta(seconds=30)


class AttemptNotRecordedYet(Exception):
    """A task for the attempt after one whose record has not landed: SQS hands it over again later."""


def retry_delay(attempts_made: int, retry_after_seconds: float | None, jitter: float) -> timedelta | None:
    """How long after the `attempts_made`-th failed attempt the next is due (None: no more): the
    schedule's wait, jittered by `jitter` (-JITTER to JITTER), or the endpoint's Retry-After if later."""
    if attempts_made > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempts_made - 1] * (1 + jitter)
    if retry_after_seconds is not None:
        delay = max(delay, min(timedelta(seconds=retry_after_seconds), MAX_RETRY_AFTER))
    return delay


def new_delivery(webhook: Webhook, envelope: EventEnvelope) -> Delivery:
    """The event's delivery to the endpoint: its id comes from both, so handing the event over again
    finds the same delivery, and sorts by the event's time."""
    return Delivery(
        tenant_id=webhook.tenant_id,
        id=new_ulid(envelope.occurred_at, seed=f"{webhook.id}/{envelope.id}"),
        webhook_id=webhook.id,
        event_id=envelope.id,
        event_type=envelope.type,
        created_at=utc_now(),
        next_attempt_at=envelope.occurred_at,
        payload=events.event_document(envelope),  # every attempt sends it byte for byte (signed)
    )


def first_task(delivery: Delivery, at: datetime) -> DeliveryTask:
    return DeliveryTask(
        tenant_id=delivery.tenant_id,
        webhook_id=delivery.webhook_id,
        delivery_id=delivery.id,
        attempt=len(delivery.attempts),
        due_at=at,
    )


class Dispatcher:
    def __init__(self, webhooks: WebhookStore, queue: DeliveryQueue) -> None:
        self._webhooks = webhooks
        self._queue = queue

    def dispatch(self, envelopes: Sequence[EventEnvelope]) -> int:
        """Make each event's deliveries and queue their first attempts; how many were queued. An event
        handed over again queues only a first attempt its earlier turn may not have queued."""
        endpoints: dict[str, list[Webhook]] = {}
        tasks: list[tuple[DeliveryTask, int]] = []
        now = utc_now()
        for envelope in envelopes:
            if envelope.tenant_id not in endpoints:
                endpoints[envelope.tenant_id] = self._webhooks.list_webhooks(envelope.tenant_id)
            for webhook in endpoints[envelope.tenant_id]:
                if not webhook.wants(envelope.type):
                    continue
                made = new_delivery(webhook, envelope)
                delivery = self._webhooks.add_delivery(made) or self._unsent(made)
                if delivery is not None:
                    tasks.append((first_task(delivery, now), 0))
        self._queue.send(tasks)
        return len(tasks)

    def _unsent(self, known: Delivery) -> Delivery | None:
        """The delivery as an earlier turn stored it, if its first attempt may not have been queued."""
        stored = self._webhooks.get_delivery(known.tenant_id, known.webhook_id, known.id)
        if stored is None or stored.attempts or stored.status != DeliveryStatus.PENDING:
            return None
        return stored


Post = Callable[..., Answer]


class Deliverer:
    def __init__(
        self,
        webhooks: WebhookStore,
        secrets: SecretBox,
        queue: DeliveryQueue,
        *,
        allow_loopback: bool,
        post: Post = webhook_transport.post,
        clock: Callable[[], datetime] = utc_now,
        jitter: Callable[[], float] = lambda: random.uniform(-JITTER, JITTER),
    ) -> None:
        self._webhooks = webhooks
        self._secrets = secrets
        self._queue = queue
        self._allow_loopback = allow_loopback
        self._post = post
        self._clock = clock
        self._jitter = jitter

    def attempt(self, task: DeliveryTask) -> None:
        now = self._clock()
        if task.due_at - now > _EARLY_ENOUGH:  # later than SQS can wait: hand it on until it is due
            self._queue.send([(task, math.ceil((task.due_at - now).total_seconds()))])
            return
        delivery = self._webhooks.get_delivery(task.tenant_id, task.webhook_id, task.delivery_id)
        if (
            delivery is None
            or delivery.status != DeliveryStatus.PENDING
            or task.attempt < len(delivery.attempts)
        ):
            return  # done, expired, or a task for an attempt already made
        if task.attempt > len(delivery.attempts):
            raise AttemptNotRecordedYet(task.delivery_id)
        webhook = self._webhooks.get(task.tenant_id, task.webhook_id)
        if webhook is None or not webhook.enabled:  # nothing is sent to a disabled or deleted endpoint
            self._webhooks.record_attempt(delivery, None, DeliveryStatus.FAILED, None)
            return
        if not self._webhooks.claim_attempt(delivery, now + CLAIM, now):
            return  # another task makes this attempt
        answer = self._post(
            webhook.url,
            delivery.payload,
            self._headers(webhook, delivery, now),
            allow_loopback=self._allow_loopback,
        )
        attempt = DeliveryAttempt(
            at=now, response_status=answer.status, duration_ms=answer.duration_ms, error=answer.error
        )
        status, next_at = self._outcome(answer, len(delivery.attempts) + 1, now)
        if next_at is not None:  # queued before the record: a crash between the two loses no retry
            retry = task.model_copy(update={"attempt": len(delivery.attempts) + 1, "due_at": next_at})
            delay = min(MAX_DELAY_SECONDS, math.ceil((next_at - now).total_seconds()))
            self._queue.send([(retry, delay)])
        if self._webhooks.record_attempt(delivery, attempt, status, next_at) is not None:
            self._endpoint_health(webhook, answer, now)

    def _headers(self, webhook: Webhook, delivery: Delivery, now: datetime) -> dict[str, str]:
        secrets = [
            self._secrets.open(webhook.tenant_id, webhook.id, secret.ciphertext)
            for secret in webhook.secrets
            if secret.expires_at is None or secret.expires_at > now
        ]
        return webhook_transport.signature_headers(secrets, delivery.event_id, now, delivery.payload)

    def _outcome(
        self, answer: Answer, attempts_made: int, now: datetime
    ) -> tuple[DeliveryStatus, datetime | None]:
        if answer.succeeded:
            return DeliveryStatus.SUCCEEDED, None
        if answer.status == GONE:
            return DeliveryStatus.FAILED, None
        delay = retry_delay(attempts_made, answer.retry_after_seconds, self._jitter())
        return (DeliveryStatus.FAILED, None) if delay is None else (DeliveryStatus.PENDING, now + delay)

    def _endpoint_health(self, webhook: Webhook, answer: Answer, now: datetime) -> None:
        """A success forgets the endpoint's failures; a 410, or five days of nothing but failures,
        disables it."""
        if answer.succeeded:
            if webhook.failing_since is not None:
                self._webhooks.change(webhook.tenant_id, webhook.id, {"failingSince": None})
        elif answer.status == GONE:
            self._disable(webhook, "the endpoint answered 410 Gone", now)
        elif webhook.failing_since is None:
            self._webhooks.change(webhook.tenant_id, webhook.id, {"failingSince": now})
        elif now - webhook.failing_since >= FAILING_LIMIT:
            self._disable(
                webhook, f"every attempt failed since {format_timestamp(webhook.failing_since)}", now
            )

    def _disable(self, webhook: Webhook, reason: str, now: datetime) -> None:
        values = {"enabled": False, "disabledReason": reason, "updatedAt": now}
        self._webhooks.change(webhook.tenant_id, webhook.id, values)
