"""Request bodies and query strings, validated at the edge; constraints live in the types."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StrictBool, StrictInt, ValidationInfo, field_validator, model_validator

from tickets.models.base import RequestModel
from tickets.models.domain import Attachment, MessageAuthor, OrderInfo, Reference
from tickets.models.enums import AgentLevel, Awaiting, Party, Priority, SortOrder, TicketStatus, Topic
from tickets.models.types import (
    MAX_ATTACHMENTS,
    AgentId,
    CsvList,
    Email,
    Identifier,
    Markdown,
    Metadata,
    ShortText,
    Subject,
    TagIds,
    Timestamp,
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


class ReplyRequest(RequestModel):
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

    @model_validator(mode="after")
    def _something_to_change(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("the body must set at least one field")
        return self


class UpdateTicketRequest(PartialUpdate):
    status: TicketStatus | None = None
    priority: Priority | None = None
    subject: Subject | None = None
    category: ShortText | None = None
    department: ShortText | None = None
    topic: Topic | None = None
    tag_ids: TagIds | None = None
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


class ListTicketsQuery(RequestModel):
    status: Annotated[list[TicketStatus] | None, CsvList, Field(max_length=5)] = None
    priority: Annotated[list[Priority] | None, CsvList, Field(max_length=5)] = None
    customer_external_id: Identifier | None = None
    assigned_agent_id: AgentId | None = None
    unassigned: bool | None = None
    awaiting: Awaiting | None = None
    tag: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")] | None = None
    updated_since: Timestamp | None = None
    sort: SortOrder = SortOrder.CREATED_DESC
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)

    @field_validator("unassigned", mode="before")
    @classmethod
    def _only_true(cls, value: object) -> object:
        if value not in (True, "true"):
            raise ValueError("only takes true; use assignedAgentId to list an agent's tickets")
        return value

    @field_validator("unassigned")
    @classmethod
    def _not_with_an_agent(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("assigned_agent_id"):
            raise ValueError("unassigned=true and assignedAgentId exclude each other")
        return value

    @field_validator("awaiting")
    @classmethod
    def _someone_awaited(cls, value: Awaiting) -> Awaiting:
        if value == Awaiting.NONE:
            raise ValueError("takes AGENT or CUSTOMER")
        return value


class GetTicketQuery(RequestModel):
    messages_cursor: str | None = Field(default=None, min_length=1, max_length=4096)


class UpsertCustomerRequest(RequestModel):
    """PUT replaces the customer's details: a field left out is cleared."""

    email: Email | None = None
    name: Identifier | None = None
    metadata: Metadata | None = None


class ListCustomersQuery(RequestModel):
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)


# How many open tickets an agent may hold at most (automatic assignment stops there).
MaxOpenTickets = Annotated[StrictInt, Field(ge=0, le=1000)]


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

    name: ShortText | None = None
    email: Email | None = None
    level: AgentLevel | None = None
    available: StrictBool | None = None
    max_open_tickets: MaxOpenTickets | None = None

    @field_validator("name", "level", "available", "max_open_tickets", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null (only email can be cleared)")
        return value


class ListAgentsQuery(RequestModel):
    """No parameters: a support team is small, so the list is never paged (any parameter is a 400)."""
