"""Notification claims in the table: each email is claimed once, whatever the stream redelivers."""

from __future__ import annotations

from tickets import keys
from tickets.keys import Entity
from tickets.store import items
from tickets.store.table import Table, typed_key


class NotificationStore(Table):
    def claim_notification(self, tenant_id: str, notification: str, expires_at: int) -> bool:
        """True the first time a notification is claimed; False when it was sent (or is being sent)."""
        item = items.serialize(
            keys.notification_key(tenant_id, notification)
            | {"entity": Entity.NOTIFICATION, "expiresAt": expires_at}
        )
        try:
            self._call(
                self._client.put_item,
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_notification(self, tenant_id: str, notification: str) -> None:
        """The email could not be sent: let the retry claim it again."""
        key = typed_key(keys.notification_key(tenant_id, notification))
        self._call(self._client.delete_item, TableName=self._table, Key=key)
