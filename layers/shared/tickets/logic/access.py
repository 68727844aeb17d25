"""Who may do what: API key roles, the actions they allow, and whose name a reply carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tickets.errors import Forbidden
from tickets.models.domain import Actor, MessageAuthor
from tickets.models.enums import ActorRole, Party, Role


class Action(StrEnum):
    CREATE_TICKET = "create tickets"
    READ_TICKETS = "read tickets"
    POST_CUSTOMER_MESSAGE = "post customer messages"
    POST_AGENT_MESSAGE = "post agent messages"
    UPDATE_TICKET = "update tickets"
    DELETE_TICKET = "delete tickets"
    READ_CUSTOMERS = "read customers"
    WRITE_CUSTOMERS = "create or change customers"
    READ_AGENTS = "read agents"
    MANAGE_AGENTS = "create or change agents"
    MANAGE_WEBHOOKS = "manage webhooks"
    MANAGE_SLA_POLICIES = "read or manage SLA policies"


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.INTEGRATION: frozenset(
        {
            Action.CREATE_TICKET,
            Action.READ_TICKETS,
            Action.POST_CUSTOMER_MESSAGE,
            Action.READ_CUSTOMERS,
            Action.WRITE_CUSTOMERS,
            Action.READ_AGENTS,
        }
    ),
    Role.AGENT: frozenset(
        {
            Action.READ_TICKETS,
            Action.POST_AGENT_MESSAGE,
            Action.UPDATE_TICKET,
            Action.READ_CUSTOMERS,
            Action.READ_AGENTS,
        }
    ),
    Role.ADMIN: frozenset(Action),
}


@dataclass(frozen=True)
class Caller:
    """The holder of the API key behind a request, as the authorizer resolved it."""

    tenant_id: str
    role: Role
    key_id: str
    agent_id: str | None = None


def actor_of(caller: Caller) -> Actor:
    """Who a change is told as made by: the key behind the request, never what the request says."""
    return Actor(role=ActorRole(caller.role), id=caller.key_id, agent_id=caller.agent_id)


def require(caller: Caller, action: Action) -> None:
    if action not in ALLOWED[caller.role]:
        raise Forbidden(f"An {caller.role} key may not {action}")


def reply_author(caller: Caller, requested: MessageAuthor) -> MessageAuthor:
    """The author a message is recorded with, before any agent's record is read: an agent key always
    writes as its own agent, whatever `from` says (its name then comes from the agent's record)."""
    action = Action.POST_AGENT_MESSAGE if requested.role == Party.AGENT else Action.POST_CUSTOMER_MESSAGE
    require(caller, action)
    if caller.role == Role.AGENT:
        return MessageAuthor(role=Party.AGENT, id=caller.agent_id)
    return requested
