"""API keys: random, prefixed secrets, stored only as a hash and shown once."""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_PREFIX = "tk_live_"
# tk_live_ + 43 URL-safe characters of 32 random bytes (256 bits).
KEY_PATTERN = re.compile(r"^tk_live_[A-Za-z0-9_-]{43}$")


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(secret: str) -> str:
    """SHA-256 is enough for 256-bit random secrets: nothing to brute-force, so no slow hash."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key_id() -> str:
    return "key_" + secrets.token_hex(6)


def secret_from_headers(headers: dict[str, str]) -> str | None:
    """The key from `X-API-Key: <key>` or `Authorization: Bearer <key>` (names in any case);
    None when absent or not shaped like one of our keys."""
    lowered = {name.lower(): value for name, value in headers.items()}
    candidate = lowered.get("x-api-key")
    if candidate is None:
        scheme, _, token = (lowered.get("authorization") or "").partition(" ")
        candidate = token.strip() if scheme.lower() == "bearer" else None
    if candidate is None or not KEY_PATTERN.match(candidate.strip()):
        return None
    return candidate.strip()
