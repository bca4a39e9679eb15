"""The first-response clock: business time between two instants, and when a target falls due.

The clock runs only inside the open spans of `sla.business_hours` (in `sla.timezone`, minus
`sla.holidays`); a span is laid on each local day and turned into UTC instants, so a day that
changes to or from summer time counts the real minutes its spans were open. Without business
hours the clock is the wall clock. A badge's state (`ok`, `soon`, `breach`, `done`) is
`SlaClock.badge`; how many posts of a view are breached (the tabs' "3 late") is counted in SQL
from `SlaClock.late_since`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.schema import Settings
from config.sla import WEEKDAYS, span_minutes

#: A target further than this many days of business time away is not searched for.
MAX_DAYS = 800


@dataclass(frozen=True, kw_only=True, slots=True)
class Badge:
    #: `ok`, `soon` (past `due_soon_percent` of the target), `breach`, or `done` (answered).
    state: str
    #: What the badge says: `32m left`, `due soon · 9m left`, `breached · 1h 5m over`, or
    #: the age of an item that is no longer open.
    label: str
    #: When the target falls (None: the route has no target, or the item is done).
    due: datetime | None = None
    #: What `label` counts, for a page that words it in another language: `age`, `left` or
    #: `over` (both also when due soon), and the span itself (`1h 5m`).
    kind: str = "age"
    span: str = ""


class SlaClock:
    def __init__(
        self,
        *,
        targets: dict[str, int],
        zone: str = "UTC",
        hours: dict[int, list[tuple[int, int]]] | None = None,
        holidays: frozenset[date] = frozenset(),
        due_soon: float = 0.75,
    ) -> None:
        self.targets = targets
        self.zone = ZoneInfo(zone)
        #: Open spans per weekday (0 = Monday) in minutes after local midnight; None: 24/7.
        self.hours = hours
        self.holidays = holidays
        self.due_soon = due_soon

    @classmethod
    def from_settings(cls, settings: Settings) -> SlaClock:
        sla = settings.sla
        hours = None
        if sla.business_hours is not None or sla.holidays:
            spans = sla.business_hours or {day: ["00:00-24:00"] for day in WEEKDAYS}
            hours = {
                WEEKDAYS.index(day): sorted(span_minutes(s) for s in found)
                for day, found in spans.items()
            }
        return cls(
            targets=dict(sla.first_response_minutes or settings.web.sla_minutes),
            zone=sla.timezone,
            hours=hours,
            holidays=frozenset(sla.holidays),
            due_soon=sla.due_soon_percent / 100,
        )

    def target(self, route: str) -> timedelta | None:
        minutes = self.targets.get(route)
        return timedelta(minutes=minutes) if minutes else None

    def _open_spans(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open spans as UTC instants, from the local day of `start` on (for `MAX_DAYS`)."""
        assert self.hours is not None
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        for _ in range(MAX_DAYS + 2):
            if day not in self.holidays:
                for begin, end in self.hours.get(day.weekday(), []):
                    yield self._instant(day, begin), self._instant(day, end)
            day += timedelta(days=1)

    def _instant(self, day: date, minutes: int) -> datetime:
        if minutes >= 24 * 60:
            day, minutes = day + timedelta(days=1), minutes - 24 * 60
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        # A wall time inside a spring-forward gap does not exist: the round trip through UTC
        # moves it to the first instant that does.
        return local.astimezone(UTC)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (zero when `end` is not after `start`)."""
        if end <= start:
            return timedelta(0)
        if self.hours is None:
            return end - start
        total = timedelta(0)
        for begin, finish in self._open_spans(start):
            if begin >= end:
                break
            lo, hi = max(begin, start), min(finish, end)
            if hi > lo:
                total += hi - lo
        return total

    def due(self, start: datetime, target: timedelta) -> datetime | None:
        """The instant `target` of business time after `start` is used up."""
        if self.hours is None:
            return start + target
        left = target
        for begin, finish in self._open_spans(start):
            lo = max(begin, start)
            if finish <= lo:
                continue
            if lo + left <= finish:
                return lo + left
            left -= finish - lo
        return None

    def late_since(self, target: timedelta, now: datetime) -> datetime | None:
        """The instant T such that an open post written at or before T has used `target` of
        business time by `now` (its badge says breached): `elapsed(c, now)` never grows with
        `c`, so the late posts of a route are those with `created_at <= T`, a range SQL can
        count. None when no post can be late (no open time in `MAX_DAYS`)."""
        if self.hours is None:
            return now - target
        left = target
        for begin, end in self._spans_back(now):
            hi = min(end, now)
            if hi <= begin:
                continue
            if hi - begin >= left:
                return hi - left
            left -= hi - begin
        return None

    def _spans_back(self, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open spans as UTC instants, from the local day after `end` backwards."""
        assert self.hours is not None
        day = end.astimezone(self.zone).date() + timedelta(days=1)
        for _ in range(MAX_DAYS + 2):
            if day not in self.holidays:
                for begin, finish in reversed(self.hours.get(day.weekday(), [])):
                    yield self._instant(day, begin), self._instant(day, finish)
            day -= timedelta(days=1)

    def badge(self, route: str, created_at: datetime, now: datetime, *, open_: bool) -> Badge:
        age = _short(now - created_at)
        target = self.target(route)
        if not open_:
            return Badge(state="done", label=age, span=age)
        if target is None:
            return Badge(state="ok", label=age, span=age)
        used = self.elapsed(created_at, now)
        due = self.due(created_at, target)
        if used >= target:
            over = _short(used - target)
            return Badge(
                state="breach", label=f"breached · {over} over", due=due, kind="over", span=over
            )
        span = _short(target - used)
        left = f"{span} left"
        if used >= target * self.due_soon:
            return Badge(state="soon", label=f"due soon · {left}", due=due, kind="left", span=span)
        return Badge(state="ok", label=left, due=due, kind="left", span=span)


def _short(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours}h {rest}m" if rest else f"{hours}h"
    return f"{minutes // (24 * 60)}d"
