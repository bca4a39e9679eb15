"""The `ReplyError` every responder gives for a 429, worded one way for the agent."""

from __future__ import annotations

from datetime import datetime

from kernel.errors import ReplyError


def rate_limited(where: str, *, by: str, retry_at: datetime | None) -> ReplyError:
    """`by` (the platform) refused with a 429; `retry_at`, when it said, is when to send again."""
    when = f"; try again after {retry_at:%Y-%m-%d %H:%M} UTC" if retry_at else ""
    return ReplyError(f"{where}: rate limited by {by} (429){when}", retry_at=retry_at)
