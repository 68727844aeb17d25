"""The real-time push's connections (README, Real-time): single-use tokens that open a WebSocket, and
the connections themselves. What each receives: logic/push.py."""

from __future__ import annotations

import secrets
from datetime import timedelta

from tickets.ids import utc_now
from tickets.logic.access import Caller
from tickets.logic.api_keys import key_hash
from tickets.models.realtime import (
    CONNECTION_SECONDS,
    TOKEN_SECONDS,
    Connection,
    Grant,
    RealtimeToken,
    SubscribeRequest,
)
from tickets.store.realtime import RealtimeStore

TOKEN_PREFIX = "rt_"
_TOKEN_LENGTH = len(TOKEN_PREFIX) + 43  # 32 random bytes, base64url


class TokenService:
    def __init__(self, store: RealtimeStore, client_url: str) -> None:
        self._store = store
        self._client_url = client_url

    def issue(self, caller: Caller) -> RealtimeToken:
        """A token for the caller's key (any role), good for one connection within 60 s. Only its hash
        is stored, so the table never holds a token that opens a connection."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = utc_now() + timedelta(seconds=TOKEN_SECONDS)
        grant = Grant(
            tenant_id=caller.tenant_id, role=caller.role, key_id=caller.key_id, agent_id=caller.agent_id
        )
        self._store.add_token(key_hash(token), grant, int(expires_at.timestamp()))
        return RealtimeToken(token=token, url=f"{self._client_url}?token={token}", expires_at=expires_at)

    def admit(self, token: str | None) -> Grant | None:
        """What the token lets its connection receive, once: None for a token missing, malformed,
        unknown, used or expired."""
        if not token or len(token) != _TOKEN_LENGTH or not token.startswith(TOKEN_PREFIX):
            return None
        return self._store.take_token(key_hash(token))


class ConnectionService:
    def __init__(self, store: RealtimeStore) -> None:
        self._store = store

    def connect(self, connection_id: str, grant: Grant) -> Connection:
        now = utc_now()
        connection = Connection(id=connection_id, connected_at=now, **grant.model_dump())
        self._store.add_connection(connection, int(now.timestamp()) + CONNECTION_SECONDS)
        return connection

    def disconnect(self, connection_id: str) -> None:
        self._store.remove_connection(connection_id)

    def subscribe(self, connection_id: str, request: SubscribeRequest) -> Connection | None:
        """The connection narrowed to `topics` (replacing any earlier ones); None when it is gone."""
        return self._store.set_topics(connection_id, request.topics)
