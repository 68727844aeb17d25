"""The composition root: each use case's service, built once per container on first use (so tests
can point the clients at their mocks first), from the settings, the AWS clients and the stores."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from tickets import clients
from tickets.logic.agents import AgentService
from tickets.logic.cursor import CursorCodec
from tickets.logic.customers import CustomerService
from tickets.logic.history import HistoryService
from tickets.logic.service import TicketService
from tickets.logic.webhooks import WebhookService
from tickets.notify.delivery_queue import DeliveryQueue
from tickets.settings import get_realtime_settings, get_settings, get_webhook_settings
from tickets.store.agents import AgentStore
from tickets.store.customers import CustomerStore
from tickets.store.history import HistoryStore
from tickets.store.lists import ListStore
from tickets.store.repository import TicketRepository
from tickets.store.secrets import SecretBox
from tickets.store.sla import SlaPolicyStore
from tickets.store.table import Table
from tickets.store.tenants import TenantStore
from tickets.store.webhooks import WebhookStore

if TYPE_CHECKING:
    from tickets.logic.realtime import TokenService
    from tickets.logic.sla import SlaPolicyService

StoreT = TypeVar("StoreT", bound=Table)


def _store(kind: type[StoreT]) -> StoreT:
    """A store over the table: a client and the table's name, nothing to share between services."""
    return kind(clients.dynamodb(), get_settings().table_name)


@lru_cache(maxsize=1)
def ticket_service() -> TicketService:
    settings = get_settings()
    return TicketService(
        _store(TicketRepository),
        _store(TenantStore),
        _store(AgentStore),
        _store(ListStore),
        _store(SlaPolicyStore),
        cursors=CursorCodec(settings.cursor_signing_key),
        write_retry_seconds=settings.write_retry_seconds,
    )


@lru_cache(maxsize=1)
def history_service() -> HistoryService:
    return HistoryService(
        _store(TicketRepository), _store(HistoryStore), CursorCodec(get_settings().cursor_signing_key)
    )


@lru_cache(maxsize=1)
def customer_service() -> CustomerService:
    return CustomerService(_store(CustomerStore), CursorCodec(get_settings().cursor_signing_key))


@lru_cache(maxsize=1)
def agent_service() -> AgentService:
    return AgentService(_store(AgentStore))


@lru_cache(maxsize=1)
def webhook_service() -> WebhookService:
    settings = get_webhook_settings()
    return WebhookService(
        _store(WebhookStore),
        SecretBox(clients.kms(), settings.key_id),
        DeliveryQueue(clients.sqs(), settings.queue_url),
        CursorCodec(get_settings().cursor_signing_key),
        allow_loopback=settings.loopback_allowed,
    )


@lru_cache(maxsize=1)
def token_service() -> TokenService:
    # Imported here: only the token route runs it, and every API function imports this module (its
    # models alone are about 5 ms of a cold start).
    from tickets.logic.realtime import TokenService  # noqa: PLC0415
    from tickets.store.realtime import RealtimeStore  # noqa: PLC0415

    return TokenService(_store(RealtimeStore), get_realtime_settings().client_url)


@lru_cache(maxsize=1)
def sla_policy_service() -> SlaPolicyService:
    # Imported here, as the token service: only the SLA policies' routes run it.
    from tickets.logic.sla import SlaPolicyService  # noqa: PLC0415

    return SlaPolicyService(_store(SlaPolicyStore))
