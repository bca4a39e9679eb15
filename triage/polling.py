"""One poll of one source: read pages, store each page with its cursor, record the run.

A page and the cursor after it are committed together, so a crash (even SIGKILL) between
pages loses nothing and the next poll re-reads at most one page, which insert-or-skip absorbs.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from triage.abc import Source
from triage.errors import (
    AuthError,
    InputError,
    MalformedPayload,
    RateLimited,
    SourceError,
    TransientError,
)
from triage.scrub import scrub
from triage.storage import Store

log = logging.getLogger(__name__)

#: When a platform says "rate limited" without saying until when.
DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=60)
#: Sources that refuse our credentials are retried this often, not every interval.
AUTH_RETRY = timedelta(minutes=10)


@dataclass(frozen=True, kw_only=True, slots=True)
class PollOutcome:
    source: str
    status: str  # ok | rate_limited | auth_error | error | interrupted | locked
    fetched: int = 0
    new: int = 0
    pages: int = 0
    error: str | None = None
    #: When the next poll should run instead of the usual interval (rate limits, backoff).
    next_poll_at: datetime | None = None


def poll_source(
    store: Store,
    source: Source,
    *,
    max_pages: int | None = None,
    stop: threading.Event | None = None,
    failures: int = 0,
    interval_seconds: int = 60,
) -> PollOutcome:
    """Poll `source` once and record the run; never raises for a platform's failure."""
    with store.source_lock(source.name) as acquired:
        if not acquired:
            log.info(
                "skipped %s: another replica is polling it",
                source.name,
                extra={"source": source.name},
            )
            return PollOutcome(source=source.name, status="locked")
        return _poll(store, source, max_pages, stop, failures, interval_seconds)


def _poll(
    store: Store,
    source: Source,
    max_pages: int | None,
    stop: threading.Event | None,
    failures: int,
    interval_seconds: int,
) -> PollOutcome:
    name, kind = source.name, source.type
    run_id = store.start_poll(name)
    fetched = new = pages = edited = quarantined = 0
    status, error, healthy = "ok", None, True
    next_poll_at: datetime | None = None
    wait: float | None = None
    try:
        for page in source.poll(store.get_cursor(name)):
            # Items a source skipped as malformed are quarantined (with their reason) so
            # `sources` counts them; Reddit also skips removed and deleted posts on purpose,
            # which are not errors, so its skips are only logged.
            skipped = page.skipped if kind != "reddit" else ()
            saved = store.save_page_result(name, kind, page.posts, page.cursor, skipped=skipped)
            new += saved.new
            edited += saved.edited
            quarantined += len(saved.quarantined)
            fetched += len(page.posts)
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
    except RateLimited as exc:
        status, error = "rate_limited", str(exc)
        next_poll_at = exc.reset_at or _now() + DEFAULT_RATE_LIMIT_WAIT
    except AuthError as exc:
        status, error, healthy = "auth_error", str(exc), False
        next_poll_at = _now() + max(AUTH_RETRY, timedelta(seconds=interval_seconds))
    except (TransientError, MalformedPayload, InputError, SourceError) as exc:
        status, error = "error", str(exc)
        healthy = not isinstance(exc, InputError)
        backoff = min(interval_seconds * 2 ** (failures + 1), 3600)
        next_poll_at = _now() + timedelta(seconds=backoff)
    except Exception as exc:  # a bug in a source must not stop the daemon
        log.exception("%s: unexpected error while polling", name, extra={"source": name})
        status, error = "error", f"unexpected {type(exc).__name__}: {exc}"
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
    )
    message = error if status != "ok" else None
    store.set_health(name, kind, healthy=healthy, message=message, next_poll_at=next_poll_at)
    level = logging.INFO if status in {"ok", "interrupted"} else logging.WARNING
    log.log(
        level,
        "polled %s: %s fetched=%d new=%d edited=%d quarantined=%d pages=%d%s",
        name,
        status,
        fetched,
        new,
        edited,
        quarantined,
        pages,
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
    )


def _now() -> datetime:
    return datetime.now(UTC)
