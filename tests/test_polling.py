from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from kernel.abc import Source
from kernel.errors import AuthError, MalformedPayload, RateLimited, TransientError
from kernel.models import Page, Post, RateLimit
from triage.polling import poll_source
from triage.storage import Store

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def posts(*ids: int) -> tuple[Post, ...]:
    return tuple(
        Post(source="mem", external_id=str(i), text=f"post {i}", created_at=NOW) for i in ids
    )


class ScriptedSource(Source):
    """An in-memory source: yields scripted pages, then raises a scripted error."""

    type = "memory"

    def __init__(self, pages: list[Page], error: Exception | None = None) -> None:
        super().__init__(name="mem")
        self.pages, self.error = pages, error
        self.cursors: list[Any] = []

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        self.cursors.append(cursor)
        yield from self.pages
        if self.error:
            raise self.error


def test_pages_and_cursor_are_stored_and_the_run_recorded(sqlite_store: Store) -> None:
    src = ScriptedSource([Page(posts=posts(1, 2), cursor={"n": 2}), Page(posts=posts(2, 3))])
    outcome = poll_source(sqlite_store, src)
    assert (outcome.status, outcome.fetched, outcome.new, outcome.pages) == ("ok", 4, 3, 2)
    assert sqlite_store.get_cursor("mem") == {"n": 2}
    [run] = sqlite_store.poll_runs("mem")
    assert (run.status, run.fetched, run.new) == ("ok", 4, 3)
    poll_source(sqlite_store, src)
    assert src.cursors == [None, {"n": 2}]


def test_malformed_page_keeps_earlier_pages_and_does_not_move_cursor(sqlite_store: Store) -> None:
    src = ScriptedSource(
        [Page(posts=posts(1), cursor={"n": 1})], MalformedPayload("mem: page 2 is not JSON")
    )
    outcome = poll_source(sqlite_store, src)
    assert outcome.status == "error" and outcome.error == "mem: page 2 is not JSON"
    assert sqlite_store.count_posts() == 1
    assert sqlite_store.get_cursor("mem") == {"n": 1}
    [state] = sqlite_store.source_states()
    # A source whose last poll failed is not healthy; the unreadable page counts as skipped.
    assert not state.healthy and state.message == "mem: page 2 is not JSON"
    assert outcome.skipped == 1 and sqlite_store.poll_runs("mem")[0].skipped == 1
    assert outcome.next_poll_at is not None  # backoff


def test_rate_limit_moves_the_next_poll_to_the_reset(sqlite_store: Store) -> None:
    reset = datetime.now(UTC) + timedelta(minutes=15)
    outcome = poll_source(sqlite_store, ScriptedSource([], RateLimited("429", reset_at=reset)))
    assert outcome.status == "rate_limited" and outcome.next_poll_at == reset
    [run] = sqlite_store.poll_runs("mem")
    assert run.rate_limit_wait_seconds is not None and run.rate_limit_wait_seconds > 800


def test_exhausted_quota_on_a_page_stops_the_poll(sqlite_store: Store) -> None:
    reset = datetime.now(UTC) + timedelta(minutes=5)
    limited = Page(
        posts=posts(1), cursor={"n": 1}, rate_limit=RateLimit(remaining=0, reset_at=reset)
    )
    src = ScriptedSource([limited, Page(posts=posts(2), cursor={"n": 2})])
    outcome = poll_source(sqlite_store, src)
    assert outcome.status == "rate_limited" and outcome.next_poll_at == reset
    assert sqlite_store.get_cursor("mem") == {"n": 1}


def test_auth_error_marks_the_source_unhealthy(sqlite_store: Store) -> None:
    outcome = poll_source(sqlite_store, ScriptedSource([], AuthError("mem: 401 Unauthorized")))
    assert outcome.status == "auth_error"
    [state] = sqlite_store.source_states()
    assert not state.healthy and state.message == "mem: 401 Unauthorized"


def test_transient_errors_back_off_exponentially(sqlite_store: Store) -> None:
    src = ScriptedSource([], TransientError("mem: connection refused"))
    first = poll_source(sqlite_store, src, failures=0, interval_seconds=60)
    third = poll_source(sqlite_store, src, failures=2, interval_seconds=60)
    assert first.next_poll_at and third.next_poll_at
    assert third.next_poll_at - first.next_poll_at > timedelta(seconds=300)


def test_a_bug_in_a_source_is_recorded_not_raised(sqlite_store: Store) -> None:
    outcome = poll_source(sqlite_store, ScriptedSource([], ZeroDivisionError("oops")))
    assert outcome.status == "error" and "ZeroDivisionError" in (outcome.error or "")


def test_stop_abandons_cleanly_after_the_current_page(sqlite_store: Store) -> None:
    stop = threading.Event()
    stop.set()
    src = ScriptedSource([Page(posts=posts(1), cursor={"n": 1}), Page(posts=posts(2))])
    outcome = poll_source(sqlite_store, src, stop=stop)
    assert outcome.status == "interrupted" and outcome.pages == 1
    assert sqlite_store.get_cursor("mem") == {"n": 1}


def test_max_pages_leaves_the_rest_for_the_next_poll(sqlite_store: Store) -> None:
    src = ScriptedSource([Page(posts=posts(i), cursor={"n": i}) for i in range(1, 5)])
    outcome = poll_source(sqlite_store, src, max_pages=2)
    assert outcome.pages == 2 and sqlite_store.get_cursor("mem") == {"n": 2}


def test_skipped_items_are_counted_per_poll(sqlite_store: Store) -> None:
    src = ScriptedSource(
        [
            Page(posts=posts(1), cursor={"n": 1}, skipped=("f:2: not JSON", "f:3: no text")),
            Page(posts=posts(4), cursor={"n": 4}, skipped=("f:5: not JSON",), reads=9),
        ]
    )
    outcome = poll_source(sqlite_store, src)
    assert (outcome.status, outcome.skipped) == ("ok", 3)
    [run] = sqlite_store.poll_runs("mem")
    assert (run.skipped, run.reads, run.pages) == (3, 3 + 9, 2)
    [state] = sqlite_store.source_states()
    assert state.healthy and state.message is None


def test_a_stored_rate_limit_reset_is_honoured_unless_forced(sqlite_store: Store) -> None:
    reset = datetime.now(UTC) + timedelta(minutes=15)
    poll_source(sqlite_store, ScriptedSource([], RateLimited("429", reset_at=reset)))
    src = ScriptedSource([Page(posts=posts(1), cursor={"n": 1})])

    waiting = poll_source(sqlite_store, src)
    assert waiting.status == "rate_limited" and waiting.next_poll_at == reset
    assert "--force" in (waiting.error or "") and src.cursors == []  # nothing requested
    assert len(sqlite_store.poll_runs("mem")) == 1

    forced = poll_source(sqlite_store, src, force=True)
    assert forced.status == "ok" and forced.new == 1 and src.cursors == [None]


def test_a_paused_source_is_not_polled_until_resumed(sqlite_store: Store) -> None:
    until = datetime.now(UTC) + timedelta(days=3)
    sqlite_store.pause("mem", "memory", until=until, reason="X usage cap reached")
    src = ScriptedSource([Page(posts=posts(1), cursor={"n": 1})])
    paused = poll_source(sqlite_store, src)
    assert paused.status == "paused" and paused.next_poll_at == until
    assert "sources resume mem" in (paused.error or "") and src.cursors == []
    [state] = sqlite_store.source_states()
    assert state.paused_until == until and not state.healthy

    assert sqlite_store.resume("mem")
    assert poll_source(sqlite_store, src).status == "ok"
