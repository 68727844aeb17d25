"""Where Powertools Idempotency keeps a tenant's Idempotency-Key records: the single table."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from tickets import clients, keys
from tickets.settings import get_settings


@lru_cache(maxsize=256)
def idempotency_store(tenant_id: str) -> DynamoDBPersistenceLayer:
    """One partition per tenant, so a key only ever matches the same tenant's requests.
    `expiresAt` is the table's TTL attribute: DynamoDB removes records after they expire.
    Built once per tenant and container: each store registers a handler on the shared client."""
    return DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr=keys.PK,
        sort_key_attr=keys.SK,
        static_pk_value=keys.idempotency_partition(tenant_id),
        expiry_attr="expiresAt",
        in_progress_expiry_attr="inProgressExpiresAtMs",
        status_attr="status",
        data_attr="response",
        validation_key_attr="requestHash",
        boto3_client=clients.dynamodb(),
    )
