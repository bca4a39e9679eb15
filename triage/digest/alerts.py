"""Spike and crisis alerts: hourly buckets per brand and per theme, each hour compared with a
robust baseline of the hours before it.

An hour is unusual when its robust z-score, (x - median) / (1.4826 * MAD), reaches
`alerts.threshold`, for the volume (posts in the hour) or the negative share (negative posts /
classified posts). Median and MAD ignore the spikes inside the baseline itself, unlike a mean
and standard deviation. The scale has a floor (sqrt(median) posts, Poisson noise, and 5
points of share) so a flat history does not turn one extra post into an infinite z. Minimum
counts keep a quiet brand from alarming on three posts, and a cooldown per kind and scope
keeps a crisis from alarming every hour. A theme is the post's top intent (billing, outage,
...): stable labels, where embedding clusters would be renumbered every hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from config.digest import AlertSettings
from kernel.vocab import INTENT_THRESHOLD
from triage.storage.digest_reads import PeriodPost

HOUR = timedelta(hours=1)
#: Fewest hours of history before an hour is judged at all: three days, so that every hour of
#: the day has a few same-hour values to compare with.
MIN_BASELINE_HOURS = 72
#: Fewest hours with posts in the baseline before a negative share is judged.
MIN_SHARE_HOURS = 12
SHARE_FLOOR = 0.05
#: Intents that never make a theme of their own.
NOT_THEMES = frozenset({"spam"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Bucket:
    start: datetime
    post_ids: tuple[int, ...] = ()
    negative_ids: tuple[int, ...] = ()
    classified: int = 0

    @property
    def posts(self) -> int:
        return len(self.post_ids)

    @property
    def negative(self) -> int:
        return len(self.negative_ids)

    @property
    def share(self) -> float | None:
        return self.negative / self.classified if self.classified else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Spike:
    kind: str  # volume | negative_share
    scope: str
    bucket: Bucket
    baseline: float
    score: float

    @property
    def driving_ids(self) -> tuple[int, ...]:
        ids = self.bucket.negative_ids if self.kind == "negative_share" else self.bucket.post_ids
        return ids or self.bucket.post_ids


def robust_z(value: float, history: Sequence[float], floor: float) -> tuple[float, float]:
    """(median, robust z-score of `value`) against `history`."""
    centre = median(history)
    mad = median(abs(h - centre) for h in history)
    scale = max(1.4826 * mad, floor)
    return centre, (value - centre) / scale


def _volume_z(bucket: Bucket, history: Sequence[Bucket]) -> tuple[float, float]:
    counts = [float(h.posts) for h in history]
    return robust_z(bucket.posts, counts, max(1.0, math.sqrt(median(counts))))


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hourly_buckets(
    posts: Iterable[PeriodPost], start: datetime, end: datetime, *, brand: str = "all"
) -> dict[str, list[Bucket]]:
    """Scope (`brand:NAME`, `theme:INTENT`) -> contiguous hourly buckets over [start, end)."""
    hours = int((end - start) / HOUR)
    raw: dict[str, list[tuple[list[int], list[int], int]]] = {}

    def slot(scope: str, index: int) -> tuple[list[int], list[int], int]:
        series = raw.setdefault(scope, [([], [], 0) for _ in range(hours)])
        return series[index]

    for post in posts:
        index = int((floor_hour(post.created_at) - start) / HOUR)
        if not 0 <= index < hours:
            continue
        scopes = [f"brand:{brand}"] + [
            f"theme:{name}"
            for name, score in post.intents.items()
            if score >= INTENT_THRESHOLD and name not in NOT_THEMES
        ]
        for scope in scopes:
            ids, negative, classified = slot(scope, index)
            ids.append(post.id)
            if post.sentiment == "negative":
                negative.append(post.id)
            raw[scope][index] = (ids, negative, classified + (1 if post.sentiment else 0))
    return {
        scope: [
            Bucket(
                start=start + i * HOUR,
                post_ids=tuple(ids),
                negative_ids=tuple(neg),
                classified=classified,
            )
            for i, (ids, neg, classified) in enumerate(series)
        ]
        for scope, series in raw.items()
    }


def detect(
    series: Sequence[Bucket],
    *,
    scope: str,
    settings: AlertSettings,
    check_from: datetime | None = None,
    last_alert: dict[str, datetime] | None = None,
) -> list[Spike]:
    """Unusual hours of one scope's contiguous hourly `series` (oldest first), judged from
    `check_from` on; `last_alert` (kind -> hour) carries the cooldown in and out."""
    last = last_alert if last_alert is not None else {}
    cooldown = timedelta(hours=settings.cooldown_hours)
    found: list[Spike] = []
    for i, bucket in enumerate(series):
        if check_from is not None and bucket.start < check_from:
            continue
        history = series[max(0, i - settings.baseline_hours) : i]
        if len(history) < MIN_BASELINE_HOURS:
            continue
        candidates: list[tuple[str, float, float]] = []
        same_hour = [h for h in history if h.start.hour == bucket.start.hour]
        if bucket.posts >= settings.min_posts:
            centre, z = _volume_z(bucket, history)
            z = min(z, _volume_z(bucket, same_hour)[1]) if same_hour else z
            if z >= settings.threshold:
                candidates.append(("volume", centre, z))
        shares = [h.share for h in history if h.share is not None]
        if bucket.negative >= settings.min_negative and len(shares) >= MIN_SHARE_HOURS:
            assert bucket.share is not None
            centre, z = robust_z(bucket.share, shares, SHARE_FLOOR)
            same = [h.share for h in same_hour if h.share is not None]
            if same:
                z = min(z, robust_z(bucket.share, same, SHARE_FLOOR)[1])
            if z >= settings.threshold:
                candidates.append(("negative_share", centre, z))
        for kind, centre, z in candidates:
            previous = last.get(kind)
            if previous is not None and bucket.start - previous < cooldown:
                continue
            if previous is not None and bucket.start <= previous:
                continue
            last[kind] = bucket.start
            found.append(Spike(kind=kind, scope=scope, bucket=bucket, baseline=centre, score=z))
    return found
