"""Webhook endpoints (in the tenant's partition) and their deliveries (a partition per endpoint)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tickets import keys
from tickets.ids import format_timestamp
from tickets.models.enums import DeliveryStatus
from tickets.models.webhooks import Delivery, DeliveryAttempt, SigningSecret, Webhook
from tickets.store import items
from tickets.store.table import Table, plain_key, typed_key


class WebhookStore(Table):
    # Endpoints --------------------------------------------------------------------------------------

    def add(self, webhook: Webhook) -> None:
        self._call(
            self._client.put_item,
            TableName=self._table,
            Item=items.webhook_item(webhook),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def get(self, tenant_id: str, webhook_id: str) -> Webhook | None:
        item = self._get(keys.webhook_key(tenant_id, webhook_id))
        return items.webhook_from_item(item) if item else None

    def list_webhooks(self, tenant_id: str) -> list[Webhook]:
        """Every endpoint of the tenant, oldest first (at most MAX_WEBHOOKS_PER_TENANT)."""
        found = self._query_prefix(*keys.webhooks_partition(tenant_id))
        return [items.webhook_from_item(item) for item in found]

    def change(
        self, tenant_id: str, webhook_id: str, values: dict[str, Any], condition: str = "attribute_exists(PK)"
    ) -> Webhook | None:
        """SET the camelCase attributes given (None: REMOVE); the endpoint after, or None when there is
        none (or `condition` failed)."""
        stored = {name: _stored(value) for name, value in values.items()}
        attributes = self._update(keys.webhook_key(tenant_id, webhook_id), stored, condition=condition)
        return items.webhook_from_item(attributes) if attributes is not None else None

    def replace_secrets(
        self, tenant_id: str, webhook_id: str, secrets: list[SigningSecret], at: datetime
    ) -> Webhook | None:
        values = {"secrets": items.secrets_attribute(secrets), "updatedAt": at}
        return self.change(tenant_id, webhook_id, values)

    def remove(self, tenant_id: str, webhook_id: str) -> bool:
        """True when there was an endpoint to delete. Its deliveries expire with the table's TTL."""
        return self._delete_existing(keys.webhook_key(tenant_id, webhook_id))

    # Deliveries -------------------------------------------------------------------------------------

    def add_delivery(self, delivery: Delivery) -> Delivery | None:
        """Keep a new delivery; None when it is there already (an event handed over twice)."""
        try:
            self._call(
                self._client.put_item,
                TableName=self._table,
                Item=items.delivery_item(delivery),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return delivery

    def get_delivery(self, tenant_id: str, webhook_id: str, delivery_id: str) -> Delivery | None:
        item = self._get(keys.delivery_key(tenant_id, webhook_id, delivery_id))
        return items.delivery_from_item(item) if item else None

    def claim_attempt(self, delivery: Delivery, until: datetime, now: datetime) -> bool:
        """Take the delivery's next attempt for oneself until `until`: False when another task holds it
        (the same attempt handed over twice) or it was made since `delivery` was read. A claim whose
        holder died lapses, and the task SQS hands over again takes it."""
        key = keys.delivery_key(delivery.tenant_id, delivery.webhook_id, delivery.id)
        condition = "attemptCount = :recorded AND (attribute_not_exists(claimedUntil) OR claimedUntil < :now)"
        values = {":recorded": len(delivery.attempts), ":now": format_timestamp(now)}
        claimed = self._update(key, {"claimedUntil": format_timestamp(until)}, None, condition, values)
        return claimed is not None

    def record_attempt(
        self,
        delivery: Delivery,
        attempt: DeliveryAttempt | None,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> Delivery | None:
        """Add an attempt to the log (None: none was made) and set the status, if no other attempt was
        recorded since `delivery` was read: the delivery after it, or None when another one was (a
        task handed over twice)."""
        attempts = [*delivery.attempts, attempt] if attempt is not None else delivery.attempts
        values = {
            "attempts": items.attempts_attribute(attempts),
            "attemptCount": len(attempts),
            "status": status.value,
            "nextAttemptAt": _stored(next_attempt_at),
            "claimedUntil": None,
        }
        key = keys.delivery_key(delivery.tenant_id, delivery.webhook_id, delivery.id)
        attributes = self._update(
            key,
            values,
            condition="attemptCount = :recorded",
            condition_values={":recorded": len(delivery.attempts)},
        )
        return items.delivery_from_item(attributes) if attributes is not None else None

    def reopen_delivery(self, delivery: Delivery, at: datetime) -> Delivery | None:
        """Make an attempt due now (resend); None when the delivery is gone."""
        values = {"status": DeliveryStatus.PENDING.value, "nextAttemptAt": format_timestamp(at)}
        key = keys.delivery_key(delivery.tenant_id, delivery.webhook_id, delivery.id)
        attributes = self._update(key, values)
        return items.delivery_from_item(attributes) if attributes is not None else None

    def deliveries(
        self,
        tenant_id: str,
        webhook_id: str,
        start: dict[str, str] | None,
        limit: int,
        status: DeliveryStatus | None,
    ) -> tuple[list[Delivery], dict[str, str] | None]:
        """Up to `limit` deliveries read after `start`, newest first (of `status` only, when given: the
        page may then hold fewer), and where the next page starts (None: no more)."""
        partition, prefix = keys.deliveries_partition(tenant_id, webhook_id)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":prefix": {"S": prefix}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status is not None:
            request["FilterExpression"] = "#status = :status"
            request["ExpressionAttributeNames"] = {"#status": "status"}
            request["ExpressionAttributeValues"][":status"] = {"S": status.value}
        if start:
            request["ExclusiveStartKey"] = typed_key(start)
        response = self._call(self._client.query, **request)
        last = response.get("LastEvaluatedKey")
        found = [items.delivery_from_item(item) for item in response["Items"]]
        return found, plain_key(last) if last else None


def _stored(value: Any) -> Any:
    """A value as the items keep it: timestamps in their fixed-width text."""
    return format_timestamp(value) if isinstance(value, datetime) else value
