"""The AWS clients: created once per container, lazily, with retry and timeout settings in one place.

Clients come from botocore itself: boto3 adds nothing the low-level clients need, and importing it
(with s3transfer) is about a tenth of a cold start (docs/benchmarks.md, cold start)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config

from tickets.settings import get_aws_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_clients: dict[str, Any] = {}
# Client arguments that outrank the environment while endpoint() is in force; empty: the environment's.
_target: dict[str, str] = {}


def _config() -> Config:
    settings = get_aws_settings()
    return Config(
        region_name=settings.aws_region,
        connect_timeout=settings.aws_connect_timeout_seconds,
        read_timeout=settings.aws_read_timeout_seconds,
        retries={"mode": "standard", "total_max_attempts": settings.aws_max_attempts},
        tcp_keepalive=True,
        # The service validates every request itself; botocore's own check of a 10-item transaction
        # was a third of a create's time in our code (docs/benchmarks.md, warm overhead).
        parameter_validation=False,
    )


def _client(service: str) -> Any:
    if service not in _clients:
        _clients[service] = botocore.session.get_session().create_client(service, config=_config(), **_target)  # type: ignore[arg-type]
    return _clients[service]


@contextmanager
def endpoint(url: str, *, region: str, access_key_id: str, secret_access_key: str) -> Iterator[None]:
    """Every client made inside the block goes to `url`, in `region`, with these credentials, whatever
    the environment says (AWS_ENDPOINT_URL and its per-service forms, AWS_PROFILE, a session token): the
    admin CLI's --local, for the local emulator. Clients are made afresh inside and forgotten after."""
    _clients.clear()
    _target.update(
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
    )
    try:
        yield
    finally:
        _target.clear()
        _clients.clear()


def dynamodb() -> DynamoDBClient:
    return _client("dynamodb")  # type: ignore[no-any-return]


def sesv2() -> Any:
    return _client("sesv2")


def events() -> Any:
    """EventBridge: the stream function publishes the events to the stack's bus."""
    return _client("events")


def sqs() -> Any:
    """The webhook delivery queue."""
    return _client("sqs")


def kms() -> Any:
    """The webhook signing secrets' key."""
    return _client("kms")


def cloudformation() -> Any:
    """Only the admin CLI uses it, to find the table of a stack."""
    return _client("cloudformation")


def apigateway() -> Any:
    """Only the admin CLI uses it, for tenants' usage keys."""
    return _client("apigateway")


def connections(management_url: str) -> Any:
    """The WebSocket API's @connections (the push posts to each connection). Short timeouts and one
    retry: a slow or gone connection must not hold up an event's other connections."""
    key = f"apigatewaymanagementapi {management_url}"
    if key not in _clients:
        config = _config().merge(
            Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 2})
        )
        _clients[key] = botocore.session.get_session().create_client(
            "apigatewaymanagementapi",
            config=config,
            **(_target | {"endpoint_url": management_url}),  # type: ignore[arg-type]
        )
    return _clients[key]


def reset() -> None:
    """Forget the cached clients (tests create them again inside their AWS mocks)."""
    _clients.clear()
