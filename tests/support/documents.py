"""What the four products' documents (shared/seeds/) show, for the tests that hold us to them."""

from __future__ import annotations

from typing import Any

# SupportDesk's create example body (supportdesk-create-ticket.txt), and the fields of its answer's ticket.
SUPPORTDESK_EXAMPLE: dict[str, Any] = {
    "customerExternalId": "user_42",
    "subject": "Payment failed for order #12345",
    "description": "Payment attempt failed with CARD_DECLINED. Customer has been notified by email.",
    "priority": "HIGH",
    "metadata": {"orderId": "12345", "amount": 99.9},
}
SUPPORTDESK_TICKET_FIELDS = frozenset(
    {
        "id",
        "ticketNumber",
        "subject",
        "status",
        "priority",
        "channel",
        "customer",
        "assignedAgent",
        "createdAt",
    }
)
