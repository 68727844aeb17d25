"""Lambda entry point: webhook attempts (the delivery queue)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.observability import logger, metrics, trace_handler
from tickets.webhooks.deliver import handle


@logger.inject_lambda_context
@trace_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(event, context)
