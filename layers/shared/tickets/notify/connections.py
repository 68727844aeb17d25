"""Posting to one WebSocket connection through API Gateway's @connections API."""

from __future__ import annotations

from enum import Enum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tickets.observability import logger


class Posted(Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # the client left ($disconnect is not guaranteed): its connection is to be forgotten
    FAILED = "failed"  # throttled, timed out, or refused: this event only


class ConnectionPoster:
    def __init__(self, client: Any) -> None:
        self._client = client

    def post(self, connection_id: str, body: bytes) -> Posted:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=body)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "GoneException":
                return Posted.GONE
            logger.warning("Push refused", extra={"connectionId": connection_id, "code": code})
            return Posted.FAILED
        except BotoCoreError as error:  # a timeout or a broken connection to API Gateway
            logger.warning(
                "Push failed", extra={"connectionId": connection_id, "error": type(error).__name__}
            )
            return Posted.FAILED
        return Posted.DELIVERED
