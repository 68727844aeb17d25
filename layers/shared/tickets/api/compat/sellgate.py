"""Sellgate (its document: shared/seeds/sellgate-tickets-api.txt), drop-in: a client keeps its
requests and swaps `https://api.sellgate.cc` for `$API/compat/sellgate`.

    GET   /v1/tickets?page=&limit=&status=open|closed   a page, the stats, meta {total, limit, offset}
    GET   /v1/tickets/{id}                              the ticket with all its messages
    POST  /v1/tickets/{id}   {message}                  a reply from the seller (an agent reply)
    PATCH /v1/tickets/{id}   {status: closed|open}      close or reopen

Sellgate has two statuses: `closed` is CLOSED, `open` every other status. Its seller is our agent side
(the owner who awaits or is awaited), its customer ours. The answers are its bare `{"data": ...}`
documents, snake_case; errors are the native envelope (its document shows none)."""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Annotated, Generic, Literal, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from tickets.api.request import IdempotencyKey, IfMatch, caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import document, documented
from tickets.api.services import ticket_service
from tickets.logic import listing
from tickets.models.domain import Message, TicketSummary
from tickets.models.enums import Awaiting, Party, TicketStatus
from tickets.models.requests import ListTicketsQuery, PageSize, ReplyRequest, UpdateTicketRequest
from tickets.models.types import Markdown, Timestamp
from tickets.observability import metrics

BASE = "/compat/sellgate/v1"
TAG = "Sellgate"

app = build_resolver()


class SellgateStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# Every native status but CLOSED is Sellgate's open.
_NATIVE_STATUSES: dict[SellgateStatus, list[TicketStatus]] = {
    SellgateStatus.OPEN: [status for status in TicketStatus if status != TicketStatus.CLOSED],
    SellgateStatus.CLOSED: [TicketStatus.CLOSED],
}


def _sellgate_status(status: TicketStatus) -> SellgateStatus:
    return SellgateStatus.CLOSED if status == TicketStatus.CLOSED else SellgateStatus.OPEN


class SellgateModel(BaseModel):
    """Sellgate's documents: snake_case as its document writes them."""

    model_config = ConfigDict(defer_build=True, frozen=True)


class SellgateRequest(SellgateModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")


class SellgateListQuery(SellgateRequest):
    limit: PageSize = 25
    page: int = Field(default=1, ge=1, le=listing.MAX_NUMBERED_TICKETS)
    status: SellgateStatus | None = None

    @field_validator("page")
    @classmethod
    def _within_numbered_pages(cls, page: int, info: ValidationInfo) -> int:
        listing.page_offset(page, info.data.get("limit", 25))
        return page


class SellgateReply(SellgateRequest):
    message: Markdown


class SellgateStatusUpdate(SellgateRequest):
    status: SellgateStatus


class SellgateTicket(SellgateModel):
    """The document's Ticket Object, field by field."""

    id: str
    subject: str
    status: SellgateStatus
    # The document has two words: a ticket that awaits nobody (ON_HOLD, CLOSED) does not need the seller.
    awaiting_response_from: Literal["owner", "customer"]
    customer_email: str | None
    order_id: str | None
    invoice_id: str | None
    product_name: str | None
    order_amount: float | None
    order_currency: str | None
    message_count: int
    has_owner_reply: bool
    created_at: Timestamp
    updated_at: Timestamp
    closed_at: Timestamp | None

    @classmethod
    def of(cls, ticket: TicketSummary) -> SellgateTicket:
        order = ticket.order
        return cls(
            id=ticket.id,
            subject=ticket.subject,
            status=_sellgate_status(ticket.status),
            awaiting_response_from="owner" if ticket.awaiting_response_from == Awaiting.AGENT else "customer",
            customer_email=ticket.customer.email,
            order_id=order.order_id if order else None,
            invoice_id=order.invoice_id if order else None,
            product_name=order.product_name if order else None,
            order_amount=float(order.amount) if order and order.amount is not None else None,
            order_currency=order.currency if order else None,
            message_count=ticket.message_count,
            has_owner_reply=ticket.has_agent_reply,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            closed_at=ticket.closed_at,
        )


class SellgateMessage(SellgateModel):
    id: str
    # An agent's message, internal notes too (Sellgate has none of its own), is the seller's.
    sender: Literal["customer", "seller"]
    message: str
    created_at: Timestamp

    @classmethod
    def of(cls, message: Message) -> SellgateMessage:
        sender: Literal["customer", "seller"] = (
            "customer" if message.from_.role == Party.CUSTOMER else "seller"
        )
        return cls(id=message.id, sender=sender, message=message.message, created_at=message.created_at)


class SellgateTicketWithMessages(SellgateTicket):
    messages: list[SellgateMessage]


class SellgateStats(SellgateModel):
    total: int
    open: int
    closed: int
    needsResponse: int  # the document's own name


class SellgateMeta(SellgateModel):
    total: int
    limit: int
    offset: int


class SellgateTicketList(SellgateModel):
    data: list[SellgateTicket]
    stats: SellgateStats
    meta: SellgateMeta


DataT = TypeVar("DataT")


class SellgateDocument(SellgateModel, Generic[DataT]):
    data: DataT


TicketId = Annotated[str, Path(min_length=1, max_length=64)]


@app.get(
    f"{BASE}/tickets",
    summary="List tickets (Sellgate)",
    tags=[TAG],
    responses={200: documented(SellgateTicketList, "A page")},
)
def list_tickets(query: Annotated[SellgateListQuery, Query()]) -> Response[str]:
    reject_unknown_query(app, SellgateListQuery)
    native = ListTicketsQuery(
        status=_NATIVE_STATUSES[query.status] if query.status else None,
        limit=query.limit,
    )
    offset = listing.page_offset(query.page, query.limit)
    page = ticket_service().list_tickets_from(caller(app), native, offset)
    stats = page.stats
    # The stats count every ticket, so the total is exact without counting.
    totals = {None: stats.total, SellgateStatus.OPEN: stats.open, SellgateStatus.CLOSED: stats.closed}
    return document(
        SellgateTicketList(
            data=[SellgateTicket.of(summary) for summary in page.data],
            stats=SellgateStats(
                total=stats.total, open=stats.open, closed=stats.closed, needsResponse=stats.needs_response
            ),
            meta=SellgateMeta(total=totals[query.status], limit=query.limit, offset=offset),
        )
    )


@app.get(
    f"{BASE}/tickets/<ticketId>",
    summary="Get a ticket with its messages (Sellgate)",
    tags=[TAG],
    responses={
        200: documented(SellgateDocument[SellgateTicketWithMessages], "The ticket and all its messages")
    },
)
def get_ticket(ticketId: TicketId) -> Response[str]:
    ticket, messages = ticket_service().get_ticket_with_all_messages(caller(app), ticketId)
    data = SellgateTicketWithMessages(
        **dict(SellgateTicket.of(ticket)), messages=[SellgateMessage.of(message) for message in messages]
    )
    return document(SellgateDocument[SellgateTicketWithMessages](data=data), version=ticket.version)


@app.post(
    f"{BASE}/tickets/<ticketId>",
    summary="Reply to a ticket as the seller (Sellgate)",
    tags=[TAG],
    responses={201: documented(SellgateDocument[SellgateMessage], "The reply")},
)
def reply_ticket(
    ticketId: TicketId,
    request: Annotated[SellgateReply, Body(embed=False)],
    expected: IfMatch = None,
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    native = ReplyRequest(message=request.message)  # from an agent: the seller
    result = ticket_service().reply(caller(app), ticketId, native, expected)
    metrics.add_metric(name="MessagesAdded", unit=MetricUnit.Count, value=1)
    return document(
        SellgateDocument[SellgateMessage](data=SellgateMessage.of(result.message)),
        HTTPStatus.CREATED,
        version=result.ticket.version,
    )


@app.patch(
    f"{BASE}/tickets/<ticketId>",
    summary="Close or reopen a ticket (Sellgate)",
    tags=[TAG],
    responses={200: documented(SellgateDocument[SellgateTicket], "The ticket")},
)
def update_ticket(
    ticketId: TicketId,
    request: Annotated[SellgateStatusUpdate, Body(embed=False)],
    expected: IfMatch = None,
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    # open reopens: OPEN, or IN_PROGRESS when the ticket has an agent (the native status rules)
    status = TicketStatus.CLOSED if request.status == SellgateStatus.CLOSED else TicketStatus.OPEN
    ticket = ticket_service().update(caller(app), ticketId, UpdateTicketRequest(status=status), expected)
    return document(SellgateDocument[SellgateTicket](data=SellgateTicket.of(ticket)), version=ticket.version)
