"""Idempotency-Key: a write sent again with the same key gets the first response back, not a second
effect. Powertools Idempotency does the bookkeeping: a record per (tenant, key), written as in
progress before the write, completed with the response after it, deleted when the write fails (so a
failed request can be retried with its key). A failure can come after the write committed (a
timeout), so the ticket write itself also marks the key (store/keyed_writes.py): a retry then answers
from that write instead of making a second one."""

from __future__ import annotations

import hashlib
import json
import time
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
from tickets.store import keyed_writes
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
    """`write()`'s response, or the response stored for this key (with "replayed": True, as when
    `write()` answered from the ticket write the key made already). `request` is what must match for a
    replay: a different one under the same key is a 409."""
    digest = hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    keyed = keyed_writes.KeyedRequest(tenant_id, key, digest, expires_at=int(time.time()) + KEY_TTL_SECONDS)
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
        with keyed_writes.serving(keyed):
            response = write()
        return (response | {"replayed": True}) if keyed.replayed else response

    try:
        return once(attempt={"key": key, "request": request})  # type: ignore[no-any-return]
    except IdempotencyValidationError:
        raise IdempotencyKeyReused() from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyKeyInUse() from None
    except (IdempotencyPersistenceLayerError, IdempotencyInconsistentStateError) as error:
        raise ServiceUnavailable() from error
