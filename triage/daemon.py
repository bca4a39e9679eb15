"""The daemon: one APScheduler job per source (and, as they land, per pipeline stage).

Jobs never overlap themselves (a run due while the last one still works is skipped without a
word), missed runs coalesce into one, and a platform's "come back later" (429, auth failure
backoff) moves that job's next run instead of blocking a worker. A job that finds the database
down fails quietly: one line when it goes down, one when it is back (`triage.outages`).
SIGTERM/SIGINT let the running polls finish their current page, commit, and stop; a job still
waiting on a database that does not answer is left behind after `SHUTDOWN_GRACE_SECONDS` (its
transaction is rolled back by the server, as after a crash).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from config.schema import Settings
from config.sources import SourceSettings
from kernel.abc import Source
from kernel.errors import NotConfigured
from kernel.scrub import db_error_line
from listener.registry import build_source, enabled_sources
from triage.outages import DATABASE_DOWN, Outages
from triage.polling import PollOutcome, poll_source
from triage.stages import Stages
from triage.storage import Store, redacted_url
from triage.storage.privacy import apply_retention

if TYPE_CHECKING:
    from triage.metrics import Metrics

log = logging.getLogger(__name__)

#: How long SIGTERM waits for running jobs before the daemon stops without them; well inside
#: systemd's stop timeout, so the service manager never has to SIGKILL us.
SHUTDOWN_GRACE_SECONDS = 8.0
#: How often the daemon looks for a learning run a lead asked for on the Learning page.
LEARN_REQUEST_SECONDS = 60


@dataclass
class _Poller:
    settings: SourceSettings
    source: Source
    failures: int = 0


class Daemon:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        only_source: str | None = None,
        stages: Stages | None = None,
    ):
        self.settings = settings
        self.store = store
        #: classify / deliver / sync; None for a poll-only daemon (`poll-once`).
        self.stages = stages
        self.stop = threading.Event()
        self.pollers: dict[str, _Poller] = {}
        self._scheduler: BackgroundScheduler | None = None
        self._scheduler_lock = threading.Lock()
        self._shutting_down = False
        #: Stage jobs running now, and those woken meanwhile (they run again when done, rather
        #: than being started twice, which APScheduler refuses with a warning).
        self._busy: set[str] = set()
        self._again: set[str] = set()
        #: Counters for `/metrics` when `metrics.enabled` (set by `run`, see triage/metrics.py).
        self.metrics: Metrics | None = None
        self.outages = Outages()
        #: Runs of each job in progress now (`_guard`), for skipping overlaps and for shutdown.
        self._running: dict[str, int] = {}
        self._idle = threading.Condition(self._scheduler_lock)
        for source_settings in enabled_sources(settings, only_source):
            try:
                source = build_source(source_settings, settings.brand)
            except NotConfigured as exc:
                log.error(
                    "source %s disabled: %s",
                    source_settings.name,
                    exc,
                    extra={"source": source_settings.name},
                )
                store.set_health(
                    source_settings.name,
                    source_settings.type,
                    healthy=False,
                    message=str(exc),
                    polled=False,
                )
                continue
            self.pollers[source_settings.name] = _Poller(source_settings, source)

    def log_startup(self) -> None:
        log.info("database %s", redacted_url(self.store.engine))
        if self.stages is not None:
            for line in self.stages.describe():
                log.info("enabled %s", line)
        for poller in self.pollers.values():
            s = poller.settings
            log.info(
                "enabled %s every %ds (jitter %ds)",
                poller.source.describe(),
                s.interval_seconds,
                s.jitter_seconds,
                extra={"source": s.name},
            )

    def poll(self, name: str, force: bool = False) -> PollOutcome:
        poller = self.pollers[name]
        outcome = poll_source(
            self.store,
            poller.source,
            max_pages=poller.settings.max_pages,
            stop=self.stop,
            failures=poller.failures,
            interval_seconds=poller.settings.interval_seconds,
            force=force,
            brand=poller.settings.brand or self.settings.brand.name,
        )
        if outcome.status not in {"paused", "paced", "rate_limited"} or outcome.pages:
            ok = outcome.status in {"ok", "interrupted"}
            poller.failures = 0 if ok else poller.failures + 1
        if outcome.status in {"error", "auth_error"}:
            self.outages.down(f"source {name}", outcome.error or outcome.status)
        elif outcome.status == "ok":
            self.outages.up(f"source {name}")
        if self.metrics is not None:
            self.metrics.observe_poll(outcome)
        if outcome.next_poll_at is not None:
            self._reschedule(name, outcome.next_poll_at)
        else:  # the usual interval: say when, so `sources` shows it while the daemon runs
            self._store_next_run(name)
        if outcome.new and self.stages is not None:
            self._wake("classify")  # new posts: decide them now, not at the next tick
        return outcome

    def classify(self) -> int:
        assert self.stages is not None
        started = time.monotonic()
        done = self.stages.classify(self.stop)
        if self.metrics is not None:
            self.metrics.observe_classify(time.monotonic() - started, done)
        if done:
            self._wake("deliver")
        return done

    def deliver(self) -> None:
        assert self.stages is not None
        report = self.stages.deliver(self.stop, outages=self.outages)
        if self.metrics is not None:
            self.metrics.observe_delivery(report.sent, report.failed, report.dead)

    def sync(self) -> None:
        assert self.stages is not None
        self.stages.sync(outages=self.outages)

    def learn(self) -> None:
        """The learning loop on `learning.schedule` (docs/learning.md); never fails the daemon:
        a failed run is logged and recorded, and the heads in use stay."""
        assert self.stages is not None
        try:
            self.stages.learn()
        except DATABASE_DOWN:
            raise  # an outage, said once (`_guard`)
        except Exception:
            log.exception("learn failed; the heads in use stay, next try at the next schedule")

    def learn_requested(self) -> None:
        """A learning run a lead asked for on the Learning page; never fails the daemon."""
        assert self.stages is not None
        try:
            self.stages.learn_requested()
        except DATABASE_DOWN:
            raise  # an outage, said once (`_guard`)
        except Exception:
            log.exception("learn (asked for) failed; the heads in use stay")

    def retention(self) -> None:
        """Apply the retention settings (docs/data-protection.md); never fails the daemon."""
        try:
            report = apply_retention(self.store.engine, self.settings.retention)
        except DATABASE_DOWN:
            raise  # an outage, said once (`_guard`)
        except Exception:
            log.exception("retention failed; will try again at the next interval")
            return
        if report.raw_cleared or report.posts_deleted or report.quarantine_deleted:
            log.info(
                "retention: raw payloads cleared=%d posts deleted=%d quarantine deleted=%d",
                report.raw_cleared,
                report.posts_deleted,
                report.quarantine_deleted,
            )

    def _wake(self, job_id: str) -> None:
        with self._scheduler_lock:
            if job_id in self._busy:
                self._again.add(job_id)
                return
        self._reschedule(job_id, datetime.now(UTC))

    def _stage(self, job_id: str, func: Callable[[], object]) -> Callable[[], None]:
        """`func` as a job that, woken while it runs, runs once more instead of overlapping."""

        def job() -> None:
            with self._scheduler_lock:
                self._busy.add(job_id)
            try:
                while True:
                    func()
                    with self._scheduler_lock:
                        if job_id not in self._again or self.stop.is_set():
                            break
                        self._again.discard(job_id)
            finally:
                with self._scheduler_lock:
                    self._busy.discard(job_id)
                    self._again.discard(job_id)

        return job

    def _guard(self, job_id: str, func: Callable[..., object]) -> Callable[..., object]:
        """`func` as a scheduled job: skipped while its last run still works (instead of
        APScheduler's warning on every tick), counted for shutdown, and quiet when the
        database is down (one line for the outage, none per run, no traceback). Returns what
        `func` returns (None when skipped or the database is down)."""

        def job(*args: object, **kwargs: object) -> object:
            with self._scheduler_lock:
                if self._running.get(job_id, 0) or self._shutting_down:
                    return None
                self._running[job_id] = 1
            try:
                result = func(*args, **kwargs)
            except DATABASE_DOWN as exc:
                self.outages.down("database", db_error_line(exc))
                return None
            else:
                self.outages.up("database")
                return result
            finally:
                with self._scheduler_lock:
                    self._running.pop(job_id, None)
                    self._idle.notify_all()

        return job

    def _wait_for_jobs(self, seconds: float) -> list[str]:
        """Wait up to `seconds` for running jobs to end; the ids of those still running."""
        deadline = time.monotonic() + seconds
        with self._scheduler_lock:
            while self._running and (left := deadline - time.monotonic()) > 0:
                self._idle.wait(left)
            return sorted(self._running)

    def _store_next_run(self, name: str) -> None:
        with self._scheduler_lock:
            scheduler = self._scheduler
            if scheduler is None or self._shutting_down:
                return
            job = scheduler.get_job(name)
            when = job.next_run_time if job is not None else None
        if when is not None:
            self.store.set_next_poll(name, when)

    def _reschedule(self, job_id: str, when: datetime) -> None:
        """Move a job's next run. Never while stopping: `shutdown(wait=True)` holds the
        scheduler's locks while it waits for this very job, so touching the scheduler from
        the job then would deadlock."""
        with self._scheduler_lock:
            scheduler = self._scheduler
            if scheduler is None or self._shutting_down:
                return
            if scheduler.get_job(job_id) is not None:
                scheduler.modify_job(job_id, next_run_time=when)

    def run_once(self, *, force: bool = False) -> list[PollOutcome]:
        """Every job one pass, in order (poll, classify, deliver, sync), for cron and checks.

        A stored rate-limit reset or pause is honoured unless `force`."""
        outcomes = [self.poll(name, force) for name in self.pollers if not self.stop.is_set()]
        if self.stages is not None and not self.stop.is_set():
            if self.settings.classifier.enabled:
                self.classify()
                if self.settings.learning.enabled:
                    self.learn()  # only when enough new labels arrived (learning settings)
                    self.learn_requested()  # or when a lead asked for it on the Learning page
            if self.settings.escalation.enabled:
                self.deliver()
                self.sync()
        if not self.stop.is_set():
            self.retention()
        return outcomes

    def run_forever(
        self, *, install_signals: bool = True, grace_seconds: float = SHUTDOWN_GRACE_SECONDS
    ) -> bool:
        """Run the jobs until `stop` is set; False when some job was still running after
        `grace_seconds` (waiting on a database that does not answer) and was left behind:
        the caller should then end the process (`os._exit`), as its threads cannot be."""
        # Two instances allowed so that a tick during a long run reaches `_guard`, which skips
        # it silently; at most one instance of a job ever works.
        scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 2, "misfire_grace_time": 30},
        )
        now = datetime.now(UTC)
        for name, poller in self.pollers.items():
            scheduler.add_job(
                self.poll,
                IntervalTrigger(
                    seconds=poller.settings.interval_seconds,
                    jitter=poller.settings.jitter_seconds or None,
                    timezone=UTC,
                ),
                args=[name],
                id=name,
                name=f"poll {name}",
                next_run_time=now,
            )
        if self.stages is not None:
            esc = self.settings.escalation
            jobs: list[tuple[str, Callable[[], object], int]] = []
            if self.settings.classifier.enabled:
                jobs.append(("classify", self.classify, self.settings.classifier.interval_seconds))
            if esc.enabled:
                jobs.append(("deliver", self.deliver, esc.interval_seconds))
                jobs.append(("sync", self.sync, esc.sync_interval_seconds))
            for job_id, func, seconds in jobs:
                scheduler.add_job(
                    self._stage(job_id, func),
                    IntervalTrigger(seconds=seconds, timezone=UTC),
                    id=job_id,
                    name=job_id,
                    next_run_time=now,
                )
            if self.settings.classifier.enabled and self.settings.learning.enabled:
                from config.digest import cron_trigger

                scheduler.add_job(
                    self._stage("learn", self.learn),
                    cron_trigger(self.settings.learning.schedule),
                    id="learn",
                    name="learn",
                )
                scheduler.add_job(
                    self._stage("learn-requested", self.learn_requested),
                    IntervalTrigger(seconds=LEARN_REQUEST_SECONDS, timezone=UTC),
                    id="learn-requested",
                    name="learn-requested",
                )
            # Marketing's digests and spike alerts (triage/digest/schedule.py).
            from triage.digest.schedule import add_jobs

            for line in add_jobs(scheduler, self.settings, self.store):
                log.info("enabled %s", line)
        scheduler.add_job(
            self.retention,
            IntervalTrigger(seconds=self.settings.retention.interval_hours * 3600, timezone=UTC),
            id="retention",
            name="retention",
            next_run_time=now,
        )
        for job in scheduler.get_jobs():
            job.modify(func=self._guard(job.id, job.func))
        if install_signals:
            self._install_signal_handlers()
        self._scheduler = scheduler
        scheduler.start()
        job_names = [job.name for job in scheduler.get_jobs()]
        log.info("daemon started with %d job(s): %s", len(job_names), ", ".join(job_names))
        try:
            self.stop.wait()
        finally:
            clean = self._shut_down(scheduler, grace_seconds)
        return clean

    def _shut_down(self, scheduler: BackgroundScheduler, grace_seconds: float) -> bool:
        log.info("stopping: letting running polls commit their current page")
        with self._scheduler_lock:  # no job touches the scheduler from here on
            self._shutting_down = True
        scheduler.shutdown(wait=False)
        stuck = self._wait_for_jobs(grace_seconds)
        self._scheduler = None
        if stuck:
            log.warning(
                "stopped without waiting for %s after %.0f s (no answer from the database?): "
                "their open transactions are rolled back by the server",
                ", ".join(stuck),
                grace_seconds,
            )
            return False
        for poller in self.pollers.values():
            poller.source.close()
        if self.stages is not None:
            self.stages.close()
        log.info("stopped")
        return True

    def _install_signal_handlers(self) -> None:
        def handler(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s", signal.Signals(signum).name)
            self.stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, handler)
