"""Team figures for leads: per person, first-response time, handle time and answers per day.

- *First response*: a post's first reply or DM from the queue (the send log, `replies`), sent
  in the period, counted for whoever sent it; its time is business time from the post to the
  answer (`SlaClock.elapsed`, the clock of the badges), and *within target* compares it with
  the route's target.
- *Handle time*: from the person's claim of the post (their own `claim`, or a lead's
  `reassign` to them) to their answer, wall time; an answer sent without a claim before it
  (the answer claimed the post itself) has no handle time.
- *Answers per day*: replies and DMs sent in the period over its days.

The rows are read by `triage.storage.team_figures`; these are the figures made of them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from kernel.errors import InputError
from triage.queue.sla import SlaClock
from triage.storage.team_figures import answers_between, claims_on, first_answers

#: The periods the Team page offers; `custom` takes a start and an end date.
PERIODS = {"1d": 1, "7d": 7, "30d": 30, "custom": 0}
#: The longest custom period, in days.
MAX_DAYS = 366


@dataclass(frozen=True, kw_only=True, slots=True)
class Period:
    """Whole local days (in `sla.timezone`) from `first` to `last`, both included."""

    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def period(
    kind: str, zone: str, *, start: str = "", end: str = "", today: date | None = None
) -> Period:
    """The period a lead chose: the last `1d`, `7d` or `30d` (today included), or `custom`
    from `start` to `end` (`YYYY-MM-DD`); `InputError` naming what is wrong."""
    tz = ZoneInfo(zone)
    today = today or datetime.now(tz).date()
    if kind not in PERIODS:
        raise InputError(f"period: {kind[:20]!r} is not one of {', '.join(PERIODS)}")
    if kind == "custom":
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError as exc:
            raise InputError("custom period: start and end must be dates (YYYY-MM-DD)") from exc
        if last < first:
            raise InputError("custom period: the end is before the start")
        if first.year < 2000 or last > today + timedelta(days=1):
            raise InputError("custom period: dates from 2000 up to today")
        if (last - first).days + 1 > MAX_DAYS:
            raise InputError(f"custom period: at most {MAX_DAYS} days")
    else:
        first, last = today - timedelta(days=PERIODS[kind] - 1), today

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)

    return Period(
        first=first, last=last, start=midnight(first), end=midnight(last + timedelta(days=1))
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonFigures:
    name: str
    answers: int
    answers_per_day: float
    first_responses: int
    #: Business minutes from the post to its first answer: median and 90th percentile.
    first_response_median: float | None
    first_response_p90: float | None
    #: Share of first responses within the route's target (None: no target applied).
    within_target: float | None
    handled: int
    #: Minutes from claim to answer: median and 90th percentile.
    handle_median: float | None
    handle_p90: float | None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The `q`-th percentile (0-100), interpolated between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- the figures -----------------------------------------------------------------------------


def team_figures(
    engine: Engine, clock: SlaClock, start: datetime, end: datetime, *, days: int
) -> list[PersonFigures]:
    """Everyone who answered in [start, end), by name; `days` divides the answers."""
    return figures_with_total(engine, clock, start, end, days=days)[0]


def figures_with_total(
    engine: Engine, clock: SlaClock, start: datetime, end: datetime, *, days: int
) -> tuple[list[PersonFigures], PersonFigures | None]:
    """`team_figures`, and the same figures for the whole team (named "") over every
    person's values together (None when nobody answered)."""
    with engine.connect() as conn:
        firsts = first_answers(conn, start, end)
        answers = answers_between(conn, start, end)
        claims = claims_on(conn, (a["post_id"] for a in answers), end)
    by_claimant: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    for post_id, who, at in claims:
        by_claimant[(post_id, who)].append(at)

    first_minutes: dict[str, list[float]] = defaultdict(list)
    within: dict[str, list[bool]] = defaultdict(list)
    for row in firsts:
        used = clock.elapsed(row["created_at"], row["sent_at"])
        first_minutes[row["sent_by"]].append(used.total_seconds() / 60)
        target = clock.target(row["route"]) if row["route"] else None
        if target is not None:
            within[row["sent_by"]].append(used <= target)

    count: dict[str, int] = defaultdict(int)
    handle: dict[str, list[float]] = defaultdict(list)
    for row in answers:
        who, sent_at = row["sent_by"], row["sent_at"]
        count[who] += 1
        before = [at for at in by_claimant.get((row["post_id"], who), []) if at <= sent_at]
        if before:
            handle[who].append((sent_at - max(before)).total_seconds() / 60)

    names = sorted(set(count) | set(first_minutes))
    people = [
        _figures(name, count[name], first_minutes[name], within[name], handle[name], days)
        for name in names
    ]
    if not names:
        return people, None
    team = _figures(
        "",
        sum(count.values()),
        [v for n in names for v in first_minutes[n]],
        [v for n in names for v in within[n]],
        [v for n in names for v in handle[n]],
        days,
    )
    return people, team


def _figures(
    name: str, answers: int, firsts: list[float], met: list[bool], handled: list[float], days: int
) -> PersonFigures:
    return PersonFigures(
        name=name,
        answers=answers,
        answers_per_day=answers / max(days, 1),
        first_responses=len(firsts),
        first_response_median=percentile(firsts, 50),
        first_response_p90=percentile(firsts, 90),
        within_target=sum(met) / len(met) if met else None,
        handled=len(handled),
        handle_median=percentile(handled, 50),
        handle_p90=percentile(handled, 90),
    )


def answers_by_day(
    engine: Engine, zone: str, chosen: Period
) -> tuple[list[str], list[tuple[date, list[int]]]]:
    """Names, and per local day of the period (oldest first) each name's answers that day."""
    tz = ZoneInfo(zone)
    with engine.connect() as conn:
        answers = answers_between(conn, chosen.start, chosen.end)
    names = sorted({row["sent_by"] for row in answers})
    per: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in answers:
        per[row["sent_at"].astimezone(tz).date()][row["sent_by"]] += 1
    days = [chosen.first + timedelta(days=n) for n in range(chosen.days)]
    return names, [(day, [per[day][name] for name in names]) for day in days]
