"""Runtime settings, parsed once from the environment. Nothing else reads os.environ."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class AwsSettings(BaseModel):
    """How the AWS clients behave (every function and the admin CLI)."""

    model_config = ConfigDict(frozen=True)

    aws_region: str | None = Field(default=None, validation_alias="AWS_REGION")
    # Local emulators (MiniStack) are reached through AWS_ENDPOINT_URL; botocore reads it itself.
    aws_connect_timeout_seconds: float = Field(default=2.0, gt=0, validation_alias="AWS_CONNECT_TIMEOUT")
    aws_read_timeout_seconds: float = Field(default=5.0, gt=0, validation_alias="AWS_READ_TIMEOUT")
    aws_max_attempts: int = Field(default=4, ge=1, le=10, validation_alias="AWS_MAX_ATTEMPTS")


class ObservabilitySettings(BaseModel):
    """What the functions trace: X-Ray through Powertools' Tracer only when the stack turns tracing on
    (template.yaml's Tracing parameter sets both the functions' Tracing and this variable)."""

    model_config = ConfigDict(frozen=True)

    # Powertools' own switch, so one variable drives its Tracer and ours; unset: no tracing.
    tracing_disabled: bool = Field(default=True, validation_alias="POWERTOOLS_TRACE_DISABLED")

    @property
    def tracing(self) -> bool:
        return not self.tracing_disabled


class Settings(AwsSettings):
    """What the Lambda functions need on top (set by template.yaml)."""

    table_name: str = Field(min_length=3, max_length=255, validation_alias="TABLE_NAME")
    # HMAC key for list cursors; the template passes a parameter or the stack's unique id.
    cursor_signing_key: str = Field(min_length=16, validation_alias="CURSOR_SIGNING_KEY")
    # How long the authorizer trusts what it read about a key (a revoked key works at most this long).
    auth_cache_ttl_seconds: int = Field(default=60, ge=0, le=3600, validation_alias="AUTH_CACHE_TTL_SECONDS")
    # How long a ticket write keeps retrying while other writers change the ticket first (then 503);
    # well inside the functions' 10 s timeout.
    write_retry_seconds: float = Field(default=6.0, gt=0, le=60, validation_alias="WRITE_RETRY_SECONDS")
    # Notifications of tenants without a sender address of their own come from this one.
    default_sender_email: str | None = Field(default=None, validation_alias="DEFAULT_SENDER_EMAIL")


class EventSettings(BaseModel):
    """Where the stream function publishes the events (template.yaml's EventBus)."""

    model_config = ConfigDict(frozen=True)

    event_bus_name: str = Field(min_length=1, max_length=256, validation_alias="EVENT_BUS_NAME")


class WebhookSettings(BaseModel):
    """What the webhook functions (the API's /v1/webhooks, the dispatcher, the delivery) need."""

    model_config = ConfigDict(frozen=True)

    # The queue of attempts that are due (template.yaml's WebhookDeliveries).
    queue_url: str = Field(min_length=1, validation_alias="WEBHOOK_QUEUE_URL")
    # The KMS key the signing secrets are encrypted with.
    key_id: str = Field(min_length=1, validation_alias="WEBHOOK_KEY_ID")
    # Plain http to 127.0.0.1, and loopback addresses: the local stack's receivers only.
    loopback_allowed: bool = Field(default=False, validation_alias="WEBHOOK_LOOPBACK_ALLOWED")


class RealtimeSettings(BaseModel):
    """Where the WebSocket API is (template.yaml's RealtimeApi): the address a client connects to, and
    the one the push posts to."""

    model_config = ConfigDict(frozen=True)

    api_id: str = Field(min_length=1, validation_alias="REALTIME_API_ID")
    # <api id>.execute-api.<region>.<URL suffix>, and the stage, on AWS.
    domain: str = Field(min_length=1, validation_alias="REALTIME_DOMAIN")
    stage: str = Field(min_length=1, validation_alias="REALTIME_STAGE")
    # Set only by the local emulator (MiniStack), whose WebSocket APIs live under its own address.
    emulator_endpoint: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")

    @property
    def management_url(self) -> str:
        """The @connections API's address (PostToConnection, DeleteConnection)."""
        if self.emulator_endpoint:
            return f"{self.emulator_endpoint.rstrip('/')}/_aws/execute-api/{self.api_id}/{self.stage}"
        return f"https://{self.domain}/{self.stage}"

    @property
    def client_url(self) -> str:
        """The wss:// address a dashboard connects to (ws:// on the local emulator)."""
        if self.emulator_endpoint:
            return "ws" + self.management_url.removeprefix("http")
        return f"wss://{self.domain}/{self.stage}"


@lru_cache(maxsize=1)
def get_realtime_settings() -> RealtimeSettings:
    return RealtimeSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def get_event_settings() -> EventSettings:
    return EventSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def get_webhook_settings() -> WebhookSettings:
    return WebhookSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def get_aws_settings() -> AwsSettings:
    return AwsSettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def get_observability_settings() -> ObservabilitySettings:
    return ObservabilitySettings.model_validate(dict(os.environ))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
