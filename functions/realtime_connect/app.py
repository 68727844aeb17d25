"""Lambda entry point: the WebSocket API's $connect route."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.observability import logger, trace_handler
from tickets.realtime.connections import connect


@logger.inject_lambda_context(log_event=False)
@trace_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:  # noqa: ARG001
    return connect(event)
