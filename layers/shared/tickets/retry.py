"""The retry policy, in one place. Three kinds of "try again", each retried at exactly one level:

- **Transport** (throttling, 5xx, timeouts, connection errors): botocore's standard retry mode, in
  every client (`clients.py`, `AWS_MAX_ATTEMPTS`, 4 attempts by default). What outlives it is a 503
  with Retry-After; nothing above retries it again.
- **DynamoDB's partial answers** (a BatchGetItem's UnprocessedKeys, a BatchWriteItem's
  UnprocessedItems, a transaction cancelled by a conflicting transaction or still in progress):
  the store asks again, `STORE_ATTEMPTS` times in all, with `STORE_BACKOFF`.
- **Another writer first** (StaleWrite: the ticket's version moved between the read and the write):
  the use case reads and decides again, with `WRITE_BACKOFF`; a request for `WRITE_RETRY_SECONDS`
  (then a 503), the stream's assignment `ASSIGN_ATTEMPTS` times (then the ticket keeps its place in
  the queue for the next trigger).

Every wait is "full jitter": uniform between 0 and min(cap, base x 2^attempt)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base_seconds: float
    cap_seconds: float

    def wait(self, attempt: int) -> None:
        time.sleep(random.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt)))


STORE_ATTEMPTS = 5
STORE_BACKOFF = Backoff(base_seconds=0.02, cap_seconds=0.32)
WRITE_BACKOFF = Backoff(base_seconds=0.005, cap_seconds=0.2)
ASSIGN_ATTEMPTS = 3


def attempts(count: int, backoff: Backoff) -> Iterator[int]:
    """0, 1, ... count - 1, waiting before each but the first: `for attempt in attempts(...)`, with a
    `break` (or return) on success; the loop's `else` is the case of every attempt spent."""
    for attempt in range(count):
        if attempt:
            backoff.wait(attempt - 1)
        yield attempt


def until(seconds: float, backoff: Backoff) -> Iterator[int]:
    """Attempts as `attempts` does, for as long as `seconds` from now (at least one)."""
    deadline = time.monotonic() + seconds
    attempt = 0
    while True:
        yield attempt
        if time.monotonic() >= deadline:
            return
        backoff.wait(attempt)
        attempt += 1
