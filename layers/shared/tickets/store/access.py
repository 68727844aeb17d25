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

    def revoke_key(self, tenant_id: str, key_id: str, at: datetime) -> tuple[ApiKey, bool] | None:
        """Mark the key and its lookup revoked in one transaction, once: a key revoked already keeps its
        first revokedAt and nothing is written. The key as stored and whether this call revoked it;
        None if the tenant has no such key."""
        item = self._get(keys.api_key_key(tenant_id, key_id))
        if item is None:
            return None
        key_hash = item["keyHash"]["S"]
        revoked = items.api_key_from_item(item).model_copy(update={"revoked_at": at})
        # The condition decides, not the item read above: of two revokes that race, one writes.
        condition = "attribute_exists(PK) AND attribute_not_exists(revokedAt)"
        writes = [
            self._put(items.api_key_item(revoked, key_hash), condition),
            self._put(items.api_key_lookup_item(revoked, key_hash), condition),
        ]
        try:
            self._transact(writes)
        except TransactionRejected as rejected:
            # The key item as the failed condition saw it (ALL_OLD); read again where it is not returned.
            # revokedAt never changes once written, so the read cannot miss a newer one.
            current = rejected.reasons[0].get("Item") or self._get(keys.api_key_key(tenant_id, key_id))
            if current is None or "revokedAt" not in current:
                return None
            return items.api_key_from_item(current), False
        return revoked, True
