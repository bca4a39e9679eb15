"""The hourly alert check: read the baseline window, find unusual hours, store each alert
once, deliver it. Safe to run on several replicas and to re-run: an alert is unique per kind,
scope and hour, and only the run that stored it delivers it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from config.schema import Settings
from triage.digest.alerts import HOUR, detect, floor_hour, hourly_buckets
from triage.digest.notify import AlertNotifier
from triage.digest.records import QuotedPost, quote
from triage.storage import Store
from triage.storage.alerts import Alert, AlertStore
from triage.storage.digest_reads import DigestReads

log = logging.getLogger(__name__)

#: Hours judged per run: the last complete one and two more, so a missed run catches up.
DEFAULT_HOURS = 3
#: Most post ids kept with an alert (the queue link carries them).
MAX_IDS = 200
KINDS = ("volume", "negative_share")


def check_alerts(
    settings: Settings,
    store: Store,
    *,
    now: datetime | None = None,
    hours: int = DEFAULT_HOURS,
    notifier: AlertNotifier | None = None,
) -> list[Alert]:
    """New alerts over the `hours` complete hours before `now`, delivered through `notifier`."""
    a = settings.alerts
    end = floor_hour(now or datetime.now(UTC))
    check_from = end - hours * HOUR
    start = check_from - a.baseline_hours * HOUR
    reads = DigestReads(store.engine)
    buckets = hourly_buckets(reads.posts_between(start, end), start, end, brand=settings.brand.name)
    alerts = AlertStore(store.engine)
    new: list[Alert] = []
    for scope, series in sorted(buckets.items()):
        last = {k: v for k in KINDS if (v := alerts.last_bucket(k, scope)) is not None}
        for spike in detect(
            series, scope=scope, settings=a, check_from=check_from, last_alert=last
        ):
            stored = alerts.add(
                Alert(
                    kind=spike.kind,
                    scope=spike.scope,
                    bucket_start=spike.bucket.start,
                    posts=spike.bucket.posts,
                    negative=spike.bucket.negative,
                    baseline=spike.baseline,
                    score=spike.score,
                    post_ids=spike.driving_ids[:MAX_IDS],
                )
            )
            if stored is None:
                continue  # another replica found it first and delivers it
            log.warning(
                "alert %s %s at %s: %d posts (%d negative), z=%.1f",
                stored.kind,
                stored.scope,
                stored.bucket_start.isoformat(),
                stored.posts,
                stored.negative,
                stored.score,
            )
            new.append(stored)
            if notifier is not None:
                deliver(alerts, reads, notifier, stored, settings.alerts.max_posts)
    return new


def quoted_posts(reads: DigestReads, alert: Alert, limit: int) -> list[QuotedPost]:
    """The driving posts to show: the most-followed authors first, redacted."""
    posts = reads.posts_by_ids(alert.post_ids)
    posts.sort(key=lambda p: (-(p.engagement or 0), -(p.followers or 0), p.id))
    return [quote(p) for p in posts[:limit]]


def deliver(
    alerts: AlertStore, reads: DigestReads, notifier: AlertNotifier, alert: Alert, limit: int
) -> None:
    assert alert.id is not None
    results = notifier.deliver(alert, quoted_posts(reads, alert, limit))
    for channel, error in results.items():
        if error is None:
            alerts.mark(alert.id, channel=channel)
        else:
            log.error("alert %d not delivered by %s: %s", alert.id, channel, error)
            alerts.mark(alert.id, channel=None, error=f"{channel}: {error}")
