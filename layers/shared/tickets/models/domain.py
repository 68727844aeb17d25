"""Domain entities as the API returns them and the store keeps them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from tickets.models.base import CamelModel, RequestModel
from tickets.models.enums import (
    ActorRole,
    AgentLevel,
    Awaiting,
    Channel,
    EventType,
    Party,
    Priority,
    Role,
    TicketStatus,
    Topic,
)
from tickets.models.sla import SlaMetricName, TicketSla
from tickets.models.types import (
    WHOLE_NUMBER,
    AdminEmails,
    AgentId,
    Amount,
    ChannelSellerIds,
    Currency,
    Email,
    Identifier,
    Label,
    LongLine,
    Markdown,
    Metadata,
    ShortText,
    Subject,
    TagIds,
    Timestamp,
    Url,
)


class Reference(RequestModel):
    """What the ticket is about on the caller's side (JTL SCX: type ORDERID, id 19820701)."""

    type: Label
    id: Identifier


class OrderInfo(RequestModel):
    """The order a ticket concerns (Sellgate's order_id, invoice_id, product_name, amount, currency)."""

    order_id: Identifier | None = None
    invoice_id: Identifier | None = None
    product_name: LongLine | None = None
    amount: Amount | None = None
    currency: Currency | None = None


class Attachment(RequestModel):
    filename: Identifier
    content_type: str = Field(pattern=r"^[A-Za-z0-9!#$&^_.+-]{1,127}/[A-Za-z0-9!#$&^_.+-]{1,127}$")
    size: Annotated[int, Field(strict=True, ge=0, le=5 * 1024**3), WHOLE_NUMBER] | None = None
    url: Url | None = None


Attachments = list[Attachment]


class CustomerRef(CamelModel):
    id: str
    external_id: str
    email: str | None = None
    name: str | None = None


class AgentRef(CamelModel):
    id: str
    name: str
    email: str | None = None


class Actor(CamelModel):
    """Who made a change: the API key (its role and id; an agent key's agent too), `system` (the
    stream's own work) or `operator` (the admin CLI)."""

    role: ActorRole
    id: str | None = None
    agent_id: str | None = None


SYSTEM = Actor(role=ActorRole.SYSTEM)
UNKNOWN_ACTOR = Actor(role=ActorRole.UNKNOWN)
OPERATOR = Actor(role=ActorRole.OPERATOR)


class Customer(CamelModel):
    tenant_id: str = Field(exclude=True)
    id: str
    external_id: Identifier
    email: str | None = None
    name: str | None = None
    metadata: Metadata | None = None
    created_at: Timestamp
    updated_at: Timestamp
    # Who wrote these details last: kept on the item for customer.updated, never returned.
    changed_by: Actor | None = Field(default=None, exclude=True)

    def ref(self) -> CustomerRef:
        return CustomerRef(id=self.id, external_id=self.external_id, email=self.email, name=self.name)


class Agent(CamelModel):
    tenant_id: str = Field(exclude=True)
    id: AgentId
    name: ShortText
    email: Email | None = None
    level: AgentLevel = AgentLevel.N1
    available: bool = True
    max_open_tickets: int = Field(default=10, ge=0, le=1000)
    # The load: assigned tickets that are not closed, kept in the same transactions as the tickets.
    open_tickets: int = 0
    last_assigned_at: Timestamp | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = Field(default=None, description="When its profile last changed")
    # Who wrote the profile last (a load change is no one's): for agent.updated, never returned.
    changed_by: Actor | None = Field(default=None, exclude=True)

    def ref(self) -> AgentRef:
        return AgentRef(id=self.id, name=self.name, email=self.email)


class TenantPlan(CamelModel):
    """None: no monthly quota."""

    monthly_ticket_quota: int | None = Field(default=None, ge=0)


class Tenant(CamelModel):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    name: ShortText
    ticket_prefix: str = Field(pattern=r"^[A-Z][A-Z0-9]{0,9}$")
    # Notifications go out from this address (SES identity of the deploying account).
    sender_email: Email | None = None
    plan: TenantPlan = Field(default_factory=TenantPlan)
    # The tenant's API Gateway usage key (in the stack's usage plan): its rate limit bucket.
    usage_key_id: str | None = None
    usage_key: str | None = None
    # The sellers on sales channels the tenant answers for: a ticket a channel sends for another
    # seller (JTL SCX's sellerId) is refused.
    channel_seller_ids: ChannelSellerIds = Field(default_factory=list)
    # Who is told of what needs an admin: a webhook endpoint the delivery disabled.
    admin_emails: AdminEmails = Field(default_factory=list)
    # Counted up by each SLA policy write (store/sla.py): a create knows from it whether the policies a
    # container read are still the tenant's.
    sla_policy_revision: int = Field(default=0, exclude=True)


class ApiKey(CamelModel):
    """An API key as stored and listed; the secret itself is never stored, only its hash."""

    tenant_id: str
    id: str
    role: Role
    agent_id: AgentId | None = None
    name: ShortText
    created_at: Timestamp
    revoked_at: Timestamp | None = None
    # The tenant's usage key, copied here so the authorizer needs one read per key.
    usage_key: str | None = None


class AssignmentCandidate(CamelModel):
    agent_id: str
    open_tickets: int
    max_open_tickets: int
    last_assigned_at: Timestamp | None = None


class Assignment(CamelModel):
    """Why a ticket went to its agent: the rule, and every candidate with its load at that moment."""

    rule: str
    agent_id: str
    candidates: list[AssignmentCandidate]
    assigned_at: Timestamp


class TicketSummary(CamelModel):
    """What list pages return: every ticket field but the description, metadata and attachments."""

    tenant_id: str = Field(exclude=True)
    id: str
    ticket_number: str
    subject: Subject
    status: TicketStatus
    priority: Priority
    category: ShortText | None = None
    department: ShortText | None = None
    topic: Topic | None = None
    channel: Channel = Channel.API
    tag_ids: TagIds = Field(default_factory=list)
    reference: Reference | None = None
    order: OrderInfo | None = None
    customer: CustomerRef
    assigned_agent: AgentRef | None = None
    awaiting_response_from: Awaiting
    message_count: int = 0
    has_agent_reply: bool = False
    reply_requested: bool = True
    external_id: Identifier | None = None
    channel_seller_id: str | None = None
    # When the ticket was opened where it came from; createdAt is when it reached us (lists go by that).
    source_created_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp
    first_response_at: Timestamp | None = None
    closed_at: Timestamp | None = None
    sla: TicketSla | None = Field(default=None, description="The SLA clocks; none when no policy applies")
    version: int = 1


class Ticket(TicketSummary):
    assignment: Assignment | None = None
    description: Markdown | None = None
    metadata: Metadata | None = None
    attachments: Attachments = Field(default_factory=list)
    # Who made the write that stored this version: kept on the item for its change's events, never
    # returned (the history is GET /v1/tickets/{id}/events).
    changed_by: Actor | None = Field(default=None, exclude=True)

    def summary(self) -> TicketSummary:
        return TicketSummary(**{name: getattr(self, name) for name in TicketSummary.model_fields})


class TicketChanges(CamelModel):
    """What a change (a PATCH, or a create opened as it is) sets: only the fields given change (None
    given clears a field), the agent already resolved to its record's reference (None: unassign)."""

    status: TicketStatus | None = None
    priority: Priority | None = None
    subject: Subject | None = None
    category: ShortText | None = None
    department: ShortText | None = None
    topic: Topic | None = None
    tag_ids: TagIds | None = None
    metadata: Metadata | None = None
    assigned_agent: AgentRef | None = None

    def given(self) -> dict[str, object]:
        """The fields given, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class MessageAuthor(RequestModel):
    role: Party = Party.AGENT
    id: ShortText | None = None
    name: Identifier | None = None


class Message(CamelModel):
    tenant_id: str = Field(exclude=True)
    id: str
    ticket_id: str
    message: Markdown
    from_: MessageAuthor = Field(alias="from")
    internal: bool = False
    attachments: Attachments = Field(default_factory=list)
    created_at: Timestamp
    # Who posted it: the API key, whatever `from` says (the author shown); for message.created.
    posted_by: Actor | None = Field(default=None, exclude=True)


class FieldChange(CamelModel):
    """One field of a change: its name as the API writes it, and its value before and after."""

    field: str
    from_: Any = Field(default=None, alias="from")  # None: the field had no value (stored without it)
    to: Any = None


class TicketEvent(CamelModel):
    """One change of a ticket, as its history keeps it. `id` is derived from the change itself, so a
    stream record delivered twice makes the same event."""

    tenant_id: str = Field(exclude=True)
    ticket_id: str
    id: str
    type: EventType
    occurred_at: Timestamp
    actor: Actor
    changes: list[FieldChange] = Field(default_factory=list)
    message_id: str | None = None
    internal: bool | None = None
    # sla.warning and sla.breached: which metric, and when it is (was) due.
    metric: SlaMetricName | None = None
    due_at: Timestamp | None = None

    @property
    def rank(self) -> int:
        """Of one write's events, the order they are told in: a new ticket before its first message,
        a reply's message before what it changed."""
        return _EVENT_RANK[self.type]


_EVENT_RANK = {
    EventType.TICKET_CREATED: 0,
    EventType.MESSAGE_CREATED: 1,
    EventType.TICKET_UPDATED: 2,
    EventType.TICKET_STATUS_CHANGED: 3,
    EventType.TICKET_ASSIGNED: 4,
    EventType.TICKET_UNASSIGNED: 4,
    EventType.TICKET_DELETED: 5,
    EventType.SLA_WARNING: 6,
    EventType.SLA_BREACHED: 6,
}


class TicketDeletion(CamelModel):
    """That a ticket was deleted, by whom, and what it was: written in the delete's own transaction
    (the stream's record of the delete itself carries only the ticket's last writer), for
    ticket.deleted."""

    tenant_id: str
    ticket: TicketSummary
    deleted_by: Actor
    deleted_at: Timestamp


class EventEnvelope(CamelModel):
    """An event as published to its consumers (the event bus, webhooks): the change, who made it, and
    the ticket after it (the customer or the agent, for theirs) (README, Events). webhook.test carries
    none of them."""

    id: str
    type: str
    occurred_at: Timestamp
    tenant_id: str
    actor: Actor
    changes: list[FieldChange] = Field(default_factory=list)
    metric: SlaMetricName | None = None
    due_at: Timestamp | None = None
    ticket: TicketSummary | None = None
    message: Message | None = None
    customer: Customer | None = None
    agent: Agent | None = None

    @model_validator(mode="before")
    @classmethod
    def _tenant_of_the_parts(cls, data: Any) -> Any:
        """Read back (by a consumer), the parts get the tenant their JSON leaves out."""
        if isinstance(data, dict) and "tenantId" in data:
            for part in ("ticket", "message", "customer", "agent"):
                if isinstance(data.get(part), dict):
                    data = data | {part: {"tenantId": data["tenantId"]} | data[part]}
        return data


class TicketStats(CamelModel):
    total: int
    open: int
    closed: int
    needs_response: int
    unassigned: int
    by_status: dict[TicketStatus, int]


def json_dump(model: CamelModel | RequestModel) -> dict[str, Any]:
    """The model as camelCase JSON-compatible data (what the API returns and the store encodes)."""
    return model.model_dump(mode="json", by_alias=True)
