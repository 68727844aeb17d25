"""The ticket write an Idempotency-Key made, recorded in that write's own transaction.

Powertools' record of a key is written around the write, and deleted when the write raised, so a
write that committed but whose answer was lost (a timeout after the commit) would free its key. A
keyed request's ticket transaction therefore also puts a mark of its key, which only one transaction
can put: the client's retry finds it and answers from it instead of writing again.

The API sets the key of the request being served (a context variable: the service in between does not
pass it along); the ticket repository puts the mark and reads it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class KeyedRequest:
    """A write request sent with an Idempotency-Key."""

    tenant_id: str
    key: str
    # What a retry must match (method, path, If-Match, body), as a digest.
    request_hash: str
    # When its mark may go (epoch seconds, the table's TTL).
    expires_at: int
    # Set when the request is answered from the write an earlier request with its key committed.
    replayed: bool = False


@dataclass(frozen=True)
class KeyedWrite:
    """What the committed transaction of a keyed request wrote: the ticket, and a reply's message."""

    request_hash: str
    ticket_id: str
    message_id: str | None
    expires_at: int


_current: ContextVar[KeyedRequest | None] = ContextVar("keyed_request", default=None)


@contextmanager
def serving(request: KeyedRequest) -> Iterator[None]:
    """Ticket writes made inside the block belong to `request`'s key."""
    token = _current.set(request)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> KeyedRequest | None:
    """The keyed request being served, if any."""
    return _current.get()
