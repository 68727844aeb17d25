"""Time-ordered identifiers (ULID) and the one clock of the package."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, datetime

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_ulid(at: datetime | None = None, *, seed: str | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32, sortable by time. With a
    seed, the 80 bits come from its hash instead: the same moment and seed always give the same id."""
    moment = at or utc_now()
    tail = hashlib.sha256(seed.encode()).digest()[:10] if seed is not None else os.urandom(10)
    value = (int(moment.timestamp() * 1000) << 80) | int.from_bytes(tail, "big")
    chars = []
    for _ in range(26):
        value, index = divmod(value, 32)
        chars.append(_CROCKFORD[index])
    return "".join(reversed(chars))


def is_ulid(value: str) -> bool:
    return bool(ULID_PATTERN.match(value))


def format_timestamp(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601 with microseconds, so stored timestamps sort as strings (the year
    padded to four digits by hand: strftime's %Y leaves the year 704 as "704" on Linux)."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}{utc.strftime('-%m-%dT%H:%M:%S.%fZ')}"
