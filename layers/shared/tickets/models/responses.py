"""The success and error envelopes every response uses (SupportDesk's shape)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import Field, WithJsonSchema

from tickets.errors import ErrorCode
from tickets.models.base import CamelModel
from tickets.models.domain import Customer, Message, Ticket, TicketEvent, TicketStats, TicketSummary
from tickets.models.enums import Role
from tickets.models.types import Timestamp


class ErrorDetail(CamelModel):
    field: str
    message: str


class ErrorBody(CamelModel):
    code: ErrorCode
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


# API Gateway's own errors (template.yaml GatewayResponses) can only give its request time, in the
# Common Log Format: 18/Apr/2026:10:00:00 +0000.
GATEWAY_REQUEST_TIME_PATTERN = r"^[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$"


class ErrorEnvelope(CamelModel):
    success: bool = False
    error: ErrorBody
    timestamp: Annotated[
        Timestamp,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "format": "date-time"},
                    {"type": "string", "pattern": GATEWAY_REQUEST_TIME_PATTERN},
                ],
                "description": "ISO-8601; API Gateway's own errors carry its request time instead",
            }
        ),
    ]


class PageMeta(CamelModel):
    limit: int
    count: int
    next_cursor: str | None


class TicketPage(CamelModel):
    data: list[TicketSummary]
    meta: PageMeta
    stats: TicketStats


class TicketDetail(Ticket):
    """A ticket with its messages, oldest first; messagesCursor fetches the rest when there are more."""

    messages: list[Message]
    messages_cursor: str | None = None


class KeyIdentity(CamelModel):
    """The key behind a request: `agentId` is set for agent keys, whose replies it signs."""

    tenant_id: str
    role: Role
    key_id: str
    agent_id: str | None = None


class ReplyResult(CamelModel):
    message: Message
    ticket: TicketSummary


DataT = TypeVar("DataT")


class SuccessEnvelope(CamelModel, Generic[DataT]):
    success: bool = True
    data: DataT
    timestamp: Timestamp


class ListEnvelope(CamelModel):
    success: bool = True
    data: list[TicketSummary]
    meta: PageMeta
    stats: TicketStats
    timestamp: Timestamp


class CustomerPage(CamelModel):
    data: list[Customer]
    meta: PageMeta


class EventPage(CamelModel):
    data: list[TicketEvent]
    meta: PageMeta


class EventListEnvelope(CamelModel):
    success: bool = True
    data: list[TicketEvent]
    meta: PageMeta
    timestamp: Timestamp


class CustomerListEnvelope(CamelModel):
    success: bool = True
    data: list[Customer]
    meta: PageMeta
    timestamp: Timestamp
