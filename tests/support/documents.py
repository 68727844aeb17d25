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

# Sellgate (sellgate-tickets-api.txt): the Ticket Object's fields, its list document's keys, the
# fields of its get example and of a message, and its request examples.
SELLGATE_TICKET_FIELDS = frozenset(
    {
        "id",
        "subject",
        "status",
        "awaiting_response_from",
        "customer_email",
        "order_id",
        "invoice_id",
        "product_name",
        "order_amount",
        "order_currency",
        "message_count",
        "has_owner_reply",
        "created_at",
        "updated_at",
        "closed_at",
    }
)
SELLGATE_LIST_KEYS = frozenset({"data", "stats", "meta"})
SELLGATE_STATS_FIELDS = frozenset({"total", "open", "closed", "needsResponse"})
SELLGATE_META_FIELDS = frozenset({"total", "limit", "offset"})
SELLGATE_GET_EXAMPLE_FIELDS = frozenset(
    {"id", "subject", "status", "customer_email", "order_id", "messages", "created_at"}
)
SELLGATE_MESSAGE_FIELDS = frozenset({"id", "sender", "message", "created_at"})
# The order of the document's example ticket, as a native create sends it.
SELLGATE_ORDER: dict[str, Any] = {
    "orderId": "ord_xyz789",
    "invoiceId": "INV-12345",
    "productName": "Premium License",
    "amount": 29.99,
    "currency": "USD",
}
SELLGATE_REPLY_EXAMPLE: dict[str, Any] = {"message": "Your order has been resent. Please check your email."}
SELLGATE_CLOSE_EXAMPLE: dict[str, Any] = {"status": "closed"}
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

# Paymenter (paymenter-tickets-api.txt): the keys of a ticket resource and of its attributes, of a
# list document, its links and meta, and the bodies of its create, update and message examples.
PAYMENTER_RESOURCE_KEYS = frozenset({"type", "id", "attributes"})
PAYMENTER_ATTRIBUTES = frozenset(
    {"subject", "status", "priority", "department", "user_id", "assigned_to", "created_at", "updated_at"}
)
PAYMENTER_LIST_KEYS = frozenset({"data", "links", "meta"})
PAYMENTER_LINKS = frozenset({"first", "last", "prev", "next"})
PAYMENTER_META = frozenset({"current_page", "from", "path", "per_page", "to"})
PAYMENTER_USER_ATTRIBUTES = frozenset({"first_name", "last_name", "email"})
PAYMENTER_MESSAGE_ATTRIBUTES = frozenset({"message", "user_id", "created_at"})
PAYMENTER_CREATE_EXAMPLE: dict[str, Any] = {
    "subject": "Billing question",
    "user_id": 1,
    "status": "open",
    "priority": "medium",
    "department": "billing",
}
PAYMENTER_UPDATE_EXAMPLE: dict[str, Any] = {"status": "closed", "priority": "low"}
PAYMENTER_MESSAGE_EXAMPLE: dict[str, Any] = {
    "ticket_id": 1,
    "message": "Thank you for contacting support. We are investigating your issue.",
    "user_id": 5,
}
