"""Scheduled digests and the hourly alert check, as APScheduler 3 cron jobs in the daemon.

A scheduled digest covers the whole period before its run (a daily digest at 07:00 covers
yesterday, midnight to midnight UTC). With `digest.smtp` it is e-mailed; without it, or when
the server refuses it, it is written to `digest.out_dir` as `digest-NAME-DATE.html` and
`.csv`, so nothing is lost silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.base import BaseScheduler

from config.digest import DigestSchedule, cron_trigger
from config.schema import Settings
from kernel.errors import TriageError
from triage.digest.build import make_digest, write_files
from triage.digest.mail import Mailer, digest_message
from triage.digest.render import render_html
from triage.outages import DATABASE_DOWN
from triage.storage import Store
from triage.storage.digest_reads import PostFilter

log = logging.getLogger(__name__)


def run_scheduled_digest(
    settings: Settings, store: Store, schedule: DigestSchedule, *, now: datetime | None = None
) -> Path | None:
    """Build and deliver one scheduled digest; returns the HTML file when one was written."""
    now = now or datetime.now(UTC)
    filters = PostFilter(brand=schedule.brand, query=schedule.query)
    digest = make_digest(settings, store, period=schedule.period, until=now, filters=filters)
    smtp = settings.digest.smtp
    if smtp is not None:
        try:
            mailer = Mailer.from_settings(smtp)
            to = schedule.to or mailer.to
            rendered = render_html(digest, images="cid", locale=settings.locale)
            mailer.send(digest_message(rendered, sender=mailer.sender, to=to))
            log.info("digest %s sent to %s (%d posts)", schedule.name, ", ".join(to), digest.total)
            return None
        except TriageError as exc:
            log.error("digest %s not sent, writing it to files instead: %s", schedule.name, exc)
    stem = f"digest-{schedule.name}-{digest.window.end:%Y%m%d-%H%M}"
    folder = Path(settings.digest.out_dir)
    html = folder / f"{stem}.html"
    write_files(digest, settings.locale, html=html, csv=folder / f"{stem}.csv")
    log.info("digest %s written to %s (%d posts)", schedule.name, html, digest.total)
    return html


def add_jobs(scheduler: BaseScheduler, settings: Settings, store: Store) -> list[str]:
    """The digest schedules and the alert check; returns one line per job for the start log."""
    described: list[str] = []
    if settings.digest.enabled:
        for schedule in settings.digest.schedules:
            trigger = cron_trigger(schedule.cron, settings.digest.timezone)
            scheduler.add_job(
                _safe(run_scheduled_digest),
                trigger,
                args=[settings, store, schedule],
                id=f"digest:{schedule.name}",
                name=f"digest {schedule.name}",
            )
            where = "e-mail" if settings.digest.smtp else f"files in {settings.digest.out_dir}"
            described.append(
                f"digest {schedule.name!r} ({schedule.period}) at '{schedule.cron}' "
                f"{settings.digest.timezone} -> {where}"
            )
    if settings.alerts.enabled:
        scheduler.add_job(
            _safe(run_alert_check),
            cron_trigger(settings.alerts.cron),
            args=[settings, store],
            id="alerts",
            name="alerts",
        )
        described.append(f"spike alerts at '{settings.alerts.cron}' UTC")
    return described


def run_alert_check(settings: Settings, store: Store) -> int:
    from triage.digest.alert_job import check_alerts
    from triage.digest.notify import AlertNotifier

    notifier = AlertNotifier.from_settings(settings)
    try:
        return len(check_alerts(settings, store, notifier=notifier))
    finally:
        notifier.close()


def _safe(job: Callable[..., object]) -> Callable[..., object]:
    """A failing digest or check is logged with one line; the daemon keeps running."""

    def run(*args: Any, **kwargs: Any) -> object:
        try:
            return job(*args, **kwargs)
        except DATABASE_DOWN:
            raise  # an outage, said once by the daemon (triage/outages.py)
        except TriageError as exc:
            log.error("%s failed: %s", job.__name__, exc)
        except Exception:
            log.exception("%s failed", job.__name__)
        return None

    run.__name__ = job.__name__
    return run
