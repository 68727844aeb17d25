"""The REQUEST authorizer: an API key from `X-API-Key` or `Authorization: Bearer` to its tenant and role.

API Gateway's own authorizer cache is keyed on identity sources that must all be present, and a key
may come in either of two headers, so the result is cached here instead, per key hash, for
AUTH_CACHE_TTL_SECONDS: a revoked key stops working within that time.

A refused key is no error: it gets an explicit Deny policy, which API Gateway answers as ACCESS_DENIED
(template.yaml turns that into our 401 UNAUTHORIZED envelope), and one INFO line. Raising
"Unauthorized" would also be a 401, but the Lambda runtime logs the traceback of every such failure."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)

from tickets import clients
from tickets.logic.api_keys import key_hash, secret_from_headers
from tickets.models.domain import ApiKey
from tickets.observability import logger
from tickets.settings import get_settings
from tickets.store.access import AccessRepository

_CACHE_LIMIT = 10_000
# key hash -> (the key or None when unknown, monotonic time until which it is trusted)
_cache: dict[str, tuple[ApiKey | None, float]] = {}


# The principal of a denied request that names no key we know.
ANONYMOUS = "anonymous"


@lru_cache(maxsize=1)
def _repository() -> AccessRepository:
    return AccessRepository(clients.dynamodb(), get_settings().table_name)


def _lookup(hashed: str) -> ApiKey | None:
    now = time.monotonic()
    cached = _cache.get(hashed)
    if cached is not None and cached[1] > now:
        return cached[0]
    key = _repository().find_key(hashed)
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[hashed] = (key, now + get_settings().auth_cache_ttl_seconds)
    return key


def authorize(raw_event: dict[str, Any]) -> dict[str, Any]:
    event = APIGatewayAuthorizerRequestEvent(raw_event)
    secret = secret_from_headers(dict(event.headers or {}))
    if secret is None:
        logger.info("Denied: no API key, or not shaped like one")
        return _deny(event, ANONYMOUS)
    key = _lookup(key_hash(secret))
    if key is None or key.revoked_at is not None:
        logger.info("Denied: unknown or revoked key", extra={"keyId": key.id if key else None})
        return _deny(event, key.id if key else ANONYMOUS)
    context = {"tenantId": key.tenant_id, "role": key.role, "keyId": key.id}
    if key.agent_id:
        context["agentId"] = key.agent_id
    response = APIGatewayAuthorizerResponse.from_route_arn(
        event.method_arn, principal_id=key.id, context=context, usage_identifier_key=key.usage_key
    )
    response.allow_all_routes()
    logger.info("Allowed", extra={"keyId": key.id, "tenantId": key.tenant_id, "role": key.role})
    return response.asdict()


def _deny(event: APIGatewayAuthorizerRequestEvent, principal_id: str) -> dict[str, Any]:
    response = APIGatewayAuthorizerResponse.from_route_arn(event.method_arn, principal_id=principal_id)
    response.deny_all_routes()
    return response.asdict()


def forget_cached_keys() -> None:
    """Tests revoke keys and check the next request, without waiting for the TTL."""
    _cache.clear()
    _repository.cache_clear()
