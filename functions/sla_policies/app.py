"""Lambda entry point: /v1/sla-policies and /v1/sla-policies/{policyId} (API Gateway REST)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.api.routes.sla_policies import app
from tickets.observability import logger, metrics, trace_handler


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@trace_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
