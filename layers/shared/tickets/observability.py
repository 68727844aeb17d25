"""The one Logger, Metrics and Tracer of the package (service name and namespace from POWERTOOLS_*
variables). The Tracer exists only when tracing is on (POWERTOOLS_TRACE_DISABLED=false, set by
template.yaml's Tracing=Active): creating it imports the X-Ray SDK and patches botocore, a cold-start
cost that a stack without tracing does not pay."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics

from tickets.settings import get_observability_settings

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])

logger = Logger()
metrics = Metrics()


@cache
def tracer() -> Tracer | None:
    """Powertools' Tracer when tracing is on, else None (and aws_xray_sdk never imported)."""
    if not get_observability_settings().tracing:
        return None
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - the X-Ray SDK only when tracing

    return Tracer()


def trace_handler(handler: HandlerT) -> HandlerT:
    """`@tracer.capture_lambda_handler` when tracing is on (a subsegment per invocation, DynamoDB and
    SES calls inside it); the handler unchanged otherwise."""
    active = tracer()
    return handler if active is None else cast(HandlerT, active.capture_lambda_handler(handler))
