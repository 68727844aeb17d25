"""Lambda entry point: the SLA clock sweep, every minute (EventBridge schedule)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.logic.sla_sweep import run_sweep
from tickets.observability import logger, metrics, trace_handler


@logger.inject_lambda_context
@trace_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:  # noqa: ARG001
    return run_sweep()
