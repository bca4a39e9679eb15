"""When to try a case again: exponential backoff with full jitter, capped, with a give-up
limit; a helpdesk's own `Retry-After` wins when it says longer."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    base_seconds: float = 30.0
    max_seconds: float = 3600.0
    max_attempts: int = 25

    def delay(
        self, attempts: int, retry_after: float | None = None, *, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait after the `attempts`-th failed attempt (1 for the first)."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        # Half fixed, half random: spreads retries of many cases without ever retrying at once.
        delay = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_seconds))
        return delay

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
