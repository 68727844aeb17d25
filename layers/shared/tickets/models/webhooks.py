"""Webhook endpoints and their deliveries: what an admin sends, what is stored, what the API answers
(README, Webhooks). One module for the aggregate, since no other model uses these."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StringConstraints, WithJsonSchema, field_validator

from tickets.models.base import CamelModel, RequestModel
from tickets.models.enums import DeliveryStatus, EventType
from tickets.models.requests import PageSize, PartialUpdate
from tickets.models.responses import PageMeta
from tickets.models.types import Identifier, NeverNull, Timestamp

ALL_EVENT_TYPES = "*"
# A tenant's endpoints are read for every event it has: few, so that read stays one small Query.
MAX_WEBHOOKS_PER_TENANT = 20


# https to a name or an IPv4 address (checked again when resolved, at each attempt: logic/webhooks.py);
# plain http to 127.0.0.1, which only the local stack takes. No user info, no IPv6 literal.
# A port is 1-65535, written without leading zeros.
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
WEBHOOK_URL_PATTERN = (
    r"^(?:[Hh][Tt][Tt][Pp][Ss]://[^\x00-\x20\x7f/?#@:\[\]]+|[Hh][Tt][Tt][Pp]://127\.0\.0\.1)"
    rf"(?::{_PORT})?(?:[/?#][^\x00-\x20\x7f]*)?$"
)
WebhookUrl = Annotated[str, StringConstraints(pattern=WEBHOOK_URL_PATTERN, max_length=2048)]


def _event_types(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("must not repeat a type")
    if ALL_EVENT_TYPES in values and len(values) > 1:
        raise ValueError('"*" stands alone: it already means every type')
    unknown = sorted(set(values) - {ALL_EVENT_TYPES, *EventType})
    if unknown:
        raise ValueError(f'unknown event types {unknown}; known: {sorted(map(str, EventType))}, or ["*"]')
    return values


# Named types, or ["*"] for every type (now and to come). The schema says both shapes; the validator
# enforces them with messages that name the field.
EventTypes = Annotated[
    list[str],
    Field(min_length=1, max_length=len(EventType)),
    AfterValidator(_event_types),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"type": "string", "enum": [str(event_type) for event_type in EventType]},
                    "minItems": 1,
                    "maxItems": len(EventType),
                    "uniqueItems": True,
                },
                {
                    "type": "array",
                    "items": {"type": "string", "const": ALL_EVENT_TYPES},
                    "minItems": 1,
                    "maxItems": 1,
                },
            ],
            "description": 'The event types the endpoint gets, or ["*"] for all',
        }
    ),
]
Description = Annotated[Identifier, Field(description="What the endpoint is for (up to 256 characters)")]


class CreateWebhookRequest(RequestModel):
    url: WebhookUrl
    event_types: EventTypes
    description: Description | None = None


class PatchWebhookRequest(PartialUpdate):
    """Only the fields sent change; only description may be null (to clear it). Enabling an endpoint
    forgets its failures."""

    url: Annotated[WebhookUrl | None, NeverNull()] = None
    event_types: Annotated[EventTypes | None, NeverNull()] = None
    enabled: Annotated[StrictBool | None, NeverNull()] = None
    description: Description | None = None

    @field_validator("url", "event_types", "enabled", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null (only description can be cleared)")
        return value


class ListDeliveriesQuery(RequestModel):
    """A page of an endpoint's deliveries, newest first."""

    limit: PageSize = 25
    cursor: str | None = Field(default=None, min_length=1, max_length=4096)
    status: DeliveryStatus | None = None


class ListWebhooksQuery(RequestModel):
    """No parameters: a tenant has at most MAX_WEBHOOKS_PER_TENANT endpoints (any parameter is a 400)."""


class SigningSecret(CamelModel):
    """A secret as stored: encrypted (store/secrets.py), and until when it still signs once replaced."""

    ciphertext: str
    created_at: Timestamp
    expires_at: Timestamp | None = None


class Webhook(CamelModel):
    tenant_id: str = Field(exclude=True)
    id: str
    url: str
    event_types: list[str]
    enabled: bool = True
    description: str | None = None
    # Since when every attempt failed (none succeeded since); five days of it disable the endpoint.
    failing_since: Timestamp | None = None
    disabled_reason: str | None = None
    created_at: Timestamp
    updated_at: Timestamp
    # Newest first; never returned (the plain secret is shown once, by create and rotate-secret).
    secrets: list[SigningSecret] = Field(default_factory=list, exclude=True)

    def wants(self, event_type: str) -> bool:
        return self.enabled and (ALL_EVENT_TYPES in self.event_types or event_type in self.event_types)


class WebhookWithSecret(Webhook):
    """The answer of create and rotate-secret: the only time the plain secret is shown."""

    secret: str | None = Field(
        description="whsec_...; null in a replayed answer (same Idempotency-Key): it is never kept, so a "
        "client that lost the first answer makes a new one with rotate-secret"
    )


class DeliveryAttempt(CamelModel):
    at: Timestamp
    # The endpoint's HTTP status; None when there was no answer (see error).
    response_status: int | None = None
    duration_ms: int
    # Why there was no answer, or why the answer is not a success: short and never the response body.
    error: str | None = None


class Delivery(CamelModel):
    """One event for one endpoint: the exact body every attempt sends, and each attempt."""

    tenant_id: str = Field(exclude=True)
    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    next_attempt_at: Timestamp | None = None
    created_at: Timestamp
    payload: str = Field(exclude=True)


class DeliveryPage(CamelModel):
    data: list[Delivery]
    meta: PageMeta


class DeliveryListEnvelope(CamelModel):
    success: bool = True
    data: list[Delivery]
    meta: PageMeta
    timestamp: Timestamp


class DeliveryTask(CamelModel):
    """A message of the delivery queue: which delivery, the attempt it is for, and when that is due."""

    tenant_id: str
    webhook_id: str
    delivery_id: str
    # The attempts recorded when it was sent: one for an attempt recorded since is dropped.
    attempt: int = Field(ge=0)
    due_at: Timestamp
