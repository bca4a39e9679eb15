"""The digest's numbers over a period, from the database: what marketing reads.

Every quoted post is redacted with the sensitive-data detector and shows its author by handle
only. Response times per route come from the answers the queue and the listener record
(`DigestReads.first_answers`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from kernel.period import Window, parse_period
from kernel.vocab import INTENT_THRESHOLD, ROUTES_BY_URGENCY, SENTIMENTS
from triage.digest.records import QuotedPost, Theme, quote
from triage.digest.themes import find_themes
from triage.storage.digest_reads import ANY_POST, DigestReads, PostFilter

#: The routes as the digest lists them: the most urgent first.
ROUTES = ROUTES_BY_URGENCY

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True, kw_only=True, slots=True)
class RouteResponse:
    """How one route's posts of the period were answered."""

    posts: int
    answered: int
    #: Seconds from the post to its first answer, median and 90th percentile (linear
    #: interpolation between the answered posts' times); None when none was answered.
    p50: float | None
    p90: float | None

    @property
    def share(self) -> float | None:
        return self.answered / self.posts if self.posts else None


def route_responses(
    routed: Sequence[tuple[str, datetime]], answers: dict[int, datetime], ids: Sequence[int]
) -> dict[str, RouteResponse]:
    """Per route of `ROUTES`: posts, answered posts, and p50/p90 response time in seconds.
    `routed[i]` is post `ids[i]`'s (route, created_at)."""
    times: dict[str, list[float]] = {r: [] for r in ROUTES}
    totals: Counter[str] = Counter()
    for post_id, (route, created) in zip(ids, routed, strict=True):
        totals[route] += 1
        answered = answers.get(post_id)
        if answered is not None:
            times.setdefault(route, []).append(max((answered - created).total_seconds(), 0.0))
    out = {}
    for route in ROUTES:
        found = times.get(route, [])
        p50, p90 = (
            (float(np.percentile(found, 50)), float(np.percentile(found, 90)))
            if found
            else (None, None)
        )
        out[route] = RouteResponse(posts=totals[route], answered=len(found), p50=p50, p90=p90)
    return out


@dataclass(frozen=True, kw_only=True, slots=True)
class Digest:
    brand: str
    window: Window
    filters: PostFilter
    total: int
    previous_total: int
    by_source: dict[str, int]
    days: tuple[date, ...]
    #: day -> source -> posts
    volume: dict[date, dict[str, int]]
    #: day -> sentiment -> posts, this period and the previous one (aligned by day offset)
    sentiment_by_day: dict[date, dict[str, int]]
    previous_sentiment_by_day: tuple[dict[str, int], ...]
    sentiment: dict[str, int]
    previous_sentiment: dict[str, int]
    intents: tuple[tuple[str, int], ...]
    themes: tuple[Theme, ...]
    #: False when the themes were not asked for (`--no-themes`, the dashboard's box unticked):
    #: an empty `themes` then says nothing about the negative posts.
    themes_computed: bool
    negative_posts: int
    top_posts: tuple[QuotedPost, ...]
    #: `engagement` when the platforms reported any, else `followers`.
    engagement_basis: str
    routes: dict[str, int]
    cases: dict[str, int]
    unclassified: int
    #: route -> how its posts were answered (queue replies and DMs, the brand's own replies).
    responses: dict[str, RouteResponse] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def share(self) -> dict[str, float | None]:
        return _shares(self.sentiment)

    @property
    def previous_share(self) -> dict[str, float | None]:
        return _shares(self.previous_sentiment)

    @property
    def net_sentiment(self) -> float | None:
        return net_sentiment(self.sentiment)

    @property
    def previous_net_sentiment(self) -> float | None:
        return net_sentiment(self.previous_sentiment)

    @property
    def helpdesk_cases(self) -> int:
        return sum(self.cases.values())


def net_sentiment(counts: dict[str, int]) -> float | None:
    """(positive - negative) / classified posts, from -1 to 1; None without posts."""
    total = sum(counts.get(s, 0) for s in SENTIMENTS)
    if not total:
        return None
    return (counts.get("positive", 0) - counts.get("negative", 0)) / total


def _shares(counts: dict[str, int]) -> dict[str, float | None]:
    total = sum(counts.get(s, 0) for s in SENTIMENTS)
    return {s: (counts.get(s, 0) / total if total else None) for s in SENTIMENTS}


def choose_window(
    reads: DigestReads,
    period: str,
    *,
    until: datetime | None = None,
    filters: PostFilter = ANY_POST,
    now: datetime | None = None,
) -> Window:
    """The period ending at `until` (else now), on whole days for `d`/`w` periods and whole
    hours for `h`. Without `until`, when the newest post is older than the window's last day
    (a replayed sample, a source that stopped), the window ends after the newest post
    instead, so the digest shows the latest data rather than empty days."""
    length = parse_period(period)
    whole_days = not period.strip().endswith("h")
    end = _align(until or now or datetime.now(UTC), whole_days)
    if until is None:
        newest = reads.newest_post_at(filters)
        step = timedelta(days=1) if whole_days else timedelta(hours=1)
        if newest is not None and newest < end - step:
            end = _align(newest, whole_days, up=True)
    return Window(start=end - length, end=end)


def _align(moment: datetime, whole_days: bool, *, up: bool = False) -> datetime:
    moment = moment.astimezone(UTC)
    if whole_days:
        floor = datetime.combine(moment.date(), time(), tzinfo=UTC)
        step = timedelta(days=1)
    else:
        floor = moment.replace(minute=0, second=0, microsecond=0)
        step = timedelta(hours=1)
    return floor + step if up else floor  # up: strictly after `moment` (the end is exclusive)


def build_digest(
    reads: DigestReads,
    window: Window,
    *,
    brand: str,
    filters: PostFilter = ANY_POST,
    embed: Embed | None = None,
    max_themes: int = 5,
    top_posts: int = 5,
    stopwords: Sequence[str] = (),
) -> Digest:
    """`embed`: the shared encoder's `encode`, for the negative themes; None skips them."""
    current = reads.posts_between(window.start, window.end, filters)
    previous = reads.posts_between(window.previous.start, window.previous.end, filters)
    days = _days(window)
    volume: dict[date, dict[str, int]] = {day: {} for day in days}
    by_day: dict[date, dict[str, int]] = {day: {} for day in days}
    for post in current:
        day = post.created_at.astimezone(UTC).date()
        if day in volume:
            volume[day][post.source] = volume[day].get(post.source, 0) + 1
            key = post.sentiment or "unclassified"
            by_day[day][key] = by_day[day].get(key, 0) + 1
    prev_days = _days(window.previous)
    prev_by_day: list[dict[str, int]] = [{} for _ in prev_days]
    index = {day: i for i, day in enumerate(prev_days)}
    for post in previous:
        i = index.get(post.created_at.astimezone(UTC).date())
        if i is not None and post.sentiment:
            prev_by_day[i][post.sentiment] = prev_by_day[i].get(post.sentiment, 0) + 1
    negatives = [p for p in current if p.sentiment == "negative"]
    themes = (
        find_themes(negatives, embed, max_themes=max_themes, extra_stopwords=stopwords)
        if embed is not None
        else ()
    )
    intents: Counter[str] = Counter()
    for post in current:
        intents.update(k for k, v in post.intents.items() if v >= INTENT_THRESHOLD)
    has_engagement = any(p.engagement for p in current)
    ranked = sorted(
        current,
        key=lambda p: (
            (p.engagement or 0) if has_engagement else (p.followers or 0),
            p.followers or 0,
            -p.id,
        ),
        reverse=True,
    )
    routes = Counter(p.route for p in current if p.route)
    routed = [p for p in current if p.route]
    responses = route_responses(
        [(str(p.route), p.created_at) for p in routed],
        reads.first_answers(p.id for p in routed),
        [p.id for p in routed],
    )
    return Digest(
        brand=brand,
        window=window,
        filters=filters,
        total=len(current),
        previous_total=len(previous),
        by_source=dict(Counter(p.source for p in current).most_common()),
        days=tuple(days),
        volume=volume,
        sentiment_by_day=by_day,
        previous_sentiment_by_day=tuple(prev_by_day),
        sentiment=dict(Counter(p.sentiment for p in current if p.sentiment)),
        previous_sentiment=dict(Counter(p.sentiment for p in previous if p.sentiment)),
        intents=tuple(intents.most_common(8)),
        themes=tuple(themes),
        themes_computed=embed is not None,
        negative_posts=len(negatives),
        top_posts=tuple(quote(p) for p in ranked[:top_posts]),
        engagement_basis="engagement" if has_engagement else "followers",
        routes={r: routes.get(r, 0) for r in ROUTES},
        cases=reads.case_statuses(p.id for p in current),
        unclassified=sum(1 for p in current if p.route is None),
        responses=responses,
    )


def _days(window: Window) -> list[date]:
    first = window.start.astimezone(UTC).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(UTC).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
