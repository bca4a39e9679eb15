"""A metered source's monthly read budget: how many items a poll may read now.

X bills every post it returns (a monthly post cap per plan, or pay-per-use credits). With
`monthly_read_budget: N` a source spreads N reads evenly over its billing period (from
`budget_reset_day` to the same day next month, UTC): a poll may read as many pages as keep the
reads used at or below the straight line from 0 to N over the period, plus one page; when
it is ahead of the line, the poll waits until the line catches up. Reads used are the sum of
`poll_runs.reads` since the period began, so they survive restarts and are shared by replicas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, kw_only=True, slots=True)
class ReadBudget:
    monthly: int
    #: The day of the month the platform's cap resets (X's `cap_reset_day`), 1-28.
    reset_day: int = 1

    def period(self, now: datetime) -> tuple[datetime, datetime]:
        """The billing period containing `now`: [start, end)."""
        start = now.replace(day=self.reset_day, hour=0, minute=0, second=0, microsecond=0)
        if start > now:
            start = _add_month(start, -1)
        return start, _add_month(start, 1)

    def plan(self, used: int, now: datetime, page_size: int) -> Plan:
        start, end = self.period(now)
        left = max(0, self.monthly - used)
        if left == 0:
            return Plan(pages=0, used=used, left=0, wait_until=end, exhausted=True)
        elapsed = (now - start).total_seconds() / (end - start).total_seconds()
        allowed = self.monthly * elapsed + page_size - used  # the straight line, one page ahead
        pages = min(math.floor(allowed / page_size), math.ceil(left / page_size))
        if pages >= 1:
            return Plan(pages=pages, used=used, left=left)
        # Ahead of the line: wait until it reaches used + one page.
        due = used / self.monthly  # the fraction of the period where the line reaches `used`
        wait_until = start + (end - start) * min(1.0, max(due, elapsed))
        wait_until = max(wait_until, now + timedelta(seconds=1))
        return Plan(pages=0, used=used, left=left, wait_until=min(wait_until, end))


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    #: Pages this poll may read (0: wait).
    pages: int
    used: int
    left: int
    wait_until: datetime | None = None
    #: The whole budget is spent: nothing until the next period.
    exhausted: bool = False


def _add_month(when: datetime, months: int) -> datetime:
    month = when.month - 1 + months
    return when.replace(year=when.year + month // 12, month=month % 12 + 1)


def now_utc() -> datetime:
    return datetime.now(UTC)
