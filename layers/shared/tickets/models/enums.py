"""Closed vocabularies of the API (values from the seed APIs: SupportDesk, JTL SCX, Sellgate, Paymenter)."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    ON_HOLD = "ON_HOLD"
    CLOSED = "CLOSED"


class Priority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"
    CRITICAL = "CRITICAL"


class Topic(StrEnum):
    QUESTION = "QUESTION"
    FEEDBACK = "FEEDBACK"
    DELIVERY = "DELIVERY"
    RETURN = "RETURN"
    REFUND = "REFUND"
    INCIDENT = "INCIDENT"


class Channel(StrEnum):
    API = "API"


class Party(StrEnum):
    """Who a message comes from, and who a ticket awaits."""

    AGENT = "AGENT"
    CUSTOMER = "CUSTOMER"


class Awaiting(StrEnum):
    AGENT = "AGENT"
    CUSTOMER = "CUSTOMER"
    NONE = "NONE"


class AgentLevel(StrEnum):
    """Support tiers: new tickets are assigned to available N1 agents."""

    N1 = "N1"
    N2 = "N2"
    N3 = "N3"


class Role(StrEnum):
    """What an API key may do (see logic/access.py)."""

    INTEGRATION = "integration"  # server to server: create tickets, post customer messages, read
    AGENT = "agent"  # one support agent: read, reply as that agent, update
    ADMIN = "admin"  # everything, including keys, customers and agents


class ActorRole(StrEnum):
    """Who made a change: the role of the API key behind the request, or the system itself."""

    INTEGRATION = "integration"
    AGENT = "agent"
    ADMIN = "admin"
    SYSTEM = "system"  # the stream function's own work: automatic assignment
    OPERATOR = "operator"  # the admin CLI, run with the AWS account's own credentials
    UNKNOWN = "unknown"  # a write by a version before 2026-12, which kept no actor


class EventType(StrEnum):
    """What a change was (README, Events)."""

    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    TICKET_STATUS_CHANGED = "ticket.status_changed"
    TICKET_ASSIGNED = "ticket.assigned"
    TICKET_UNASSIGNED = "ticket.unassigned"
    TICKET_DELETED = "ticket.deleted"
    MESSAGE_CREATED = "message.created"
    CUSTOMER_UPDATED = "customer.updated"
    AGENT_UPDATED = "agent.updated"
    SLA_WARNING = "sla.warning"
    SLA_BREACHED = "sla.breached"


# Sent by POST /v1/webhooks/{id}/test only: never a change, so never in a history or a subscription.
WEBHOOK_TEST = "webhook.test"


class DeliveryStatus(StrEnum):
    """Where one event's delivery to one webhook endpoint stands (README, Webhooks)."""

    PENDING = "pending"  # an attempt is due (at once or at nextAttemptAt)
    SUCCEEDED = "succeeded"  # a 2xx answered
    FAILED = "failed"  # retries spent, a 410, or the endpoint disabled: no attempt is due


class SortOrder(StrEnum):
    """The order of a ticket list, `-` for descending. `priority` goes LOW, MEDIUM, HIGH, URGENT,
    CRITICAL and `status` OPEN, IN_PROGRESS, WAITING_ON_CUSTOMER, ON_HOLD, CLOSED (the orders of
    Priority and TicketStatus); tickets of one priority or status by createdAt, in the same direction."""

    CREATED_ASC = "createdAt"
    CREATED_DESC = "-createdAt"
    UPDATED_ASC = "updatedAt"
    UPDATED_DESC = "-updatedAt"
    PRIORITY_ASC = "priority"
    PRIORITY_DESC = "-priority"
    STATUS_ASC = "status"
    STATUS_DESC = "-status"
    # What is due next: the soonest due time of a ticket's running SLA metrics first (overdue ones
    # before the rest); only tickets with one.
    SLA_DUE_ASC = "slaDueAt"

    @property
    def by_updated(self) -> bool:
        return self in (SortOrder.UPDATED_ASC, SortOrder.UPDATED_DESC)

    @property
    def by_sla_due(self) -> bool:
        return self == SortOrder.SLA_DUE_ASC

    @property
    def ascending(self) -> bool:
        return not self.value.startswith("-")
