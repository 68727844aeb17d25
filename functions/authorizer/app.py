"""Lambda entry point: the API key authorizer (API Gateway REST, REQUEST type). Never logs the event."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.api.authorizer import authorize
from tickets.observability import logger, trace_handler


@logger.inject_lambda_context(log_event=False)
@trace_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:  # noqa: ARG001
    return authorize(event)
