"""Lambda entry point: 405 for a method a resource does not serve (each resource's ANY method)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.api.routes.method_not_allowed import respond
from tickets.observability import logger, trace_handler


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@trace_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:  # noqa: ARG001
    return respond(event)
