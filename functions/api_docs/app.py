"""Lambda entry point: the API reference in Swagger UI, /docs and /docs/{file} (API Gateway REST)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.api.routes.api_docs import api_docs_app
from tickets.observability import logger, metrics, trace_handler

app = api_docs_app(Path(__file__).with_name("static"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@trace_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
