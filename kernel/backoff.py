"""The one retry and backoff policy: sources, sinks and in-request retries all use it.

`Backoff.delay(attempts)` is exponential from `base_seconds`, capped at `max_seconds`; with
`jitter` (the default) half of it is random, so many cases or sources failing together never
retry at the same instant. A platform's own "come back at" wins when it says longer: an HTTP
`Retry-After` (seconds or a date, `retry_after_seconds`) or a rate-limit reset time
(`until`). `retry` runs a call with a few quick in-process attempts (5xx, network), sleeping
`delay` between them; everything longer is the scheduler's job (polls) or the outbox's (cases).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from kernel.util import retry_after_seconds

__all__ = ["Backoff", "retry", "retry_after_seconds", "seconds_until"]

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True, slots=True)
class Backoff:
    base_seconds: float = 30.0
    max_seconds: float = 3600.0
    #: Attempts after which a caller gives up (the outbox marks a case dead).
    max_attempts: int = 25
    jitter: bool = True

    def delay(
        self,
        attempts: int,
        retry_after: float | None = None,
        *,
        until: datetime | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait after the `attempts`-th failed attempt (1 for the first).

        `retry_after` (seconds, from `Retry-After`) or `until` (a rate-limit reset) wins when
        it is later than the backoff, up to `max_seconds`.
        """
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        delay = ceiling / 2 + (rng or random).uniform(0, ceiling / 2) if self.jitter else ceiling
        asked = [s for s in (retry_after, seconds_until(until)) if s is not None]
        if asked:
            delay = max(delay, min(max(asked), self.max_seconds))
        return delay

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def seconds_until(when: datetime | None, *, now: datetime | None = None) -> float | None:
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def retry(
    call: Callable[[], T],
    *,
    policy: Backoff,
    retries: int,
    retryable: Callable[[Exception], float | bool | None],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()`, tried again up to `retries` times while `retryable(exc)` is not False.

    `retryable` returns False for an error to raise at once, True to retry after the backoff,
    or a number of seconds the server asked for (`Retry-After`), which the wait honours.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:
            verdict = retryable(exc)
            if verdict is False or attempt >= retries:
                raise
            asked = None if verdict is True or verdict is None else float(verdict)
            attempt += 1
            sleep(policy.delay(attempt, asked))
