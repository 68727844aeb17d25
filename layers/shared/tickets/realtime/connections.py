"""The WebSocket API's routes: $connect (the authorizer's grant becomes a connection), $disconnect,
`subscribe` (narrow what the connection receives), and $default (anything else: an error). A client
hears the answer to what it sent as a message on its connection: `{"type": "subscribed", ...}` or
`{"type": "error", "error": {code, message, details}}`."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from tickets import clients
from tickets.errors import ErrorCode
from tickets.logic.realtime import ConnectionService
from tickets.models.enums import Role
from tickets.models.realtime import Grant, SubscribeRequest
from tickets.notify.connections import ConnectionPoster
from tickets.observability import logger
from tickets.settings import get_realtime_settings, get_settings
from tickets.store.realtime import RealtimeStore

OK = {"statusCode": 200}


@lru_cache(maxsize=1)
def connections() -> ConnectionService:
    return ConnectionService(RealtimeStore(clients.dynamodb(), get_settings().table_name))


@lru_cache(maxsize=1)
def poster() -> ConnectionPoster:
    return ConnectionPoster(clients.connections(get_realtime_settings().management_url))


def _connection_id(event: dict[str, Any]) -> str:
    return str(event["requestContext"]["connectionId"])


def connect(event: dict[str, Any]) -> dict[str, Any]:
    """The authorizer let the connection in: its context (strings only) names the key's grant."""
    context = event["requestContext"].get("authorizer") or {}
    grant = Grant(
        tenant_id=context["tenantId"],
        role=Role(context["role"]),
        key_id=context["keyId"],
        agent_id=context.get("agentId") or None,
    )
    connection = connections().connect(_connection_id(event), grant)
    logger.info(
        "Connected", extra={"tenantId": grant.tenant_id, "role": grant.role, "connectionId": connection.id}
    )
    return OK


def disconnect(event: dict[str, Any]) -> dict[str, Any]:
    connections().disconnect(_connection_id(event))
    return OK


def subscribe(event: dict[str, Any]) -> dict[str, Any]:
    connection_id = _connection_id(event)
    try:
        request = SubscribeRequest.model_validate_json(event.get("body") or "")
    except ValidationError as error:
        details = [
            {"field": ".".join(str(part) for part in issue["loc"]) or "body", "message": issue["msg"]}
            for issue in error.errors(include_url=False)
        ]
        return _answer(
            connection_id, _error(ErrorCode.VALIDATION_ERROR, "Invalid subscribe message", details)
        )
    connection = connections().subscribe(connection_id, request)
    if connection is None:  # its item is gone ($disconnect, or its 2 hours): the client may still hear
        message = "This connection is closed: open a new one with a new token (POST /v1/realtime/tokens)"
        return _answer(connection_id, _error(ErrorCode.UNAUTHORIZED, message, []))
    return _answer(connection_id, {"type": "subscribed", "topics": connection.topics})


def unknown_action(event: dict[str, Any]) -> dict[str, Any]:
    message = 'Unknown action: send {"action": "subscribe", "topics": ["queue", "mine", "ticket:<id>"]}'
    return _answer(_connection_id(event), _error(ErrorCode.VALIDATION_ERROR, message, []))


def _error(code: ErrorCode, message: str, details: list[dict[str, str]]) -> dict[str, Any]:
    return {"type": "error", "error": {"code": code, "message": message, "details": details}}


def _answer(connection_id: str, document: dict[str, Any]) -> dict[str, Any]:
    poster().post(connection_id, json.dumps(document, separators=(",", ":")).encode())
    return OK
