"""Any method a resource does not serve: 405 METHOD_NOT_ALLOWED with `Allow` (RFC 9110), in the error
envelope. API Gateway routes here, through each resource's ANY method, every request whose method has
no function of its own (a specific method always wins over ANY); without it, such a request would be a
404 from API Gateway itself. No key is needed: the methods a resource serves are public, as in the
OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from tickets.api.responses import error_response
from tickets.errors import ErrorCode, FieldIssue
from tickets.observability import logger

# The methods each resource of template.yaml serves (a unit test keeps the two equal).
ALLOWED_METHODS: dict[str, tuple[str, ...]] = {
    "/compat/jtl/v1/channel/ticket": ("POST",),
    "/compat/paymenter/api/v1/admin/ticket-messages": ("POST",),
    "/compat/paymenter/api/v1/admin/tickets": ("GET", "POST"),
    "/compat/paymenter/api/v1/admin/tickets/{ticketId}": ("DELETE", "GET", "PUT"),
    "/compat/sellgate/v1/tickets": ("GET",),
    "/compat/sellgate/v1/tickets/{ticketId}": ("GET", "PATCH", "POST"),
    "/compat/supportdesk/api/v1/tickets/api-create": ("POST",),
    "/console": ("GET",),
    "/console/{file}": ("GET",),
    "/docs": ("GET",),
    "/docs/{file}": ("GET",),
    "/v1/agents": ("GET",),
    "/v1/agents/{agentId}": ("PATCH", "PUT"),
    "/v1/customers": ("GET",),
    "/v1/customers/{externalId}": ("GET", "PUT"),
    "/v1/me": ("GET",),
    "/v1/realtime/tokens": ("POST",),
    "/v1/sla-policies": ("GET",),
    "/v1/sla-policies/{policyId}": ("DELETE", "GET", "PUT"),
    "/v1/tickets": ("GET", "POST"),
    "/v1/tickets/{ticketId}": ("DELETE", "GET", "PATCH", "POST"),
    "/v1/tickets/{ticketId}/events": ("GET",),
    "/v1/tickets/{ticketId}/messages": ("POST",),
    "/v1/webhooks": ("GET", "POST"),
    "/v1/webhooks/{webhookId}": ("DELETE", "GET", "PATCH"),
    "/v1/webhooks/{webhookId}/deliveries": ("GET",),
    "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/resend": ("POST",),
    "/v1/webhooks/{webhookId}/rotate-secret": ("POST",),
    "/v1/webhooks/{webhookId}/test": ("POST",),
}


def respond(event: Mapping[str, Any]) -> dict[str, Any]:
    resource, method = str(event.get("resource")), str(event.get("httpMethod"))
    allowed = ALLOWED_METHODS.get(resource)
    if allowed is None or method in allowed:  # not a request API Gateway sends here
        response = error_response(ErrorCode.ROUTE_NOT_FOUND, "No such route")
    else:
        methods = ", ".join(allowed)
        response = error_response(
            ErrorCode.METHOD_NOT_ALLOWED,
            f"{method} is not allowed on {resource}",
            [FieldIssue("method", f"use one of {methods}")],
        )
        response.headers["Allow"] = methods
    logger.info("Method not allowed", extra={"method": method, "resource": resource})
    builder: ResponseBuilder[APIGatewayProxyEvent] = ResponseBuilder(response)
    return builder.build(APIGatewayProxyEvent(dict(event)))
