"""The real-time push (README, Real-time): tokens that open a WebSocket, the connections, and what a
client may send on one."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tickets.models.base import CamelModel, RequestModel
from tickets.models.enums import Role
from tickets.models.types import RealtimeTopics, Timestamp

TOKEN_SECONDS = 60  # a token opens one connection within this time
CONNECTION_SECONDS = 2 * 3600  # API Gateway closes a WebSocket after 2 hours; its item expires then
# $connect writes the connection's item before API Gateway has opened it, and a post until then is
# refused as gone (410). API Gateway's integration timeout (29 s) bounds that time.
OPENING_SECONDS = 30
QUEUE_TOPIC = "queue"  # the tickets waiting for an agent
MINE_TOPIC = "mine"  # an agent key's own tickets
TICKET_TOPIC_PREFIX = "ticket:"


class RealtimeToken(CamelModel):
    """The answer of POST /v1/realtime/tokens."""

    token: str | None = Field(
        description="rt_...; opens one connection, within 60 s. Null in a replayed answer (same "
        "Idempotency-Key): a token is never kept, so ask for a new one"
    )
    url: str | None = Field(
        description="The WebSocket address with the token in its query string (null when token is)"
    )
    expires_at: Timestamp


class Grant(CamelModel):
    """What a token, once taken, lets its connection receive: the key's tenant, role and agent."""

    tenant_id: str
    role: Role
    key_id: str
    agent_id: str | None = None


class Connection(Grant):
    """An open WebSocket, and what it asked for (`topics`; None: all its role may receive)."""

    id: str
    topics: list[str] | None = None
    connected_at: Timestamp


class SubscribeRequest(RequestModel):
    """`{"action": "subscribe", "topics": [...]}`: narrow what the connection receives."""

    action: Literal["subscribe"]
    topics: RealtimeTopics
