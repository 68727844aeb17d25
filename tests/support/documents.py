"""What the four products' documents (shared/seeds/) show, for the tests that hold us to them."""

from __future__ import annotations

import json
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

# JTL SCX's Create Ticket (jtl-scx-channel-ticket.txt): its curl's --data, character for character (the
# newlines around the object included), the body it parses to, and its error example.
JTL_EXAMPLE_BODY = """
{
  "sellerId": "4711",
  "ticketId": "CASE-01071982",
  "topic": "QUESTION",
  "createdAt": "2023-11-07T05:31:56Z",
  "from": {
    "role": "BUYER",
    "name": "Dave"
  },
  "subject": "Pod bay door seems to be locked.",
  "message": "Open the pod bay doors HAL.",
  "reference": {
    "type": "ORDERID",
    "id": "19820701"
  },
  "replyRequested": true,
  "attachment": [
    {
      "filename": "RedDot.png",
      "contentType": "image/png"
    }
  ]
}
"""
JTL_EXAMPLE: dict[str, Any] = json.loads(JTL_EXAMPLE_BODY)
JTL_REQUIRED_FIELDS = ("sellerId", "ticketId", "topic", "createdAt", "from", "subject", "message")
JTL_MISSING_SELLER_ERROR: dict[str, Any] = {
    "errorList": [
        {
            "code": "VAL100",
            "message": "Required field sellerId not found",
            "severity": "error",
            "hint": "Check the field `sellerId` — it must be a non-empty string.",
        }
    ]
}
