"""Paymenter's admin Tickets API (its document: shared/seeds/paymenter-tickets-api.txt), drop-in: a
client keeps its requests and swaps `https://your-domain.com/api/v1/admin` for
`$API/compat/paymenter/api/v1/admin`.

    GET    /tickets?per_page=&page=&filter[...]=&sort=&include=    a JSON:API page, links and meta
    GET    /tickets/{id}?include=messages,user,assigned_to         a ticket, its relationships, included
    POST   /tickets          {subject, user_id, status, priority, department, assigned_to, service_id}
    PUT    /tickets/{id}     only the fields sent change
    DELETE /tickets/{id}     204, the ticket and all its messages
    POST   /ticket-messages  {ticket_id, message, user_id}         a message from the customer or an agent

A ticket's JSON:API id is its number within the tenant (1042 of INV-1042); that number and our id are
taken wherever a ticket id goes. `user_id` is the customer's externalId, `assigned_to` the agent's id (a
number when the id is one, as Paymenter's are). Errors are Laravel's: 422 `{"message", "errors": {field:
[...]}}` for invalid input, `{"message"}` for the rest."""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Annotated, Any, ClassVar, Literal, TypeVar
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.alias_generators import to_camel

from tickets.api.request import IdempotencyKey, IfMatch, caller, reject_unknown_query
from tickets.api.resolver import build_resolver
from tickets.api.responses import (
    NOT_JSON,
    NOT_JSON_MESSAGE,
    ErrorFormat,
    document,
    documented,
    error_headers,
    field_name,
    no_content,
    no_content_documented,
)
from tickets.api.services import ticket_service
from tickets.errors import (
    HTTP_STATUS,
    AgentNotFound,
    CustomerNotFound,
    ErrorCode,
    FieldIssue,
    ValidationFailed,
)
from tickets.logic import listing
from tickets.models.domain import (
    AgentRef,
    CustomerRef,
    Message,
    Reference,
    TicketSummary,
)
from tickets.models.enums import Party, Priority, SortOrder, TicketStatus
from tickets.models.requests import (
    CreateTicketRequest,
    ListTicketsQuery,
    PageSize,
    ReplyRequest,
    UpdateTicketRequest,
)
from tickets.models.types import AgentId, CustomerExternalId, Markdown, ShortText, Subject, Timestamp
from tickets.observability import metrics

BASE = "/compat/paymenter/api/v1/admin"
TAG = "Paymenter"
SUBJECT_MAX = 255  # the document's "max 255 characters"
PER_PAGE_DEFAULT = 15
MAX_SAFE_DIGITS = 15  # a longer number may not survive a client's JSON parser (2^53) unchanged
SERVICE_REFERENCE = "SERVICE"  # service_id is kept as the ticket's reference of this type


class PaymenterStatus(StrEnum):
    OPEN = "open"
    REPLIED = "replied"
    CUSTOMER_REPLY = "customer-reply"
    ON_HOLD = "on-hold"
    CLOSED = "closed"


class PaymenterPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"
    CRITICAL = "critical"  # our fifth level: Paymenter's priorities are configured per installation


# The native status a word writes; open and customer-reply are both OPEN (IN_PROGRESS with an agent).
_NATIVE_STATUS = {
    PaymenterStatus.OPEN: TicketStatus.OPEN,
    PaymenterStatus.CUSTOMER_REPLY: TicketStatus.OPEN,
    PaymenterStatus.REPLIED: TicketStatus.WAITING_ON_CUSTOMER,
    PaymenterStatus.ON_HOLD: TicketStatus.ON_HOLD,
    PaymenterStatus.CLOSED: TicketStatus.CLOSED,
}
_AWAITING_AGENT = [TicketStatus.OPEN, TicketStatus.IN_PROGRESS]
# What a status word lists: native statuses, and whether an agent has answered (None: either).
_STATUS_FILTER: dict[PaymenterStatus, tuple[list[TicketStatus], bool | None]] = {
    PaymenterStatus.OPEN: (_AWAITING_AGENT, False),
    PaymenterStatus.CUSTOMER_REPLY: (_AWAITING_AGENT, True),
    PaymenterStatus.REPLIED: ([TicketStatus.WAITING_ON_CUSTOMER], None),
    PaymenterStatus.ON_HOLD: ([TicketStatus.ON_HOLD], None),
    PaymenterStatus.CLOSED: ([TicketStatus.CLOSED], None),
}


def paymenter_status(ticket: TicketSummary) -> PaymenterStatus:
    """open until an agent has answered; after that, customer-reply while it awaits an agent again."""
    if ticket.status in _AWAITING_AGENT:
        return PaymenterStatus.CUSTOMER_REPLY if ticket.has_agent_reply else PaymenterStatus.OPEN
    return {
        TicketStatus.WAITING_ON_CUSTOMER: PaymenterStatus.REPLIED,
        TicketStatus.ON_HOLD: PaymenterStatus.ON_HOLD,
    }.get(ticket.status, PaymenterStatus.CLOSED)


def _paymenter_id(value: str) -> int | str:
    """An id as Paymenter writes it: a JSON number when it is one (1, 5), else the string."""
    if (
        value.isascii()
        and value.isdigit()
        and (value == "0" or not value.startswith("0"))
        and len(value) <= MAX_SAFE_DIGITS
    ):
        return int(value)
    return value


def _id_text(value: object) -> object:
    """Paymenter's ids come as JSON numbers: 1 is "1"; text stays text."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return value


def _id_schema(pattern: str | None = None) -> WithJsonSchema:
    text: dict[str, Any] = {"type": "string", "minLength": 1}
    if pattern:
        text["pattern"] = pattern
    return WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, text]})


# A customer (user_id), an agent (assigned_to) and a ticket (ticket_id), as a number or as text.
UserId = Annotated[CustomerExternalId, BeforeValidator(_id_text), _id_schema()]
StaffId = Annotated[AgentId, BeforeValidator(_id_text), _id_schema(r"^[A-Za-z0-9_.@-]{1,128}$")]
TicketRef = Annotated[
    str, BeforeValidator(_id_text), StringConstraints(min_length=1, max_length=64), _id_schema()
]
PaymenterSubject = Annotated[Subject, StringConstraints(max_length=SUBJECT_MAX)]


class PaymenterModel(BaseModel):
    """Paymenter's documents: snake_case as its document writes them."""

    model_config = ConfigDict(defer_build=True, frozen=True, populate_by_name=True)


class PaymenterRequest(PaymenterModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")


class Include(StrEnum):
    MESSAGES = "messages"
    USER = "user"
    ASSIGNED_TO = "assigned_to"


def _known_includes(value: str | None) -> str | None:
    """Names from Include, comma-separated, none empty (`include=` names nothing: refused)."""
    if value is None:
        return value
    unknown = [name for name in value.split(",") if name not in set(Include)]
    if unknown:
        allowed = ", ".join(Include)
        raise ValueError(
            f"Requested include(s) `{', '.join(unknown)}` are not allowed. Allowed: `{allowed}`."
        )
    return value


def _names(value: str | None) -> list[str]:
    return value.split(",") if value else []


# A comma-separated list of what to include (a string: Powertools reads a list field from repeats).
IncludeList = Annotated[
    str | None,
    StringConstraints(max_length=64),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(messages|user|assigned_to)(,(messages|user|assigned_to))*$",
            "description": "Comma-separated: messages, user, assigned_to",
        }
    ),
]


class IncludeQuery(PaymenterRequest):
    """The include= of a list or a get."""

    include: IncludeList = None

    @field_validator("include")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        return _known_includes(value)

    @property
    def includes(self) -> frozenset[Include]:
        return frozenset(Include(name) for name in _names(self.include))


class PaymenterSort(StrEnum):
    ID = "id"
    ID_DESC = "-id"
    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    UPDATED_AT = "updated_at"
    UPDATED_AT_DESC = "-updated_at"
    STATUS = "status"
    STATUS_DESC = "-status"
    PRIORITY = "priority"
    PRIORITY_DESC = "-priority"


# Ids are in creation order, so id sorts as created_at does.
_NATIVE_SORT = {
    PaymenterSort.ID: SortOrder.CREATED_ASC,
    PaymenterSort.ID_DESC: SortOrder.CREATED_DESC,
    PaymenterSort.CREATED_AT: SortOrder.CREATED_ASC,
    PaymenterSort.CREATED_AT_DESC: SortOrder.CREATED_DESC,
    PaymenterSort.UPDATED_AT: SortOrder.UPDATED_ASC,
    PaymenterSort.UPDATED_AT_DESC: SortOrder.UPDATED_DESC,
    PaymenterSort.STATUS: SortOrder.STATUS_ASC,
    PaymenterSort.STATUS_DESC: SortOrder.STATUS_DESC,
    PaymenterSort.PRIORITY: SortOrder.PRIORITY_ASC,
    PaymenterSort.PRIORITY_DESC: SortOrder.PRIORITY_DESC,
}
UNASSIGNED = "null"  # filter[assigned_to]=null


class PaymenterListQuery(IncludeQuery):
    per_page: PageSize = PER_PAGE_DEFAULT
    page: int = Field(default=1, ge=1, le=listing.MAX_NUMBERED_TICKETS)
    filter_status: PaymenterStatus | None = Field(default=None, alias="filter[status]")
    filter_priority: PaymenterPriority | None = Field(default=None, alias="filter[priority]")
    filter_user_id: CustomerExternalId | None = Field(default=None, alias="filter[user_id]")
    filter_assigned_to: AgentId | None = Field(default=None, alias="filter[assigned_to]")
    sort: PaymenterSort = PaymenterSort.ID

    @field_validator("page")
    @classmethod
    def _within_numbered_pages(cls, page: int, info: ValidationInfo) -> int:
        listing.page_offset(page, info.data.get("per_page", PER_PAGE_DEFAULT))
        return page

    @field_validator("sort", mode="before")
    @classmethod
    def _department_is_not_sortable(cls, value: object) -> object:
        if isinstance(value, str) and value.lstrip("-") == "department":
            raise ValueError("sorting by department is not available here; filter by it natively instead")
        return value


class GetQuery(IncludeQuery):
    """include= only."""


class PaymenterCreate(PaymenterRequest):
    subject: PaymenterSubject
    user_id: UserId
    status: PaymenterStatus | None = None
    priority: PaymenterPriority = PaymenterPriority.MEDIUM
    department: ShortText | None = None
    assigned_to: StaffId | None = None
    service_id: UserId | None = None


class PaymenterUpdate(PaymenterRequest):
    """All optional: only the fields sent change (assigned_to null unassigns, department null clears)."""

    subject: PaymenterSubject | None = None
    status: PaymenterStatus | None = None
    priority: PaymenterPriority | None = None
    department: ShortText | None = None
    assigned_to: StaffId | None = None

    @field_validator("subject", "status", "priority", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null (only department and assigned_to can be cleared)")
        return value


class PaymenterMessageCreate(PaymenterRequest):
    ticket_id: TicketRef
    message: Markdown
    user_id: UserId


# Documents ---------------------------------------------------------------------------------------


class ResourceId(PaymenterModel):
    type: str
    id: str


class ToOne(PaymenterModel):
    data: ResourceId | None


class ToMany(PaymenterModel):
    data: list[ResourceId]


class TicketAttributes(PaymenterModel):
    subject: str
    status: PaymenterStatus
    priority: PaymenterPriority
    department: str | None
    user_id: int | str
    assigned_to: int | str | None
    created_at: Timestamp
    updated_at: Timestamp


class TicketResource(PaymenterModel):
    type: Literal["tickets"] = "tickets"
    id: str
    attributes: TicketAttributes


class TicketWithRelationships(TicketResource):
    # user and assigned_to always; messages on a get, and on a list with include=messages
    relationships: dict[str, ToOne | ToMany]


class UserAttributes(PaymenterModel):
    first_name: str | None
    last_name: str | None
    email: str | None


class MessageAttributes(PaymenterModel):
    message: str
    user_id: int | str | None
    created_at: Timestamp


class UserResource(PaymenterModel):
    type: Literal["users"] = "users"
    id: str
    attributes: UserAttributes


class MessageResource(PaymenterModel):
    type: Literal["ticket_messages"] = "ticket_messages"
    id: str
    attributes: MessageAttributes


Included = list[UserResource | MessageResource]


class TicketDocument(PaymenterModel):
    data: TicketWithRelationships
    included: Included | None = None


class Links(PaymenterModel):
    first: str
    last: str | None
    prev: str | None
    next: str | None


class Meta(PaymenterModel):
    current_page: int
    from_: int | None = Field(alias="from")
    path: str
    per_page: int
    to: int | None


class TicketListDocument(PaymenterModel):
    data: list[TicketWithRelationships]
    included: Included | None = None
    links: Links
    meta: Meta


class PlainTicketDocument(PaymenterModel):
    data: TicketResource


class MessageDocument(PaymenterModel):
    data: MessageResource


class LaravelError(PaymenterModel):
    message: str
    errors: dict[str, list[str]] | None = None


# Building documents ------------------------------------------------------------------------------


def _attributes(ticket: TicketSummary) -> TicketAttributes:
    agent = ticket.assigned_agent
    return TicketAttributes(
        subject=ticket.subject,
        status=paymenter_status(ticket),
        priority=PaymenterPriority(ticket.priority.lower()),
        department=ticket.department,
        user_id=_paymenter_id(ticket.customer.external_id),
        assigned_to=_paymenter_id(agent.id) if agent else None,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


def _number(ticket: TicketSummary) -> str:
    """The JSON:API id: the ticket's number within its tenant (1042 of INV-1042)."""
    return ticket.ticket_number.rpartition("-")[2]


def _plain(ticket: TicketSummary) -> TicketResource:
    return TicketResource(id=_number(ticket), attributes=_attributes(ticket))


def _with_relationships(ticket: TicketSummary, messages: list[Message] | None) -> TicketWithRelationships:
    agent = ticket.assigned_agent
    relationships: dict[str, ToOne | ToMany] = {
        "user": ToOne(data=ResourceId(type="users", id=ticket.customer.external_id)),
        "assigned_to": ToOne(data=ResourceId(type="users", id=agent.id) if agent else None),
    }
    if messages is not None:
        relationships["messages"] = ToMany(
            data=[ResourceId(type="ticket_messages", id=message.id) for message in messages]
        )
    return TicketWithRelationships(
        id=_number(ticket), attributes=_attributes(ticket), relationships=relationships
    )


def _user(person: CustomerRef | AgentRef, user_id: str) -> UserResource:
    first, _, last = (person.name or "").partition(" ")
    return UserResource(
        id=user_id,
        attributes=UserAttributes(first_name=first or None, last_name=last or None, email=person.email),
    )


def _message(ticket: TicketSummary, message: Message) -> MessageResource:
    """A message's user_id: the customer's externalId, or the agent's id (None for an agent reply
    written without one)."""
    author = message.from_
    user_id = ticket.customer.external_id if author.role == Party.CUSTOMER else author.id
    return MessageResource(
        id=message.id,
        attributes=MessageAttributes(
            message=message.message,
            user_id=_paymenter_id(user_id) if user_id else None,
            created_at=message.created_at,
        ),
    )


def _included(
    tickets: list[tuple[TicketSummary, list[Message] | None]], includes: frozenset[Include]
) -> Included | None:
    """The included resources, each once: users (customers, agents) first, then messages."""
    if not includes:
        return None
    users: dict[str, UserResource] = {}
    messages: list[MessageResource] = []
    for ticket, ticket_messages in tickets:
        if Include.USER in includes:
            users.setdefault(ticket.customer.external_id, _user(ticket.customer, ticket.customer.external_id))
        if Include.ASSIGNED_TO in includes and ticket.assigned_agent:
            agent = ticket.assigned_agent
            users.setdefault(agent.id, _user(agent, agent.id))
        if Include.MESSAGES in includes:
            messages.extend(_message(ticket, message) for message in ticket_messages or [])
    return [*users.values(), *messages]


# Errors ------------------------------------------------------------------------------------------


def _laravel_field(location: tuple[Any, ...]) -> str:
    """Laravel's dot notation: filter[status] is filter.status, attachments.0 stays."""
    return field_name(location).replace("[", ".").replace("]", "")


def _laravel_message(error: dict[str, Any], field: str) -> str:
    kind = str(error.get("type", ""))
    label = field.replace("_", " ")
    if kind == "missing":
        return f"The {label} field is required."
    if kind in ("enum", "literal_error"):
        return f"The selected {label} is invalid."
    if kind == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length")
        return f"The {label} field must not be greater than {limit} characters."
    if kind == "extra_forbidden":
        return f"The {label} field is not a field of this request."
    detail = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    return f"The {label} field is invalid: {detail}"


def _summary(errors: dict[str, list[str]]) -> str:
    """Laravel's message: the first error, and how many more."""
    messages = [message for field_messages in errors.values() for message in field_messages]
    more = len(messages) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return messages[0] + suffix


class LaravelErrors(ErrorFormat):
    """Laravel's error answers: 422 {message, errors} for invalid input, {message} for the rest."""

    model = LaravelError
    descriptions: ClassVar[dict[str, str]] = {
        "400": "the body is not JSON, or not an object (Laravel's words: {message})",
        "404": "no such ticket (or route)",
        "422": "invalid input: errors by field, Laravel's dot notation (filter.status)",
    }

    def invalid_request(self, errors: list[dict[str, Any]]) -> Response[str]:
        if any(error.get("type") == "json_invalid" for error in errors):
            return self.error(ErrorCode.VALIDATION_ERROR, NOT_JSON_MESSAGE, [NOT_JSON])
        by_field: dict[str, list[str]] = {}
        for error in errors:
            field = _laravel_field(tuple(error.get("loc", ())))
            message = _laravel_message(error, field)
            if message not in by_field.setdefault(field, []):
                by_field[field].append(message)
        return _laravel(
            HTTPStatus.UNPROCESSABLE_ENTITY, LaravelError(message=_summary(by_field), errors=by_field)
        )

    def error(self, code: ErrorCode, message: str, details: list[FieldIssue] | None = None) -> Response[str]:
        if code == ErrorCode.VALIDATION_ERROR and details and details[0].field != "body":
            by_field: dict[str, list[str]] = {}
            for issue in details:
                by_field.setdefault(issue.field, []).append(f"The {issue.field} {issue.message}.")
            response = _laravel(
                HTTPStatus.UNPROCESSABLE_ENTITY, LaravelError(message=_summary(by_field), errors=by_field)
            )
        else:
            response = _laravel(HTTP_STATUS[code], LaravelError(message=message))
        response.headers.update(error_headers(code) or {})
        return response


def _laravel(status: int, body: LaravelError) -> Response[str]:
    return document(body, status, omit={"errors"} if body.errors is None else None)


def _json(
    payload: TicketDocument | TicketListDocument | BaseModel,
    status: int = HTTPStatus.OK,
    version: int | None = None,
) -> Response[str]:
    """A Paymenter document; `included` only when something was included, as JSON:API writes it."""
    omit = {"included"} if getattr(payload, "included", "") is None else None
    return document(payload, status, version, omit=omit)


def _invalid(field: str, message: str) -> ValidationFailed:
    """Laravel answers an id that matches nothing as invalid input (422), not as a 404."""
    return ValidationFailed("The request is invalid", [FieldIssue(field, message)])


app = build_resolver(LaravelErrors())
TicketPath = Annotated[str, Path(min_length=1, max_length=64)]
NativeT = TypeVar("NativeT", bound=BaseModel)


# Routes ------------------------------------------------------------------------------------------


def _native(model: type[NativeT], **fields: Any) -> NativeT:
    """A native request from its fields by their Python names (native requests take camelCase)."""
    return model.model_validate({to_camel(name): value for name, value in fields.items()})


def _native_query(query: PaymenterListQuery) -> ListTicketsQuery:
    fields: dict[str, Any] = {"limit": query.per_page, "sort": _NATIVE_SORT[query.sort]}
    if query.filter_status is not None:
        statuses, answered = _STATUS_FILTER[query.filter_status]
        fields["status"] = statuses
        if answered is not None:
            fields["has_agent_reply"] = answered
    if query.filter_priority is not None:
        fields["priority"] = [Priority(query.filter_priority.upper())]
    if query.filter_user_id is not None:
        fields["customer_external_id"] = query.filter_user_id
    if query.filter_assigned_to == UNASSIGNED:
        fields["unassigned"] = True
    elif query.filter_assigned_to is not None:
        fields["assigned_agent_id"] = query.filter_assigned_to
    return _native(ListTicketsQuery, **fields)


def _known_total(query: PaymenterListQuery, by_status: dict[TicketStatus, int], total: int) -> int | None:
    """How many tickets the query lists, where the stats know it without counting: no filter, or a
    status whose tickets the stats count (open and customer-reply they do not tell apart)."""
    filters = (query.filter_priority, query.filter_user_id, query.filter_assigned_to)
    if any(value is not None for value in filters):
        return None
    if query.filter_status is None:
        return total
    statuses, answered = _STATUS_FILTER[query.filter_status]
    return sum(by_status.get(status, 0) for status in statuses) if answered is None else None


def _page_url(path: str, page: int) -> str:
    """A link to `page` of this list: the request's own query with its page replaced."""
    params = [
        (name, value)
        for name, values in (app.current_event.multi_value_query_string_parameters or {}).items()
        if name != "page"
        for value in values
    ]
    return f"{path}?{urlencode([*params, ('page', str(page))], safe='[],')}"


def _request_path() -> str:
    """The URL the client called, without its query: the base of the links. API Gateway gives the
    host and the path with its stage (or a custom domain's base path). The local emulator serves
    plain HTTP on a loopback host under /_aws/execute-api/{apiId}, which its events do not say."""
    event = app.current_event
    headers = {name.lower(): value for name, value in (event.headers or {}).items()}
    host = headers.get("host", "localhost")
    path = event.request_context.path or event.path
    if host.split(":")[0] in _LOOPBACK_HOSTS and "x-forwarded-proto" not in headers:
        return f"http://{host}/_aws/execute-api/{event.request_context.api_id}{path}"
    return f"{headers.get('x-forwarded-proto', 'https')}://{host}{path}"


_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


@app.get(
    f"{BASE}/tickets",
    summary="List tickets (Paymenter)",
    tags=[TAG],
    responses={200: documented(TicketListDocument, "A JSON:API page, with links and meta")},
)
def list_tickets(query: Annotated[PaymenterListQuery, Query()]) -> Response[str]:
    reject_unknown_query(app, PaymenterListQuery)
    offset = listing.page_offset(query.page, query.per_page)
    service = ticket_service()
    page = service.list_tickets_from(caller(app), _native_query(query), offset)
    messages: list[list[Message] | None] = [
        service.get_ticket_with_all_messages(caller(app), ticket.id)[1]
        if Include.MESSAGES in query.includes
        else None
        for ticket in page.data
    ]
    total = _known_total(query, page.stats.by_status, page.stats.total)
    path = _request_path()
    count = len(page.data)
    more = page.meta.next_cursor is not None and (total is None or offset + count < total)
    last = max(1, -(-total // query.per_page)) if total is not None else None
    page_document = TicketListDocument(
        data=[
            _with_relationships(ticket, ticket_messages)
            for ticket, ticket_messages in zip(page.data, messages, strict=True)
        ],
        included=_included(list(zip(page.data, messages, strict=True)), query.includes),
        links=Links(
            first=_page_url(path, 1),
            last=_page_url(path, last) if last is not None else None,
            prev=_page_url(path, query.page - 1) if query.page > 1 else None,
            next=_page_url(path, query.page + 1) if more else None,
        ),
        meta=Meta(
            current_page=query.page,
            from_=offset + 1 if count else None,
            path=path,
            per_page=query.per_page,
            to=offset + count if count else None,
        ),
    )
    return _json(page_document)


@app.get(
    f"{BASE}/tickets/<ticketId>",
    summary="Get a ticket (Paymenter)",
    tags=[TAG],
    responses={200: documented(TicketDocument, "The ticket, its relationships, and what include= asks for")},
)
def get_ticket(ticketId: TicketPath, query: Annotated[GetQuery, Query()]) -> Response[str]:
    reject_unknown_query(app, GetQuery)
    ticket, messages = ticket_service().get_ticket_with_all_messages(caller(app), ticketId)
    ticket_document = TicketDocument(
        data=_with_relationships(ticket, messages), included=_included([(ticket, messages)], query.includes)
    )
    return _json(ticket_document, version=ticket.version)


@app.post(
    f"{BASE}/tickets",
    summary="Create a ticket (Paymenter)",
    tags=[TAG],
    responses={201: documented(PlainTicketDocument, "Created: the ticket, without a message")},
)
def create_ticket(
    request: Annotated[PaymenterCreate, Body(embed=False)], _idempotency_key: IdempotencyKey = None
) -> Response[str]:
    native = _native(
        CreateTicketRequest,
        customer_external_id=request.user_id,
        subject=request.subject,
        priority=Priority(request.priority.upper()),
        department=request.department,
        reference=Reference(type=SERVICE_REFERENCE, id=request.service_id) if request.service_id else None,
        status=_NATIVE_STATUS[request.status] if request.status else None,
        assigned_agent_id=request.assigned_to,
    )
    try:
        ticket, _ = ticket_service().create_ticket(caller(app), native)
    except CustomerNotFound:
        raise _invalid("user_id", "matches no user") from None
    except AgentNotFound:
        raise _invalid("assigned_to", "matches no staff member") from None
    metrics.add_metric(name="TicketsCreated", unit=MetricUnit.Count, value=1)
    return _json(PlainTicketDocument(data=_plain(ticket)), HTTPStatus.CREATED, version=ticket.version)


@app.put(
    f"{BASE}/tickets/<ticketId>",
    summary="Update a ticket (Paymenter)",
    tags=[TAG],
    responses={200: documented(PlainTicketDocument, "The ticket")},
)
def update_ticket(
    ticketId: TicketPath,
    request: Annotated[PaymenterUpdate, Body(embed=False)],
    expected: IfMatch = None,
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    changes: dict[str, Any] = {}
    sent = request.model_fields_set
    if "subject" in sent:
        changes["subject"] = request.subject
    if request.status is not None:
        changes["status"] = _NATIVE_STATUS[request.status]
    if request.priority is not None:
        changes["priority"] = Priority(request.priority.upper())
    if "department" in sent:
        changes["department"] = request.department
    if "assigned_to" in sent:
        changes["assigned_agent_id"] = request.assigned_to
    service = ticket_service()
    ticket: TicketSummary
    if not changes:  # nothing sent: the ticket as it is, as Laravel answers an empty update
        ticket = service.get_ticket(caller(app), ticketId, None)
    else:
        try:
            ticket = service.update(caller(app), ticketId, _native(UpdateTicketRequest, **changes), expected)
        except AgentNotFound:
            raise _invalid("assigned_to", "matches no staff member") from None
    return _json(PlainTicketDocument(data=_plain(ticket)), version=ticket.version)


@app.delete(
    f"{BASE}/tickets/<ticketId>",
    summary="Delete a ticket and all its messages (Paymenter)",
    tags=[TAG],
    responses={204: no_content_documented("Deleted, with all its messages: a GET of it is 404")},
)
def delete_ticket(
    ticketId: TicketPath, expected: IfMatch = None, _idempotency_key: IdempotencyKey = None
) -> Response[str]:
    ticket_service().delete(caller(app), ticketId, expected)
    return no_content()


@app.post(
    f"{BASE}/ticket-messages",
    summary="Add a message to a ticket (Paymenter)",
    tags=[TAG],
    responses={201: documented(MessageDocument, "Created: the message")},
)
def add_message(
    request: Annotated[PaymenterMessageCreate, Body(embed=False)],
    expected: IfMatch = None,
    _idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    who = caller(app)
    service = ticket_service()
    ticket = service.get_ticket(who, request.ticket_id, None)  # whose ticket: one Query
    role = Party.CUSTOMER if request.user_id == ticket.customer.external_id else Party.AGENT
    author = {"role": role} | ({"id": request.user_id} if role == Party.AGENT else {})
    native = ReplyRequest.model_validate({"message": request.message, "from": author})
    try:
        result = service.reply(who, ticket.id, native, expected)
    except AgentNotFound:  # neither the ticket's user nor a staff member
        raise ValidationFailed(
            "The request is invalid",
            [FieldIssue("user_id", "is neither the ticket's user nor a staff member")],
        ) from None
    metrics.add_metric(name="MessagesAdded", unit=MetricUnit.Count, value=1)
    return _json(MessageDocument(data=_message(result.ticket, result.message)), HTTPStatus.CREATED)
