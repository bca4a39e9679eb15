"""Stopping before a platform's rate-limit window is spent, rather than being refused (429)
or made to sleep by the client library; the poller resumes the source at the window's reset.

A source stops when no more than `floor` requests are left and the window has not reset yet.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kernel.errors import RateLimited
from kernel.models import RateLimit


def is_low(limit: RateLimit | None, floor: int) -> bool:
    """Whether `limit` leaves no more than `floor` requests in a window not yet reset."""
    if limit is None or limit.remaining is None or limit.remaining > floor:
        return False
    return limit.reset_at is not None and limit.reset_at > datetime.now(UTC)


def stop_if_low(limit: RateLimit | None, floor: int, *, where: str, window: str) -> None:
    """`RateLimited` until the reset when `limit` is low; `window` names whose it is."""
    if limit is not None and limit.reset_at is not None and is_low(limit, floor):
        raise RateLimited(
            f"{where}: {limit.remaining} requests left in {window} rate-limit window, "
            f"resuming after {limit.reset_at:%Y-%m-%dT%H:%M:%SZ}",
            reset_at=limit.reset_at,
        )
