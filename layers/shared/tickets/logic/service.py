"""The use cases of the ticket API, one method each, over the ticket repository and the tenant and agent
stores."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from tickets import retry
from tickets.errors import (
    AgentNotFound,
    CustomerNotFound,
    Forbidden,
    PlanLimitReached,
    PreconditionFailed,
    SellerNotServed,
    ServiceUnavailable,
    TicketNotFound,
    Unauthorized,
)
from tickets.ids import new_ulid, utc_now
from tickets.logic import access, listing, references, sla_clock, workflow
from tickets.logic.access import Action, Caller
from tickets.logic.cursor import CursorCodec, invalid_cursor
from tickets.models.domain import (
    Actor,
    AgentRef,
    Customer,
    Message,
    MessageAuthor,
    Tenant,
    Ticket,
    TicketChanges,
    TicketDeletion,
    TicketStats,
)
from tickets.models.enums import Awaiting, Channel, Party, Role, TicketStatus
from tickets.models.requests import (
    PAGE_SIZE_MAX,
    CreateTicketRequest,
    ListTicketsQuery,
    ReplyRequest,
    UpdateTicketRequest,
)
from tickets.models.responses import PageMeta, ReplyResult, TicketDetail, TicketPage
from tickets.store.agents import AgentStore
from tickets.store.keyed_writes import KeyedWrite
from tickets.store.lists import ListStore
from tickets.store.repository import (
    AgentUnavailable,
    ExternalIdTaken,
    MessagePage,
    StaleWrite,
    TicketRepository,
)
from tickets.store.sla import SlaPolicyStore
from tickets.store.tenants import QuotaExhausted, TenantStore

MESSAGES_PER_PAGE = 100
# Optimistic writes are retried while other writers get to the ticket first (tickets/retry.py).
WrittenT = TypeVar("WrittenT")
# What a create request carries that is not a field of the ticket (the customer is found by it, the
# message becomes the ticket's first).
_NOT_TICKET_FIELDS = frozenset({"customer_external_id", "message", "status", "assigned_agent_id"})


class TicketService:
    def __init__(
        self,
        repository: TicketRepository,
        tenants: TenantStore,
        agents: AgentStore,
        lists: ListStore,
        policies: SlaPolicyStore,
        *,
        cursors: CursorCodec,
        write_retry_seconds: float,
    ) -> None:
        self._repository = repository
        self._tenants = tenants
        self._agents = agents
        self._lists = lists
        self._policies = policies
        self._cursors = cursors
        self._write_retry_seconds = write_retry_seconds

    # Create ----------------------------------------------------------------------------------------

    def create_ticket(self, caller: Caller, request: CreateTicketRequest) -> tuple[Ticket, bool]:
        """The new ticket and True, or the ticket created earlier with the same externalId and False.
        A retry of a keyed create that committed: that ticket as it is now, and True."""
        access.require(caller, Action.CREATE_TICKET)
        tenant_id = caller.tenant_id
        written = self._repository.written_under_key()
        if written is not None:
            ticket_id = written.ticket_id
            return self._current(tenant_id, ticket_id, ticket_id, None, with_description=True), True
        context = self._repository.read_create_context(
            tenant_id, request.customer_external_id, request.external_id
        )
        if context.tenant is None:
            raise Unauthorized("The tenant of these credentials does not exist")
        seller = request.channel_seller_id
        # Checked on the tenant item the context read anyway: no read of its own. Before the externalId,
        # so a seller the tenant gave up is refused even for a ticket made while it answered for it.
        if seller is not None and seller not in context.tenant.channel_seller_ids:
            raise SellerNotServed(seller)
        if context.existing_ticket_id is not None:
            return self._existing(tenant_id, context.existing_ticket_id), False
        if context.customer is None:
            raise CustomerNotFound(request.customer_external_id)
        opened_as = self._opened_as(caller, request)
        now = utc_now()
        period = workflow.quota_period(now)
        ticket_id = new_ulid(now)
        try:
            allocated = self._tenants.allocate_ticket_number(tenant_id, period)
        except QuotaExhausted as exhausted:
            raise PlanLimitReached(exhausted.tenant.plan.monthly_ticket_quota) from None
        if allocated is None:  # the tenant was deleted in between
            raise Unauthorized("The tenant of these credentials does not exist")
        tenant, sequence = allocated
        try:
            ticket, first_message = _new_ticket(
                request,
                context.customer,
                tenant,
                ticket_id,
                sequence,
                opened_as=opened_as,
                actor=access.actor_of(caller),
                now=now,
            )
            # The tenant read with the number knows its policies' revision: no read when none changed.
            policies = self._policies.policies_at(tenant_id, tenant.sla_policy_revision)
            ticket = sla_clock.advance(None, ticket, sla_clock.match_policy(policies, ticket), now=now)
            self._repository.insert_ticket(
                ticket,
                sequence,
                listing.list_memberships(ticket),
                listing.stats_delta(None, ticket),
                first_message=first_message,
                agent_load_delta=workflow.agent_load_delta(None, ticket),
            )
        except ExternalIdTaken as taken:
            # Not created after all: the quota gets the ticket back (the number stays used).
            self._tenants.release_quota(tenant_id, period)
            return self._existing(tenant_id, taken.ticket_id), False
        except AgentUnavailable:
            with contextlib.suppress(Exception):
                self._tenants.release_quota(tenant_id, period)
            raise AgentNotFound(str(request.assigned_agent_id)) from None
        except Exception:
            # Not created, or not known to be (a timeout can follow the commit). The original error
            # is reported.
            self._release_quota_unless_created(tenant_id, period, ticket_id)
            raise
        return ticket, True

    def _release_quota_unless_created(self, tenant_id: str, period: str, ticket_id: str) -> None:
        """Give the quota back the ticket it counted, unless the ticket was written after all. When that
        cannot be read either, it is given back: an undercount is the error that costs the tenant
        nothing."""
        try:
            created = self._repository.get_ticket(tenant_id, ticket_id) is not None
        except Exception:
            created = False
        if not created:
            with contextlib.suppress(Exception):
                self._tenants.release_quota(tenant_id, period)

    def _opened_as(self, caller: Caller, request: CreateTicketRequest) -> TicketChanges:
        """The status and agent a create asks for, as update changes (an update's right), checked
        before the ticket takes a number: a create that is refused writes nothing."""
        if request.status is None and request.assigned_agent_id is None:
            return TicketChanges()
        access.require(caller, Action.UPDATE_TICKET)
        given: dict[str, object] = {}
        agent: AgentRef | None = None
        if request.assigned_agent_id is not None:
            found = self._agents.get_agent(caller.tenant_id, request.assigned_agent_id)
            if found is None:
                raise AgentNotFound(request.assigned_agent_id)
            agent = found.ref()
            given["assigned_agent"] = agent
        if request.status is not None:
            workflow.require_agent_for(request.status, agent)
            given["status"] = request.status
        return TicketChanges.model_validate(given)

    def _existing(self, tenant_id: str, ticket_id: str) -> Ticket:
        ticket = self._repository.get_ticket(tenant_id, ticket_id, with_description=True)
        if ticket is None:  # the guard is written with the ticket, so this is a broken invariant
            raise ServiceUnavailable("The ticket for this externalId is not readable yet, retry")
        return ticket

    # Read ------------------------------------------------------------------------------------------

    def _resolve_id(self, tenant_id: str, reference: str) -> str:
        return references.resolve_ticket_id(self._repository, tenant_id, reference)

    def get_ticket(self, caller: Caller, reference: str, messages_cursor: str | None) -> TicketDetail:
        access.require(caller, Action.READ_TICKETS)
        tenant_id = caller.tenant_id
        ticket_id = self._resolve_id(tenant_id, reference)
        scope = f"messages:{ticket_id}"
        if messages_cursor is None:
            ticket, page = self._first_messages(tenant_id, ticket_id, reference)
        else:
            after = self._cursors.decode(tenant_id, scope, messages_cursor, field="messagesCursor")
            found = self._repository.get_ticket(tenant_id, ticket_id, with_description=True)
            if found is None or not references.names_ticket(found, reference):
                raise TicketNotFound(reference)
            ticket, page = (
                found,
                self._repository.get_messages(tenant_id, ticket_id, after, MESSAGES_PER_PAGE),
            )
        next_cursor = self._cursors.encode(tenant_id, scope, page.resume_at) if page.resume_at else None
        return TicketDetail(**dict(ticket), messages=page.messages, messages_cursor=next_cursor)

    def get_ticket_with_all_messages(self, caller: Caller, reference: str) -> tuple[Ticket, list[Message]]:
        """The ticket and every message, oldest first, for the dialects whose get has no message
        paging: one read with the first page, then one per further page of messages."""
        access.require(caller, Action.READ_TICKETS)
        tenant_id = caller.tenant_id
        ticket_id = self._resolve_id(tenant_id, reference)
        ticket, page = self._first_messages(tenant_id, ticket_id, reference)
        messages = list(page.messages)
        while page.resume_at:
            page = self._repository.get_messages(tenant_id, ticket_id, page.resume_at, MESSAGES_PER_PAGE)
            messages.extend(page.messages)
        return ticket, messages

    def _first_messages(self, tenant_id: str, ticket_id: str, reference: str) -> tuple[Ticket, MessagePage]:
        """The ticket and its first page of messages, in one Query; 404 unless `reference` names it."""
        ticket, page = self._repository.get_ticket_with_messages(tenant_id, ticket_id, MESSAGES_PER_PAGE)
        if ticket is None or not references.names_ticket(ticket, reference):
            raise TicketNotFound(reference)
        return ticket, page

    def list_tickets(self, caller: Caller, query: ListTicketsQuery) -> TicketPage:
        access.require(caller, Action.READ_TICKETS)
        tenant_id = caller.tenant_id
        plan = listing.plan_list(query)
        previous: list[Any] = [None] * len(plan.memberships)
        if query.cursor is not None:
            previous = self._cursors.decode(tenant_id, listing.query_scope(query), query.cursor)
            if not isinstance(previous, list) or len(previous) != len(plan.memberships):
                raise invalid_cursor("cursor")
        page = listing.read_page(self._lists, tenant_id, plan, previous, query.limit)
        return self._ticket_page(tenant_id, plan, page)

    def list_tickets_from(self, caller: Caller, query: ListTicketsQuery, offset: int) -> TicketPage:
        """The page `offset` tickets into the list: page numbers over the cursors, for the dialects
        that number pages. The tickets before it are read and passed over, at most a page of the
        largest size per read (listing.page_offset bounds how far). Its cursor, when there is more, is
        the native API's for the page after it."""
        access.require(caller, Action.READ_TICKETS)
        tenant_id = caller.tenant_id
        plan = listing.plan_list(query)
        positions = listing.pass_over(self._lists, tenant_id, plan, offset, PAGE_SIZE_MAX)
        page = (
            listing.read_full_page(self._lists, tenant_id, plan, positions, query.limit)
            if positions is not None
            else listing.MergedPage([], None)  # the lists end before the page
        )
        return self._ticket_page(tenant_id, plan, page)

    def _ticket_page(self, tenant_id: str, plan: listing.ListPlan, page: listing.MergedPage) -> TicketPage:
        summaries = listing.page_summaries(self._lists, tenant_id, plan, page)
        scope = listing.query_scope(plan.query)
        next_cursor = self._cursors.encode(tenant_id, scope, page.positions) if page.positions else None
        return TicketPage(
            data=summaries,
            meta=PageMeta(limit=plan.query.limit, count=len(summaries), next_cursor=next_cursor),
            stats=self.stats(tenant_id),
        )

    def stats(self, tenant_id: str) -> TicketStats:
        counters = self._lists.read_stats(tenant_id)
        by_status = {status: counters.get(f"status_{status}", 0) for status in TicketStatus}
        total = counters.get("total", 0)
        return TicketStats(
            total=total,
            open=total - by_status[TicketStatus.CLOSED],
            closed=by_status[TicketStatus.CLOSED],
            needs_response=counters.get("needsResponse", 0),
            unassigned=counters.get("unassigned", 0),
            by_status=by_status,
        )

    # Write -----------------------------------------------------------------------------------------

    def reply(
        self,
        caller: Caller,
        reference: str,
        request: ReplyRequest,
        expected_versions: frozenset[int] | None = None,
    ) -> ReplyResult:
        """The message and the ticket's summary after it. A retry of a keyed reply that committed: that
        message, and the ticket's summary as it is now."""
        author = access.reply_author(caller, request.from_)
        tenant_id = caller.tenant_id
        written = self._repository.written_under_key()
        if written is not None:
            return self._written_reply(tenant_id, reference, written)
        ticket_id = self._resolve_id(tenant_id, reference)
        if author.role == Party.AGENT and author.id is not None:
            author = self._agent_author(caller, author.id)
        now = utc_now()
        message = Message(
            tenant_id=tenant_id,
            id=new_ulid(now),
            ticket_id=ticket_id,
            message=request.message,
            from_=author,
            internal=request.internal,
            attachments=request.attachments,
            created_at=now,
            posted_by=access.actor_of(caller),
        )
        saved = self._change(
            tenant_id,
            ticket_id,
            reference,
            # The message's own time: firstResponseAt is when the first answer was written.
            lambda ticket: self._clocked(
                ticket, workflow.apply_reply(ticket, message, message.created_at), message.created_at, message
            ),
            actor=access.actor_of(caller),
            message=message,
            expected_versions=expected_versions,
        )
        return ReplyResult(message=message, ticket=saved.summary())

    def _written_reply(self, tenant_id: str, reference: str, written: KeyedWrite) -> ReplyResult:
        ticket = self._current(tenant_id, written.ticket_id, reference, None)
        message = (
            self._repository.get_message(tenant_id, ticket.id, written.message_id)
            if written.message_id is not None
            else None
        )
        if message is None:  # deleted with its ticket since
            raise TicketNotFound(reference)
        return ReplyResult(message=message, ticket=ticket.summary())

    def _agent_author(self, caller: Caller, agent_id: str) -> MessageAuthor:
        """A message from a known agent carries the agent's id and name as its record has them."""
        agent = self._agents.get_agent(caller.tenant_id, agent_id)
        if agent is None:
            if caller.role == Role.AGENT:
                raise Forbidden(f"The agent of this key ({agent_id}) does not exist")
            raise AgentNotFound(agent_id, field="from.id")
        return MessageAuthor(role=Party.AGENT, id=agent.id, name=agent.name)

    def update(
        self,
        caller: Caller,
        reference: str,
        request: UpdateTicketRequest,
        expected_versions: frozenset[int] | None = None,
    ) -> Ticket:
        """The ticket after the change. A retry of a keyed update that committed: the ticket as it is now."""
        access.require(caller, Action.UPDATE_TICKET)
        tenant_id = caller.tenant_id
        written = self._repository.written_under_key()
        if written is not None:
            return self._current(tenant_id, written.ticket_id, reference, None, with_description=True)
        ticket_id = self._resolve_id(tenant_id, reference)
        given = {name: getattr(request, name) for name in request.model_fields_set - {"assigned_agent_id"}}
        if "assigned_agent_id" in request.model_fields_set:
            agent_id = request.assigned_agent_id
            agent = self._agents.get_agent(tenant_id, agent_id) if agent_id is not None else None
            if agent_id is not None and agent is None:
                raise AgentNotFound(agent_id)
            given["assigned_agent"] = agent.ref() if agent else None
        changes = TicketChanges.model_validate(given)

        def updated(ticket: Ticket) -> Ticket:
            now = utc_now()
            return self._clocked(ticket, workflow.apply_update(ticket, changes, now), now)

        return self._change(
            tenant_id,
            ticket_id,
            reference,
            updated,
            actor=access.actor_of(caller),
            with_description=True,
            expected_versions=expected_versions,
        )

    def delete(self, caller: Caller, reference: str, expected_versions: frozenset[int] | None = None) -> None:
        """The ticket and all that is its, gone; its stats and its agent's load follow. A retry of a keyed
        delete that committed: nothing more to do."""
        access.require(caller, Action.DELETE_TICKET)
        if self._repository.written_under_key() is not None:
            return
        tenant_id = caller.tenant_id
        ticket_id = self._resolve_id(tenant_id, reference)

        def attempt() -> None:
            ticket = self._current(tenant_id, ticket_id, reference, expected_versions)
            number = workflow.parse_ticket_number(ticket.ticket_number)
            if number is None:  # every ticket has a number; a broken one is not a client's error
                raise ServiceUnavailable("The ticket's number cannot be read")
            deletion = TicketDeletion(
                tenant_id=tenant_id,
                ticket=ticket.summary(),
                deleted_by=access.actor_of(caller),
                deleted_at=utc_now(),
            )
            self._repository.delete_ticket(
                deletion,
                number[1],
                memberships=listing.list_memberships(ticket),
                stats_delta=listing.stats_delta(ticket, None),
                agent_load_delta=workflow.agent_load_delta(ticket, None),
            )

        self._until_written(attempt)

    def _change(
        self,
        tenant_id: str,
        ticket_id: str,
        reference: str,
        change: Callable[[Ticket], Ticket],
        *,
        actor: Actor,
        message: Message | None = None,
        with_description: bool = False,
        expected_versions: frozenset[int] | None = None,
    ) -> Ticket:
        """Read, change, write if nobody wrote in between; otherwise read again and redo the change.
        With `expected_versions` (If-Match) the change is only made to one of those versions.
        The description is only read when the caller returns the whole ticket; it is never rewritten."""

        def attempt() -> Ticket:
            before = self._current(tenant_id, ticket_id, reference, expected_versions, with_description)
            after = change(before)
            if after is not before:  # a change that changes nothing writes nothing, same version
                after = after.model_copy(update={"changed_by": actor})
                listing.save_change(self._repository, before, after, message=message)
            return after

        return self._until_written(attempt)

    def _clocked(
        self, before: Ticket, after: Ticket, now: datetime, message: Message | None = None
    ) -> Ticket:
        """`after` with its SLA clocks moved by the change (logic/sla_clock.py), for the same write. The
        policy is read only when the change can move them (a public reply, a status or priority change):
        by its id; the tenant's are matched again when what policies match on changed, or the ticket's
        policy was deleted."""
        public_reply = message is not None and not message.internal
        moved = (before.status, before.priority) != (after.status, after.priority)
        rescoped = sla_clock.scope_changed(before, after)
        if not (public_reply or moved or rescoped) or (after.sla is None and not rescoped):
            return after
        tenant_id = after.tenant_id
        policy = self._policies.get_policy(tenant_id, after.sla.policy_id) if after.sla is not None else None
        old_policy = None
        if policy is None or rescoped:
            matched = sla_clock.match_policy(self._policies.list_policies(tenant_id), after)
            if matched is not None and policy is not None and matched.id != policy.id:
                old_policy = policy
            policy = matched or policy
        return sla_clock.advance(before, after, policy, now=now, message=message, old_policy=old_policy)

    def _current(
        self,
        tenant_id: str,
        ticket_id: str,
        reference: str,
        expected_versions: frozenset[int] | None,
        with_description: bool = False,
    ) -> Ticket:
        """The ticket as it is now, if it is the one referenced and at a version If-Match accepts."""
        ticket = self._repository.get_ticket(tenant_id, ticket_id, with_description=with_description)
        if ticket is None or not references.names_ticket(ticket, reference):
            raise TicketNotFound(reference)
        if expected_versions is not None and ticket.version not in expected_versions:
            raise PreconditionFailed(ticket.version)
        return ticket

    def _until_written(self, attempt: Callable[[], WrittenT]) -> WrittenT:
        """`attempt()` (read, decide, write on the version read) again while another writer gets to the
        ticket first (StaleWrite, tickets/retry.py); a 503 once the retry time is spent."""
        for _ in retry.until(self._write_retry_seconds, retry.WRITE_BACKOFF):
            with contextlib.suppress(StaleWrite):
                return attempt()
        raise ServiceUnavailable("The ticket is being changed by many writers at once, retry")


def _new_ticket(
    request: CreateTicketRequest,
    customer: Customer,
    tenant: Tenant,
    ticket_id: str,
    sequence: int,
    *,
    opened_as: TicketChanges,
    actor: Actor,
    now: datetime,
) -> tuple[Ticket, Message | None]:
    """The ticket as first written (its first message too), opened as asked: the status rules of an
    update applied to it, at version 1, made by `actor`."""
    tenant_id = tenant.id
    first_message = (
        Message(
            tenant_id=tenant_id,
            id=new_ulid(now),
            ticket_id=ticket_id,
            message=request.message,
            from_=MessageAuthor(role=Party.CUSTOMER, name=customer.name),
            created_at=now,
            posted_by=actor,
        )
        if request.message is not None
        else None
    )
    ticket = Ticket(
        tenant_id=tenant_id,
        id=ticket_id,
        ticket_number=workflow.format_ticket_number(tenant.ticket_prefix, sequence),
        status=workflow.initial_status(None),
        channel=Channel.API,
        customer=customer.ref(),
        awaiting_response_from=Awaiting.AGENT if request.reply_requested else Awaiting.NONE,
        message_count=1 if first_message else 0,
        created_at=now,
        updated_at=now,
        changed_by=actor,
        # The request's own field values (nested models as they are), but the customer and message.
        **{
            name: getattr(request, name)
            for name in type(request).model_fields
            if name not in _NOT_TICKET_FIELDS
        },
    )
    if opened_as.model_fields_set:
        ticket = workflow.apply_update(ticket, opened_as, now).model_copy(update={"version": 1})
    return ticket, first_message
