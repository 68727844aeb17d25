"""/v1/webhooks (admin keys only): endpoints, their signing secrets, their delivery log, resending a
delivery and sending a test event (README, Webhooks)."""

from __future__ import annotations

import base64
import ipaddress
import os
from datetime import timedelta
from urllib.parse import urlsplit

from tickets.errors import Conflict, DeliveryNotFound, FieldIssue, ValidationFailed, WebhookNotFound
from tickets.ids import new_ulid, utc_now
from tickets.logic import access
from tickets.logic.access import Action, Caller
from tickets.logic.cursor import CursorCodec
from tickets.logic.deliveries import first_task, new_delivery
from tickets.models.domain import EventEnvelope
from tickets.models.enums import WEBHOOK_TEST
from tickets.models.responses import PageMeta
from tickets.models.webhooks import (
    MAX_WEBHOOKS_PER_TENANT,
    CreateWebhookRequest,
    Delivery,
    DeliveryPage,
    ListDeliveriesQuery,
    PatchWebhookRequest,
    SigningSecret,
    Webhook,
    WebhookWithSecret,
)
from tickets.notify.delivery_queue import DeliveryQueue
from tickets.notify.webhook_transport import allowed_address
from tickets.store.secrets import SecretBox
from tickets.store.webhooks import WebhookStore

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # Standard Webhooks: 24 to 64 bytes
# After a rotation the replaced secret still signs this long, so receivers can switch without a gap.
ROTATION_OVERLAP = timedelta(hours=24)
LOCAL_RECEIVER_HOST = "127.0.0.1"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def check_url(url: str, *, allow_loopback: bool) -> None:
    """https only, to a name or a public address; plain http to 127.0.0.1 too where the stack allows
    loopback (the local stack). Names are checked again when they are resolved, at each attempt."""
    parts = urlsplit(url)  # its port is 1-65535: the model's pattern holds to that
    host = parts.hostname or ""
    local = allow_loopback and parts.scheme.lower() == "http" and host == LOCAL_RECEIVER_HOST
    if parts.scheme.lower() != "https" and not local:
        where = " (or http://127.0.0.1 in the local stack)" if allow_loopback else ""
        raise ValidationFailed(
            "A webhook URL must be https", [FieldIssue("url", f"must start with https://{where}")]
        )
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    loopback_name = host.lower() == "localhost" or host.lower().endswith(".localhost")
    if (literal is not None and not allowed_address(str(literal), allow_loopback=allow_loopback)) or (
        loopback_name and not allow_loopback
    ):
        raise ValidationFailed(
            "A webhook URL may not point at a private, loopback or link-local address",
            [FieldIssue("url", "must reach a public address")],
        )


class WebhookService:
    def __init__(
        self,
        webhooks: WebhookStore,
        secrets: SecretBox,
        queue: DeliveryQueue,
        cursors: CursorCodec,
        *,
        allow_loopback: bool,
    ) -> None:
        self._webhooks = webhooks
        self._secrets = secrets
        self._queue = queue
        self._cursors = cursors
        self._allow_loopback = allow_loopback

    def create(self, caller: Caller, request: CreateWebhookRequest) -> WebhookWithSecret:
        access.require(caller, Action.MANAGE_WEBHOOKS)
        check_url(request.url, allow_loopback=self._allow_loopback)
        if len(self._webhooks.list_webhooks(caller.tenant_id)) >= MAX_WEBHOOKS_PER_TENANT:
            raise Conflict(
                f"A tenant has at most {MAX_WEBHOOKS_PER_TENANT} webhook endpoints; delete one first"
            )
        now, webhook_id, secret = utc_now(), new_ulid(), new_secret()
        webhook = Webhook(
            tenant_id=caller.tenant_id,
            id=webhook_id,
            url=request.url,
            event_types=request.event_types,
            description=request.description,
            created_at=now,
            updated_at=now,
            secrets=[
                SigningSecret(
                    ciphertext=self._secrets.seal(caller.tenant_id, webhook_id, secret), created_at=now
                )
            ],
        )
        self._webhooks.add(webhook)
        return _with_secret(webhook, secret)

    def list(self, caller: Caller) -> list[Webhook]:
        access.require(caller, Action.MANAGE_WEBHOOKS)
        return self._webhooks.list_webhooks(caller.tenant_id)

    def get(self, caller: Caller, webhook_id: str) -> Webhook:
        access.require(caller, Action.MANAGE_WEBHOOKS)
        return self._existing(caller, webhook_id)

    def patch(self, caller: Caller, webhook_id: str, request: PatchWebhookRequest) -> Webhook:
        access.require(caller, Action.MANAGE_WEBHOOKS)
        if request.url is not None:
            check_url(request.url, allow_loopback=self._allow_loopback)
        values: dict[str, object] = request.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if request.enabled:  # enabled again: its past failures no longer count
            values |= {"failingSince": None, "disabledReason": None}
        webhook = self._webhooks.change(caller.tenant_id, webhook_id, values | {"updatedAt": utc_now()})
        if webhook is None:
            raise WebhookNotFound(webhook_id)
        return webhook

    def delete(self, caller: Caller, webhook_id: str) -> None:
        access.require(caller, Action.MANAGE_WEBHOOKS)
        if not self._webhooks.remove(caller.tenant_id, webhook_id):
            raise WebhookNotFound(webhook_id)

    def rotate_secret(self, caller: Caller, webhook_id: str) -> WebhookWithSecret:
        """A new secret signs from now on; the one it replaces signs too for ROTATION_OVERLAP."""
        access.require(caller, Action.MANAGE_WEBHOOKS)
        webhook = self._existing(caller, webhook_id)
        now, secret = utc_now(), new_secret()
        kept = [
            old.model_copy(update={"expires_at": old.expires_at or now + ROTATION_OVERLAP})
            for old in webhook.secrets
            if old.expires_at is None or old.expires_at > now
        ]
        fresh = SigningSecret(
            ciphertext=self._secrets.seal(caller.tenant_id, webhook_id, secret), created_at=now
        )
        changed = self._webhooks.replace_secrets(caller.tenant_id, webhook_id, [fresh, *kept], now)
        if changed is None:
            raise WebhookNotFound(webhook_id)
        return _with_secret(changed, secret)

    def deliveries(self, caller: Caller, webhook_id: str, query: ListDeliveriesQuery) -> DeliveryPage:
        access.require(caller, Action.MANAGE_WEBHOOKS)
        self._existing(caller, webhook_id)
        scope = f"deliveries:{webhook_id}:{query.status or ''}"
        start = self._cursors.decode(caller.tenant_id, scope, query.cursor) if query.cursor else None
        found, resume = self._webhooks.deliveries(
            caller.tenant_id, webhook_id, start, query.limit, query.status
        )
        cursor = self._cursors.encode(caller.tenant_id, scope, resume) if resume else None
        return DeliveryPage(
            data=found, meta=PageMeta(limit=query.limit, count=len(found), next_cursor=cursor)
        )

    def resend(self, caller: Caller, webhook_id: str, delivery_id: str) -> Delivery:
        """One more attempt, now, whatever the delivery's status; then the schedule goes on from the
        attempts it has made."""
        access.require(caller, Action.MANAGE_WEBHOOKS)
        webhook = self._enabled(caller, webhook_id)
        delivery = self._webhooks.get_delivery(caller.tenant_id, webhook.id, delivery_id)
        reopened = self._webhooks.reopen_delivery(delivery, utc_now()) if delivery is not None else None
        if reopened is None:
            raise DeliveryNotFound(delivery_id)
        self._queue.send([(first_task(reopened, utc_now()), 0)])
        return reopened

    def test(self, caller: Caller, webhook_id: str) -> Delivery:
        """A webhook.test event to this endpoint only, delivered and logged as any other."""
        access.require(caller, Action.MANAGE_WEBHOOKS)
        webhook = self._enabled(caller, webhook_id)
        now = utc_now()
        envelope = EventEnvelope(
            id=f"evt_{new_ulid(now).lower()}",
            type=WEBHOOK_TEST,
            occurred_at=now,
            tenant_id=caller.tenant_id,
            actor=access.actor_of(caller),
        )
        delivery = new_delivery(webhook, envelope)
        self._webhooks.add_delivery(delivery)
        self._queue.send([(first_task(delivery, now), 0)])
        return delivery

    def _existing(self, caller: Caller, webhook_id: str) -> Webhook:
        webhook = self._webhooks.get(caller.tenant_id, webhook_id)
        if webhook is None:
            raise WebhookNotFound(webhook_id)
        return webhook

    def _enabled(self, caller: Caller, webhook_id: str) -> Webhook:
        webhook = self._existing(caller, webhook_id)
        if not webhook.enabled:
            raise Conflict(
                "This endpoint is disabled: enable it (PATCH enabled=true) first",
                [FieldIssue("enabled", "is false")],
            )
        return webhook


def _with_secret(webhook: Webhook, secret: str) -> WebhookWithSecret:
    return WebhookWithSecret(**{name: getattr(webhook, name) for name in Webhook.model_fields}, secret=secret)
