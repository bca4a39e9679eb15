"""The `ReplyError`s several responders give alike (a 429, no answer, an unexpected status),
worded one way for the agent."""

from __future__ import annotations

from datetime import datetime

from kernel.errors import ReplyError


def rate_limited(where: str, *, by: str, retry_at: datetime | None) -> ReplyError:
    """`by` (the platform) refused with a 429; `retry_at`, when it said, is when to send again."""
    when = f"; try again after {retry_at:%Y-%m-%d %H:%M} UTC" if retry_at else ""
    return ReplyError(f"{where}: rate limited by {by} (429){when}", retry_at=retry_at)


def unreachable(where: str, *, by: str, why: str) -> ReplyError:
    """No answer came (`why`: the failure's name): the message may or may not have gone out."""
    return ReplyError(
        f"{where}: could not reach {by} ({why}); check the thread before sending again"
    )


def answered(where: str, *, by: str, status: int, detail: str) -> ReplyError:
    """`by` answered an unexpected `status`; after a 5xx the agent may simply send again."""
    hint = f"; {by} had a problem, try again shortly" if status >= 500 else ""
    return ReplyError(f"{where}: {by} answered {status} {detail}{hint}")
