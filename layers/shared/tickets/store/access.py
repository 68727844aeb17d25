"""API keys in the table: one item per key under its tenant, and a lookup item keyed by its hash."""

from __future__ import annotations

import hmac
from datetime import datetime

from tickets import keys
from tickets.models.domain import ApiKey
from tickets.store import items
from tickets.store.table import Table, TransactionRejected


class AccessRepository(Table):
    def add_key(self, key: ApiKey, key_hash: str) -> None:
        """Both items or neither; the hash must be new (a collision of 256-bit secrets is an error)."""
        stored = items.api_key_item(key, key_hash)
        lookup = items.api_key_lookup_item(key, key_hash)
        self._transact(
            [self._put(stored, "attribute_not_exists(PK)"), self._put(lookup, "attribute_not_exists(PK)")]
        )

    def find_key(self, key_hash: str) -> ApiKey | None:
        item = self._get(keys.api_key_lookup_key(key_hash))
        if item is None or not hmac.compare_digest(item["keyHash"]["S"], key_hash):
            return None
        return items.api_key_from_item(item)

    def list_keys(self, tenant_id: str) -> list[ApiKey]:
        return [
            items.api_key_from_item(item) for item in self._query_prefix(*keys.api_keys_partition(tenant_id))
        ]

    def revoke_key(self, tenant_id: str, key_id: str, at: datetime) -> ApiKey | None:
        """Mark the key and its lookup revoked in one transaction; None if the tenant has no such key."""
        item = self._get(keys.api_key_key(tenant_id, key_id))
        if item is None:
            return None
        key_hash = item["keyHash"]["S"]
        revoked = items.api_key_from_item(item).model_copy(update={"revoked_at": at})
        writes = [
            self._put(items.api_key_item(revoked, key_hash), "attribute_exists(PK)"),
            self._put(items.api_key_lookup_item(revoked, key_hash), "attribute_exists(PK)"),
        ]
        try:
            self._transact(writes)
        except TransactionRejected:
            return None
        return revoked
