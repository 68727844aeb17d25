"""Lambda entry point: each event of the bus to the tenant's WebSocket connections."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.observability import logger, metrics, trace_handler
from tickets.realtime.push import handle


@logger.inject_lambda_context
@trace_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:  # noqa: ARG001
    handle(event)
