"""Sending through SES v2, once per notification whatever the stream redelivers."""

from __future__ import annotations

import time
from typing import Any

from tickets.notify.render import Email
from tickets.store.notifications import NotificationStore

# How long a sent notification is remembered (longer than any stream retry).
REMEMBER_SECONDS = 14 * 24 * 3600


class Mailer:
    def __init__(self, ses: Any, notifications: NotificationStore) -> None:
        self._ses = ses
        self._notifications = notifications

    def send_once(self, tenant_id: str, notification: str, sender: str, email: Email) -> bool:
        """Send unless this notification was sent already; True when sent now. If SES fails the claim
        is released and the error raised, so the record is retried and the email sent then."""
        expires_at = int(time.time()) + REMEMBER_SECONDS
        if not self._notifications.claim_notification(tenant_id, notification, expires_at):
            return False
        try:
            self._ses.send_email(
                FromEmailAddress=sender,
                Destination={"ToAddresses": [email.to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": email.text, "Charset": "UTF-8"},
                            "Html": {"Data": email.html, "Charset": "UTF-8"},
                        },
                    }
                },
            )
        except Exception:
            self._notifications.release_notification(tenant_id, notification)
            raise
        return True
