"""The AWS clients: created once per container, lazily, with retry and timeout settings in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from tickets.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_clients: dict[str, Any] = {}


def _config() -> Config:
    settings = get_settings()
    return Config(
        region_name=settings.aws_region,
        connect_timeout=settings.aws_connect_timeout_seconds,
        read_timeout=settings.aws_read_timeout_seconds,
        retries={"mode": "adaptive", "total_max_attempts": settings.aws_max_attempts},
        tcp_keepalive=True,
    )


def dynamodb() -> DynamoDBClient:
    if "dynamodb" not in _clients:
        _clients["dynamodb"] = boto3.session.Session().client("dynamodb", config=_config())
    return _clients["dynamodb"]  # type: ignore[no-any-return]


def reset() -> None:
    """Forget the cached clients (tests create them again inside their AWS mocks)."""
    _clients.clear()
