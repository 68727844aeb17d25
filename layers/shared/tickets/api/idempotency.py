"""Idempotency-Key: a write sent again with the same key gets the first response back, not a second
effect. Powertools Idempotency does the bookkeeping: a record per (tenant, key), written as in
progress before the write, completed with the response after it, deleted when the write fails (so a
failed request can be retried with its key)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tickets.errors import IdempotencyKeyInUse, IdempotencyKeyReused, ServiceUnavailable
from tickets.store.idempotency import idempotency_store

# How long a key is remembered (Stripe and most payment APIs: 24 hours).
KEY_TTL_SECONDS = 24 * 60 * 60

StoredResponse = dict[str, Any]


def _replayed(response: Any, idempotent_data: DataRecord) -> Any:  # noqa: ARG001 - the hook's signature
    return response | {"replayed": True}


def run_once(
    tenant_id: str,
    key: str,
    request: dict[str, Any],
    context: LambdaContext | None,
    write: Callable[[], StoredResponse],
) -> StoredResponse:
    """`write()`'s response, or the response stored for this key (with "replayed": True).
    `request` is what must match for a replay: a different one under the same key is a 409."""
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        expires_after_seconds=KEY_TTL_SECONDS,
        hash_function="sha256",
        # With the context, a request that dies mid-way frees its key when the invocation times out.
        lambda_context=context,
        response_hook=_replayed,
    )

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="attempt",
        persistence_store=idempotency_store(tenant_id),
        config=config,
        key_prefix="request",
    )
    def once(attempt: dict[str, Any]) -> StoredResponse:  # noqa: ARG001 - Powertools hashes it
        return write()

    try:
        return once(attempt={"key": key, "request": request})  # type: ignore[no-any-return]
    except IdempotencyValidationError:
        raise IdempotencyKeyReused() from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyKeyInUse() from None
    except (IdempotencyPersistenceLayerError, IdempotencyInconsistentStateError) as error:
        raise ServiceUnavailable() from error
