"""Request bodies and query strings, validated at the edge; constraints live in the types."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from tickets.models.base import RequestModel
from tickets.models.domain import Attachment, MessageAuthor, OrderInfo, Reference
from tickets.models.enums import AgentLevel, Party, Priority, SortOrder, TicketStatus, Topic
from tickets.models.types import (
    MAX_ATTACHMENTS,
    WHOLE_NUMBER,
    AgentId,
    ChannelSellerId,
    DateTime,
    Email,
    FilterValues,
    Identifier,
    Markdown,
    Metadata,
    NeverNull,
    QueryTimestamp,
    ShortText,
    Subject,
    TagId,
    TagIds,
)


class CreateTicketRequest(RequestModel):
    customer_external_id: Identifier
    subject: Subject
    description: Markdown | None = None
    priority: Priority = Priority.MEDIUM
    category: ShortText | None = None
    department: ShortText | None = None
    topic: Topic | None = None
    metadata: Metadata | None = None
    tag_ids: TagIds = Field(default_factory=list)
    reference: Reference | None = None
    order: OrderInfo | None = None
    external_id: Identifier | None = None
    reply_requested: StrictBool = True
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    # The customer's own words: the ticket's first message, from the customer, written with it.
    message: Markdown | None = None
    # Where the ticket was opened before it reached us (a sales channel, another help desk), and when.
    channel_seller_id: ChannelSellerId | None = None
    source_created_at: DateTime | None = None
    # Opened as it already is (a staff member's ticket, a migrated one): an update's right, in the same write.
    status: TicketStatus | None = None
    assigned_agent_id: AgentId | None = None


class ReplyRequest(RequestModel):
    # The document says what _internal_notes_are_agents checks: an internal note is an agent's.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"internal": {"const": True}}, "required": ["internal"]},
            "then": {"properties": {"from": {"properties": {"role": {"const": "AGENT"}}}}},
        }
    )

    message: Markdown
    from_: MessageAuthor = Field(default_factory=MessageAuthor, alias="from")
    internal: StrictBool = False
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @field_validator("internal")
    @classmethod
    def _internal_notes_are_agents(cls, internal: bool, info: ValidationInfo) -> bool:
        author = info.data.get("from_")
        if internal and author is not None and author.role != Party.AGENT:
            raise ValueError("internal notes can only come from an AGENT")
        return internal


class PartialUpdate(RequestModel):
    """PATCH bodies: only the fields sent change, and there must be at least one."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("the body must set at least one field")
        return self


class UpdateTicketRequest(PartialUpdate):
    status: Annotated[TicketStatus | None, NeverNull()] = None
    priority: Annotated[Priority | None, NeverNull()] = None
    subject: Annotated[Subject | None, NeverNull()] = None
    category: ShortText | None = None
    department: ShortText | None = None
    topic: Topic | None = None
    tag_ids: Annotated[TagIds | None, NeverNull()] = None
    metadata: Metadata | None = None
    assigned_agent_id: AgentId | None = None

    @field_validator("status", "priority", "subject", "tag_ids", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError(
                "cannot be null (only category, department, topic, metadata and "
                "assignedAgentId can be cleared)"
            )
        return value


# The most a list page holds; dialects that number pages skip ahead in reads of this size.
PAGE_SIZE_MAX = 100
PageSize = Annotated[int, Field(ge=1, le=PAGE_SIZE_MAX)]


class ListTicketsQuery(RequestModel):
    status: FilterValues[TicketStatus] = None
    priority: FilterValues[Priority] = None
    customer_external_id: Identifier | None = None
    assigned_agent_id: AgentId | None = None
    # The queue; only "true" (assignedAgentId lists an agent's tickets).
    unassigned: Annotated[bool, WithJsonSchema({"type": "boolean", "enum": [True]})] | None = None
    awaiting: Literal["AGENT", "CUSTOMER"] | None = None
    tag: TagId | None = None
    # No list of their own: checked on the entries of the lists read. One department, exact and
    # case-sensitive (a department's name may hold a comma, so no comma-separated values).
    department: ShortText | None = None
    has_agent_reply: bool | None = None
    updated_since: QueryTimestamp | None = None
    # true: tickets with an SLA metric past its due time and not met yet; false: the others.
    sla_breached: bool | None = None
    # Tickets with a running SLA metric due before this time (overdue ones too).
    sla_due_before: QueryTimestamp | None = None
    sort: SortOrder = SortOrder.CREATED_DESC
    limit: PageSize = 25
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)

    @field_validator("unassigned", mode="before")
    @classmethod
    def _only_true(cls, value: object) -> object:
        if value not in (True, "true"):
            raise ValueError("only takes true; use assignedAgentId to list an agent's tickets")
        return value

    @field_validator("has_agent_reply", "sla_breached", mode="before")
    @classmethod
    def _true_or_false(cls, value: object) -> object:
        # Only the words the document gives: pydantic alone would take 1, "yes", "on", "f"...
        if not isinstance(value, bool) and value not in ("true", "false"):
            raise ValueError("takes true or false")
        return value


class GetTicketQuery(RequestModel):
    messages_cursor: str | None = Field(default=None, min_length=1, max_length=4096)


class UpsertCustomerRequest(RequestModel):
    """PUT replaces the customer's details: a field left out is cleared."""

    email: Email | None = None
    name: Identifier | None = None
    metadata: Metadata | None = None


class ListCustomersQuery(RequestModel):
    limit: PageSize = 25
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)


class ListEventsQuery(RequestModel):
    """A page of a ticket's history, oldest first."""

    limit: PageSize = 25
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)


# How many open tickets an agent may hold at most (automatic assignment stops there).
MaxOpenTickets = Annotated[int, Field(strict=True, ge=0, le=1000), WHOLE_NUMBER]


class PutAgentRequest(RequestModel):
    """PUT replaces the agent's profile: a field left out takes its default (email: none). The load,
    last assignment and createdAt are the agent's own and are kept."""

    name: ShortText
    email: Email | None = None
    level: AgentLevel = AgentLevel.N1
    available: StrictBool = True
    max_open_tickets: MaxOpenTickets = 10


class PatchAgentRequest(PartialUpdate):
    """Only the fields sent change; only email may be null (to clear it)."""

    name: Annotated[ShortText | None, NeverNull()] = None
    email: Email | None = None
    level: Annotated[AgentLevel | None, NeverNull()] = None
    available: Annotated[StrictBool | None, NeverNull()] = None
    max_open_tickets: Annotated[MaxOpenTickets | None, NeverNull()] = None

    @field_validator("name", "level", "available", "max_open_tickets", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null (only email can be cleared)")
        return value


class ListAgentsQuery(RequestModel):
    """No parameters: a support team is small, so the list is never paged (any parameter is a 400)."""
