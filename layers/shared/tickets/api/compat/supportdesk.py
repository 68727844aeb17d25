"""SupportDesk (its document: shared/seeds/supportdesk-create-ticket.txt), drop-in: a client keeps
its requests and swaps `https://supportdesk.innovartx.com/api/v1` for `$API/compat/supportdesk/api/v1`.

    POST /tickets/api-create    X-API-Key: <key>    the document's body; its answer, in our envelope

The body takes the document's fields only; the answer carries the document's ticket fields. Errors are
the native envelope, which is SupportDesk's (400 VALIDATION_ERROR, 403 PLAN_LIMIT_REACHED, 404
CUSTOMER_NOT_FOUND). Assignment happens on the table's stream, so the answer is the ticket as created:
OPEN with no agent yet, where the document's example shows one already assigned."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field

from tickets.api.request import IdempotencyKey, caller
from tickets.api.resolver import build_resolver
from tickets.api.responses import enveloped, success
from tickets.api.services import ticket_service
from tickets.models.base import CamelModel, RequestModel
from tickets.models.domain import Ticket
from tickets.models.enums import Channel, Priority, TicketStatus
from tickets.models.requests import CreateTicketRequest
from tickets.models.types import Identifier, Markdown, Metadata, ShortText, Subject, TagIds, Timestamp
from tickets.observability import metrics

BASE = "/compat/supportdesk/api/v1"
TAG = "SupportDesk"

app = build_resolver()


class SupportDeskCreateTicket(RequestModel):
    """The document's create body: these fields and no others."""

    customer_external_id: Identifier
    subject: Subject
    description: Markdown | None = None
    priority: Priority = Priority.MEDIUM
    category: ShortText | None = None
    metadata: Metadata | None = None
    tag_ids: TagIds = Field(default_factory=list)


class SupportDeskCustomer(CamelModel):
    id: str
    external_id: str
    email: str | None


class SupportDeskAgent(CamelModel):
    id: str
    name: str
    email: str | None


class SupportDeskTicket(CamelModel):
    """The ticket as the document's answer shows it."""

    id: str
    ticket_number: str
    subject: str
    status: TicketStatus
    priority: Priority
    channel: Channel
    customer: SupportDeskCustomer
    assigned_agent: SupportDeskAgent | None
    created_at: Timestamp

    @classmethod
    def of(cls, ticket: Ticket) -> SupportDeskTicket:
        agent = ticket.assigned_agent
        return cls(
            id=ticket.id,
            ticket_number=ticket.ticket_number,
            subject=ticket.subject,
            status=ticket.status,
            priority=ticket.priority,
            channel=ticket.channel,
            customer=SupportDeskCustomer(
                id=ticket.customer.id, external_id=ticket.customer.external_id, email=ticket.customer.email
            ),
            assigned_agent=SupportDeskAgent(id=agent.id, name=agent.name, email=agent.email)
            if agent
            else None,
            created_at=ticket.created_at,
        )


@app.post(
    f"{BASE}/tickets/api-create",
    summary="Create a ticket (SupportDesk)",
    tags=[TAG],
    responses={201: enveloped(SupportDeskTicket, "Created")},
)
def create_ticket(
    request: Annotated[SupportDeskCreateTicket, Body(embed=False)], _idempotency_key: IdempotencyKey = None
) -> Response[str]:
    native = CreateTicketRequest.model_validate(request.model_dump(by_alias=True, exclude_unset=True))
    ticket, _ = ticket_service().create_ticket(caller(app), native)
    metrics.add_metric(name="TicketsCreated", unit=MetricUnit.Count, value=1)
    return success(SupportDeskTicket.of(ticket), HTTPStatus.CREATED, version=ticket.version)
