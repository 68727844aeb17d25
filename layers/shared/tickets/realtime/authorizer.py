"""The WebSocket API's REQUEST authorizer on $connect: a single-use token (`?token=`, from POST
/v1/realtime/tokens) to its key's tenant, role and agent. The token is taken as it is checked, so it
opens one connection. A refused token gets a Deny policy (403); a missing one never reaches here
(API Gateway answers 401, the token being the identity source)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
)

from tickets import clients
from tickets.logic.realtime import TokenService
from tickets.observability import logger
from tickets.settings import get_realtime_settings, get_settings
from tickets.store.realtime import RealtimeStore


@lru_cache(maxsize=1)
def tokens() -> TokenService:
    store = RealtimeStore(clients.dynamodb(), get_settings().table_name)
    return TokenService(store, get_realtime_settings().client_url)


def authorize(raw_event: dict[str, Any]) -> dict[str, Any]:
    """The policy for the $connect route itself (its method ARN): a WebSocket's other routes are
    never authorized again."""
    event = APIGatewayAuthorizerRequestEvent(raw_event)
    grant = tokens().admit((event.query_string_parameters or {}).get("token"))
    if grant is None:
        logger.info("Denied: a token unknown, used or expired")
        return _policy(event.method_arn, "anonymous", "Deny", None)
    context = {"tenantId": grant.tenant_id, "role": str(grant.role), "keyId": grant.key_id}
    if grant.agent_id:
        context["agentId"] = grant.agent_id
    logger.info("Allowed", extra={"keyId": grant.key_id, "tenantId": grant.tenant_id, "role": grant.role})
    return _policy(event.method_arn, grant.key_id, "Allow", context)


def _policy(route_arn: str, principal: str, effect: str, context: dict[str, str] | None) -> dict[str, Any]:
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": route_arn}
    policy: dict[str, Any] = {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
    }
    if context:
        policy["context"] = context
    return policy
