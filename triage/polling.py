"""One poll of one source: read pages, store each page with its cursor, record the run.

A page and the cursor after it are committed together, so a crash (even SIGKILL) between
pages loses nothing and the next poll re-reads at most one page, which insert-or-skip absorbs.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kernel.abc import Source
from kernel.backoff import Backoff
from kernel.errors import (
    AuthError,
    InputError,
    MalformedPayload,
    QuotaExhausted,
    RateLimited,
    SourceError,
    TransientError,
)
from kernel.read_budget import Plan, ReadBudget
from kernel.scrub import scrub
from triage.outages import DATABASE_DOWN
from triage.storage import Store

log = logging.getLogger(__name__)

#: When a platform says "rate limited" without saying until when.
DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=60)
#: Sources that refuse our credentials are retried this often, not every interval.
AUTH_RETRY = timedelta(minutes=10)
#: A pause without an end (credits to buy) lasts until `sources resume NAME`.
UNTIL_RESUMED = timedelta(days=366)


@dataclass(frozen=True, kw_only=True, slots=True)
class PollOutcome:
    source: str
    #: ok | rate_limited | auth_error | error | interrupted | locked | paused | paced
    status: str
    fetched: int = 0
    new: int = 0
    pages: int = 0
    error: str | None = None
    #: When the next poll should run instead of the usual interval (rate limits, backoff).
    next_poll_at: datetime | None = None
    #: Items the source could not store (malformed entries, bad lines), with their reasons.
    skipped: int = 0


def poll_source(
    store: Store,
    source: Source,
    *,
    max_pages: int | None = None,
    stop: threading.Event | None = None,
    failures: int = 0,
    interval_seconds: int = 60,
    force: bool = False,
    brand: str | None = None,
) -> PollOutcome:
    """Poll `source` once and record the run; never raises for a platform's failure.

    A stored "come back later" (a rate-limit reset, a pause for a usage cap) is honoured
    unless `force`: nothing is requested before it, and the outcome says until when.
    """
    if not force:
        waiting = _stored_wait(store, source.name)
        if waiting is not None:
            return waiting
    budget: ReadBudget | None = getattr(source, "read_budget", None)
    if budget is not None:
        plan = _plan(store, source, budget)
        if plan.pages == 0:
            return _over_budget(store, source, budget, plan)
        max_pages = plan.pages if max_pages is None else min(max_pages, plan.pages)
    with store.source_lock(source.name) as acquired:
        if not acquired:
            log.info(
                "skipped %s: another replica is polling it",
                source.name,
                extra={"source": source.name},
            )
            return PollOutcome(source=source.name, status="locked")
        return _poll(store, source, max_pages, stop, failures, interval_seconds, brand)


def _poll(
    store: Store,
    source: Source,
    max_pages: int | None,
    stop: threading.Event | None,
    failures: int,
    interval_seconds: int,
    brand: str | None = None,
) -> PollOutcome:
    name, kind = source.name, source.type
    run_id = store.start_poll(name)
    fetched = new = pages = skipped = reads = edited = quarantined = 0
    status, error, healthy = "ok", None, True
    quiet = False  # a failure the source backs off itself: said once by the daemon
    next_poll_at: datetime | None = None
    wait: float | None = None
    try:
        for page in source.poll(store.get_cursor(name)):
            # Items a source skipped as malformed are quarantined (with their reason) so
            # `sources` counts them; Reddit also skips removed and deleted posts on purpose,
            # which are not errors, so its skips are only logged.
            to_quarantine = page.skipped if kind != "reddit" else ()
            saved = store.save_page_result(
                name, kind, page.posts, page.cursor, skipped=to_quarantine, brand=brand
            )
            new += saved.new
            edited += saved.edited
            quarantined += len(saved.quarantined)
            fetched += len(page.posts)
            skipped += len(page.skipped)
            reads += page.reads if page.reads is not None else len(page.posts) + len(page.skipped)
            pages += 1
            limit = page.rate_limit
            if limit and limit.remaining == 0 and limit.reset_at:
                next_poll_at = limit.reset_at
                status = "rate_limited"
                break
            if stop is not None and stop.is_set():
                status = "interrupted"
                break
            if max_pages is not None and pages >= max_pages:
                break
    except QuotaExhausted as exc:
        status, error, healthy = "paused", str(exc), False
        next_poll_at = exc.resume_at or _now() + UNTIL_RESUMED
    except RateLimited as exc:
        status, error = "rate_limited", str(exc)
        next_poll_at = exc.reset_at or _now() + DEFAULT_RATE_LIMIT_WAIT
    except AuthError as exc:
        status, error, healthy = "auth_error", str(exc), False
        next_poll_at = _now() + max(AUTH_RETRY, timedelta(seconds=interval_seconds))
    except (TransientError, MalformedPayload, InputError, SourceError) as exc:
        # A source whose last poll failed is not healthy, whatever the reason.
        status, error, healthy = "error", str(exc), False
        if isinstance(exc, MalformedPayload):
            skipped += 1  # the page (or whole feed body) that could not be read
        quiet = isinstance(exc, SourceError) and exc.backed_off
        if not quiet:  # else the source backs off its failing part itself
            policy = Backoff(base_seconds=interval_seconds * 2, max_seconds=3600, jitter=False)
            next_poll_at = _now() + timedelta(seconds=policy.delay(failures + 1))
    except DATABASE_DOWN:
        raise  # not the source's fault: the daemon says the database is down, once
    except Exception as exc:  # a bug in a source must not stop the daemon
        log.exception("%s: unexpected error while polling", name, extra={"source": name})
        status, error = "error", f"unexpected {type(exc).__name__}: {exc}"
        healthy = False
    error = scrub(error)  # platforms echo tokens back in error bodies
    if next_poll_at is not None and status == "rate_limited":
        wait = max(0.0, (next_poll_at - _now()).total_seconds())
    store.finish_poll(
        run_id,
        status=status,
        fetched=fetched,
        new=new,
        pages=pages,
        error=error,
        rate_limit_wait_seconds=wait,
        skipped=skipped,
        reads=reads,
    )
    message = error if status != "ok" else None
    store.set_health(name, kind, healthy=healthy, message=message, next_poll_at=next_poll_at)
    if status == "paused" and next_poll_at is not None:
        store.pause(name, kind, until=next_poll_at, reason=error or "paused")
    # A failed poll is an INFO line like the others: the daemon says the source is down once
    # (and back once, `triage.outages`), not a warning per poll while it lasts.
    level = logging.WARNING if status in {"rate_limited", "paused"} else logging.INFO
    log.log(
        level,
        "polled %s: %s fetched=%d new=%d edited=%d quarantined=%d pages=%d skipped=%d%s",
        name,
        status,
        fetched,
        new,
        edited,
        quarantined,
        pages,
        skipped,
        f" error={error}" if error else "",
        extra={"source": name, "status": status, "fetched": fetched, "new": new},
    )
    return PollOutcome(
        source=name,
        status=status,
        fetched=fetched,
        new=new,
        pages=pages,
        error=error,
        next_poll_at=next_poll_at,
        skipped=skipped,
    )


def _plan(store: Store, source: Source, budget: ReadBudget) -> Plan:
    now = _now()
    start, _ = budget.period(now)
    page_size = int(getattr(source, "page_size", 100))
    return budget.plan(store.reads_since(source.name, start), now, page_size)


def _over_budget(store: Store, source: Source, budget: ReadBudget, plan: Plan) -> PollOutcome:
    """Not this time: ahead of the budget's pace (wait), or the budget is spent (pause)."""
    until = plan.wait_until or _now()
    if plan.exhausted:
        reason = (
            f"monthly read budget of {budget.monthly} used up; paused until "
            f"{until.isoformat(timespec='seconds')} or `social-triage sources resume "
            f"{source.name}`; cursor kept"
        )
        store.pause(source.name, source.type, until=until, reason=reason)
        return PollOutcome(source=source.name, status="paused", error=reason, next_poll_at=until)
    note = (
        f"{plan.used} of {budget.monthly} reads used, ahead of the budget's pace; "
        f"next poll at {until.isoformat(timespec='seconds')}"
    )
    log.info("%s: %s", source.name, note, extra={"source": source.name})
    return PollOutcome(source=source.name, status="paced", error=note, next_poll_at=until)


def _stored_wait(store: Store, name: str) -> PollOutcome | None:
    """The outcome "not yet" when a pause or a rate-limit reset stored earlier is ahead."""
    now = _now()
    state = store.source_state(name)
    if state is None:
        return None
    if state.paused_until is not None and state.paused_until > now:
        until = state.paused_until.isoformat(timespec="seconds")
        return PollOutcome(
            source=name,
            status="paused",
            error=f"paused until {until}: {state.message or 'paused'}; "
            f"`sources resume {name}` lifts it",
            next_poll_at=state.paused_until,
        )
    if state.next_poll_at is None or state.next_poll_at <= now:
        return None
    last = store.poll_runs(name, limit=1)
    if not last or last[0].status != "rate_limited":
        return None
    until = state.next_poll_at.isoformat(timespec="seconds")
    return PollOutcome(
        source=name,
        status="rate_limited",
        error=f"rate limited until {until} (stored from the last poll); --force polls anyway",
        next_poll_at=state.next_poll_at,
    )


def _now() -> datetime:
    return datetime.now(UTC)
