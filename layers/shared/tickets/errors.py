"""Error codes of the API and the typed domain errors that carry them (mapped to HTTP in one place:
the exception handlers of api/resolver.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "VALIDATION_ERROR"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    PLAN_LIMIT_REACHED = "PLAN_LIMIT_REACHED"
    SELLER_NOT_SERVED = "SELLER_NOT_SERVED"
    TICKET_NOT_FOUND = "TICKET_NOT_FOUND"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    AGENT_NOT_FOUND = "AGENT_NOT_FOUND"
    WEBHOOK_NOT_FOUND = "WEBHOOK_NOT_FOUND"
    DELIVERY_NOT_FOUND = "DELIVERY_NOT_FOUND"
    SLA_POLICY_NOT_FOUND = "SLA_POLICY_NOT_FOUND"
    ROUTE_NOT_FOUND = "ROUTE_NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    RATE_LIMITED = "RATE_LIMITED"  # answered by API Gateway (template.yaml GatewayResponses)
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


HTTP_STATUS: dict[ErrorCode, HTTPStatus] = {
    ErrorCode.VALIDATION_ERROR: HTTPStatus.BAD_REQUEST,
    ErrorCode.UNAUTHORIZED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.FORBIDDEN: HTTPStatus.FORBIDDEN,
    ErrorCode.PLAN_LIMIT_REACHED: HTTPStatus.FORBIDDEN,
    ErrorCode.SELLER_NOT_SERVED: HTTPStatus.FORBIDDEN,
    ErrorCode.TICKET_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.CUSTOMER_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.AGENT_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.WEBHOOK_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.DELIVERY_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.SLA_POLICY_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.ROUTE_NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.METHOD_NOT_ALLOWED: HTTPStatus.METHOD_NOT_ALLOWED,
    ErrorCode.CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: HTTPStatus.CONFLICT,
    ErrorCode.IDEMPOTENCY_KEY_IN_USE: HTTPStatus.CONFLICT,
    ErrorCode.PRECONDITION_FAILED: HTTPStatus.PRECONDITION_FAILED,
    ErrorCode.PAYLOAD_TOO_LARGE: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    ErrorCode.RATE_LIMITED: HTTPStatus.TOO_MANY_REQUESTS,
    ErrorCode.SERVICE_UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    ErrorCode.INTERNAL_ERROR: HTTPStatus.INTERNAL_SERVER_ERROR,
}


@dataclass(frozen=True)
class FieldIssue:
    field: str
    message: str


@dataclass
class DomainError(Exception):
    """Base of every error a caller is meant to see; `message` is safe to return."""

    code: ErrorCode
    message: str
    details: list[FieldIssue] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationFailed(DomainError):
    def __init__(self, message: str, details: list[FieldIssue] | None = None) -> None:
        super().__init__(ErrorCode.VALIDATION_ERROR, message, details or [])


class Unauthorized(DomainError):
    def __init__(self, message: str = "Missing or invalid credentials") -> None:
        super().__init__(ErrorCode.UNAUTHORIZED, message)


class Forbidden(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.FORBIDDEN, message)


class PlanLimitReached(DomainError):
    def __init__(self, quota: int | None) -> None:
        super().__init__(
            ErrorCode.PLAN_LIMIT_REACHED,
            f"The plan's monthly ticket quota ({quota}) is reached for this month",
        )


class SellerNotServed(DomainError):
    """A ticket for a channel seller the tenant does not answer for (not in its channelSellerIds)."""

    def __init__(self, seller_id: str) -> None:
        super().__init__(
            ErrorCode.SELLER_NOT_SERVED,
            f"This tenant does not answer for the channel seller '{seller_id}'",
            [FieldIssue("channelSellerId", "is not one of the tenant's channelSellerIds")],
        )


class TicketNotFound(DomainError):
    def __init__(self, reference: str) -> None:
        super().__init__(ErrorCode.TICKET_NOT_FOUND, f"No ticket '{reference}'")


class CustomerNotFound(DomainError):
    """`field`: where the id came from (a ticket's customerExternalId, or the externalId of the path)."""

    def __init__(self, external_id: str, field: str = "customerExternalId") -> None:
        super().__init__(
            ErrorCode.CUSTOMER_NOT_FOUND,
            f"No customer with externalId '{external_id}'",
            [FieldIssue(field, "matches no customer")],
        )


class AgentNotFound(DomainError):
    """`field`: where the id came from (a ticket's assignedAgentId, or the agentId of /v1/agents)."""

    def __init__(self, agent_id: str, field: str = "assignedAgentId") -> None:
        super().__init__(
            ErrorCode.AGENT_NOT_FOUND,
            f"No agent '{agent_id}'",
            [FieldIssue(field, "matches no agent")],
        )


class WebhookNotFound(DomainError):
    def __init__(self, webhook_id: str) -> None:
        super().__init__(ErrorCode.WEBHOOK_NOT_FOUND, f"No webhook endpoint '{webhook_id}'")


class DeliveryNotFound(DomainError):
    def __init__(self, delivery_id: str) -> None:
        super().__init__(ErrorCode.DELIVERY_NOT_FOUND, f"No delivery '{delivery_id}' of this endpoint")


class SlaPolicyNotFound(DomainError):
    def __init__(self, policy_id: str) -> None:
        super().__init__(
            ErrorCode.SLA_POLICY_NOT_FOUND,
            f"No SLA policy '{policy_id}'",
            [FieldIssue("policyId", "matches no SLA policy")],
        )


class Conflict(DomainError):
    def __init__(self, message: str, details: list[FieldIssue] | None = None) -> None:
        super().__init__(ErrorCode.CONFLICT, message, details or [])


class IdempotencyKeyReused(DomainError):
    def __init__(self) -> None:
        super().__init__(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used for a different request; use a new key for a new request",
            [FieldIssue("Idempotency-Key", "was sent before with another method, path, If-Match or body")],
        )


class IdempotencyKeyInUse(DomainError):
    def __init__(self) -> None:
        super().__init__(
            ErrorCode.IDEMPOTENCY_KEY_IN_USE,
            "A request with this Idempotency-Key is still being processed; retry shortly",
            [FieldIssue("Idempotency-Key", "a request with this key is in flight")],
        )


class PreconditionFailed(DomainError):
    def __init__(self, current_version: int) -> None:
        super().__init__(
            ErrorCode.PRECONDITION_FAILED,
            f"The ticket changed: it is at version {current_version}; read it again and retry",
            [FieldIssue("If-Match", f"current version is {current_version}")],
        )
        self.current_version = current_version


class ServiceUnavailable(DomainError):
    def __init__(self, message: str = "The service is busy, retry shortly") -> None:
        super().__init__(ErrorCode.SERVICE_UNAVAILABLE, message)
