"""The success and error envelopes every response uses (SupportDesk's shape)."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import Field

from tickets.errors import ErrorCode
from tickets.models.base import CamelModel
from tickets.models.domain import Customer, Message, Ticket, TicketStats, TicketSummary
from tickets.models.types import Timestamp


class ErrorDetail(CamelModel):
    field: str
    message: str


class ErrorBody(CamelModel):
    code: ErrorCode
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorEnvelope(CamelModel):
    success: bool = False
    error: ErrorBody
    timestamp: Timestamp


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


class CustomerListEnvelope(CamelModel):
    success: bool = True
    data: list[Customer]
    meta: PageMeta
    timestamp: Timestamp
