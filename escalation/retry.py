"""When to try a case again: the project's one backoff policy (kernel/backoff.py).

Exponential backoff with half jitter, capped, with a give-up limit; a helpdesk's own
`Retry-After` wins when it says longer.
"""

from __future__ import annotations

from kernel.backoff import Backoff

#: The outbox's name for the shared policy.
RetryPolicy = Backoff

__all__ = ["RetryPolicy"]
