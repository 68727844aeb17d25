"""What happens after a write, driven by the table's stream: automatic assignment and emails (to
agents, customers, and the tenant's admins).

Every effect is idempotent, because the stream delivers at least once: an assignment is a conditional
write of the ticket (a redelivered record finds it assigned), and each email is claimed once under a
key naming the change that caused it."""

from __future__ import annotations

from enum import Enum, auto

from aws_lambda_powertools.metrics import MetricUnit

from tickets import retry
from tickets.ids import format_timestamp, utc_now
from tickets.logic import assignment, listing, sla_clock, workflow
from tickets.models.domain import Agent, Message, Ticket
from tickets.models.enums import Party, TicketStatus
from tickets.models.sla import SlaMetric, SlaMetricName
from tickets.models.webhooks import Webhook
from tickets.notify.mailer import Mailer
from tickets.notify.render import Email, render
from tickets.observability import logger, metrics
from tickets.store.agents import AgentStore
from tickets.store.lists import ListStore
from tickets.store.repository import AgentUnavailable, StaleWrite, TicketRepository
from tickets.store.tenants import TenantStore

BACKLOG_BATCH = 10
BACKLOG_ROUNDS = 20  # at most 200 queue entries looked at per triggering record
_METRIC_NAMES: dict[SlaMetricName, str] = {
    "firstResponse": "first response",
    "nextResponse": "next response",
    "resolution": "resolution",
}


class Outcome(Enum):
    ASSIGNED = auto()
    NOT_WAITING = auto()  # the ticket is gone, assigned, or not OPEN: it needs no agent
    CONTENDED = auto()  # changed by others at each attempt: it keeps its place for the next trigger
    NO_AGENT = auto()  # nobody has room: the rest of the queue waits too


class Automation:
    def __init__(
        self,
        repository: TicketRepository,
        tenants: TenantStore,
        agents: AgentStore,
        lists: ListStore,
        *,
        mailer: Mailer,
        default_sender: str | None,
    ) -> None:
        self._repository = repository
        self._tenants = tenants
        self._agents = agents
        self._lists = lists
        self._mailer = mailer
        self._default_sender = default_sender

    # Triggers --------------------------------------------------------------------------------------

    def ticket_changed(self, before: Ticket | None, after: Ticket) -> None:
        # A new ticket, or one back in the queue (unassigned, reopened, answered by its customer).
        if workflow.waits_for_agent(after) and (before is None or not workflow.waits_for_agent(before)):
            self.assign(after.tenant_id, after.id)
        agent = after.assigned_agent
        newly_assigned = agent is not None and (before is None or before.assigned_agent != agent)
        if newly_assigned and after.status != TicketStatus.CLOSED:
            self._notify_assigned(after)
        if after.status == TicketStatus.CLOSED and (before is None or before.status != TicketStatus.CLOSED):
            self._notify_closed(after)
        if before is not None and workflow.agent_load_delta(before, after).get(_agent_id(before), 0) < 0:
            self.assign_backlog(after.tenant_id)  # the agent has room for another ticket
        for metric, clock in sla_clock.newly_recorded(before, after, "breached_at"):
            self._notify_breached(after, metric, clock)

    def message_added(self, message: Message) -> None:
        if message.internal:
            return  # internal notes never reach the customer, nor need to reach the agent
        ticket = self._repository.get_ticket(message.tenant_id, message.ticket_id)
        if ticket is None:
            return
        if message.from_.role == Party.AGENT:
            self._notify_customer_of_reply(ticket, message)
        elif ticket.assigned_agent is not None:
            self._notify_agent_of_reply(ticket, message)

    def agent_changed(self, before: Agent | None, after: Agent) -> None:
        """An agent who becomes available, or gets more room, takes tickets from the queue."""
        gained = before is None or (not before.available and after.available)
        gained = gained or (before is not None and after.max_open_tickets > before.max_open_tickets)
        if gained and assignment.eligible(after):
            self.assign_backlog(after.tenant_id)

    def webhook_disabled(self, webhook: Webhook) -> None:
        """The delivery disabled an endpoint (a 410, or five days of failures): its tenant's admins are
        told, once each, since nothing reaches the endpoint until one of them enables it again."""
        tenant = self._tenants.get_tenant(webhook.tenant_id)
        if tenant is None or webhook.disabled_reason is None:
            return  # the tenant is gone, or an admin disabled it (and knows)
        values = {
            "webhook_id": webhook.id,
            "url": webhook.url,
            "reason": webhook.disabled_reason,
            "disabled_at": format_timestamp(webhook.updated_at),
        }
        for email in tenant.admin_emails:
            key = f"webhook/{webhook.id}/disabled/{values['disabled_at']}/{email}"
            self._send(tenant.id, key, render("webhook_disabled", email, values))

    # Assignment ------------------------------------------------------------------------------------

    def assign(self, tenant_id: str, ticket_id: str) -> Outcome:
        """Give the ticket to an agent by the rule, if it still waits for one and someone has room."""
        for _ in retry.attempts(retry.ASSIGN_ATTEMPTS, retry.WRITE_BACKOFF):
            before = self._repository.get_ticket(tenant_id, ticket_id)
            if before is None or not workflow.waits_for_agent(before):
                return Outcome.NOT_WAITING
            agents = {agent.id: agent for agent in self._agents.list_agents(tenant_id)}
            now = utc_now()
            choice = assignment.choose(list(agents.values()), now)
            if choice is None:
                logger.info("No agent available", extra={"ticketId": ticket_id, "tenantId": tenant_id})
                return Outcome.NO_AGENT
            after = assignment.assign(before, agents[choice.agent_id], choice)
            try:
                listing.save_change(self._repository, before, after, within_capacity=True)
            except (StaleWrite, AgentUnavailable):
                continue  # someone changed the ticket or filled the agent: look again
            metrics.add_metric(name="TicketsAssigned", unit=MetricUnit.Count, value=1)
            latency = (now - before.created_at).total_seconds() * 1000
            metrics.add_metric(name="AssignmentLatency", unit=MetricUnit.Milliseconds, value=latency)
            logger.info("Assigned", extra={"ticketId": ticket_id, "agentId": choice.agent_id})
            return Outcome.ASSIGNED
        return Outcome.CONTENDED

    def assign_backlog(self, tenant_id: str) -> int:
        """Assign the oldest waiting tickets while agents have room; how many were assigned. A ticket
        that turns out not to wait (changed since its entry was read, or an OPEN ticket with an agent
        as an older version of the API could leave one) is passed over, never a reason to stop; each
        round reads on after the last entry looked at. Bounded, so one record never runs long: what
        is left waits for the next agent change, closed ticket or new ticket."""
        assigned = 0
        start: dict[str, str] | None = None
        for _ in range(BACKLOG_ROUNDS):
            waiting = self._lists.read_list_entries(
                tenant_id, listing.UNASSIGNED_QUEUE, ascending=True, start=start, limit=BACKLOG_BATCH
            )
            for entry in waiting.entries:
                outcome = self.assign(tenant_id, entry.ticket_id)
                if outcome is Outcome.NO_AGENT:
                    return assigned
                assigned += outcome is Outcome.ASSIGNED
            if waiting.resume_at is None:
                return assigned
            start = waiting.resume_at
        return assigned

    # Emails ----------------------------------------------------------------------------------------

    def _notify_assigned(self, ticket: Ticket) -> None:
        agent = ticket.assigned_agent
        if agent is None or not agent.email:
            return
        full = self._repository.get_ticket(ticket.tenant_id, ticket.id, with_description=True)
        if full is None:
            return  # deleted since: nobody is told about a ticket that is gone
        values = _ticket_values(full) | {"agent_name": agent.name, "description": full.description or ""}
        key = f"{ticket.id}/assigned/{agent.id}/v{ticket.version}"
        self._send(ticket.tenant_id, key, render("assigned", agent.email, values))

    def _notify_closed(self, ticket: Ticket) -> None:
        if not ticket.customer.email or self._repository.get_ticket(ticket.tenant_id, ticket.id) is None:
            return  # no address, or deleted since
        key = f"{ticket.id}/closed/v{ticket.version}"
        self._send(ticket.tenant_id, key, render("closed", ticket.customer.email, _ticket_values(ticket)))

    def _notify_breached(self, ticket: Ticket, metric: SlaMetricName, clock: SlaMetric) -> None:
        """An SLA target missed: the assigned agent is told, or the tenant's admins when nobody is."""
        due_at = format_timestamp(clock.due_at) if clock.due_at else ""
        values = _ticket_values(ticket) | {"metric": _METRIC_NAMES[metric], "due_at": due_at}
        agent = ticket.assigned_agent
        if agent is not None and agent.email:
            recipients = [agent.email]
        else:
            tenant = self._tenants.get_tenant(ticket.tenant_id)
            recipients = list(tenant.admin_emails) if tenant else []
        for email in recipients:
            key = f"{ticket.id}/sla/{metric}/breached/{due_at}/{email}"
            self._send(ticket.tenant_id, key, render("sla_breached", email, values))

    def _notify_customer_of_reply(self, ticket: Ticket, message: Message) -> None:
        if not ticket.customer.email:
            return
        author = message.from_.name or "Our support team"
        values = _ticket_values(ticket) | {"author": author, "message": message.message}
        key = f"{ticket.id}/message/{message.id}/customer"
        self._send(ticket.tenant_id, key, render("agent_reply", ticket.customer.email, values))

    def _notify_agent_of_reply(self, ticket: Ticket, message: Message) -> None:
        agent = ticket.assigned_agent
        if agent is None or not agent.email:
            return
        values = _ticket_values(ticket) | {"agent_name": agent.name, "message": message.message}
        key = f"{ticket.id}/message/{message.id}/agent"
        self._send(ticket.tenant_id, key, render("customer_reply", agent.email, values))

    def _send(self, tenant_id: str, notification: str, email: Email) -> None:
        tenant = self._tenants.get_tenant(tenant_id)
        sender = (tenant.sender_email if tenant else None) or self._default_sender
        if sender is None:
            logger.warning("No sender address: email not sent", extra={"tenantId": tenant_id})
            return
        try:
            sent = self._mailer.send_once(tenant_id, notification, sender, email)
        except Exception:
            metrics.add_metric(name="EmailsFailed", unit=MetricUnit.Count, value=1)
            raise
        if sent:
            metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=1)


def _agent_id(ticket: Ticket) -> str:
    return ticket.assigned_agent.id if ticket.assigned_agent else ""


def _ticket_values(ticket: Ticket) -> dict[str, str]:
    customer = ticket.customer
    return {
        "ticket_number": ticket.ticket_number,
        "ticket_id": ticket.id,
        "subject": ticket.subject,
        "priority": ticket.priority,
        "customer": f"{customer.name or customer.external_id} <{customer.email or 'no email'}>",
        "customer_name": customer.name or customer.external_id,
    }
