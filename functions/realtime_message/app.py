"""Lambda entry point: what a client sends on the WebSocket: the `subscribe` route, and $default."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.observability import logger, trace_handler
from tickets.realtime.connections import subscribe, unknown_action


@logger.inject_lambda_context(log_event=False)
@trace_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:  # noqa: ARG001
    if event["requestContext"].get("routeKey") == "subscribe":
        return subscribe(event)
    return unknown_action(event)
