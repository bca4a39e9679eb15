"""One broken feed URL backs off alone (issue 19, defect 8): the source's good feeds are read
on every poll, on schedule, while the broken one waits 2, 4, 8... intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.httpserver import FakeAPI, Response
from tests.listener.feed.helpers import item, rss, serve, source
from triage.polling import poll_source
from triage.storage import Store


def test_a_broken_feed_backs_off_alone_and_the_good_one_is_read_on_schedule(
    fake_api: FakeAPI, store: Store
) -> None:
    serve(fake_api, "/good.rss", rss(item("g1", "One", "first")))
    serve(fake_api, "/good.rss", rss(item("g2", "Two", "second"), item("g1", "One", "first")))
    fake_api.add("GET", "/broken.rss", Response(status=500, body="oops"), sticky=True)
    src = source(fake_api, "/good.rss", "/broken.rss", interval_seconds=5)

    first = poll_source(store, src, interval_seconds=5, failures=0)
    assert first.status == "error" and "/broken.rss" in (first.error or "")
    # Not the whole source backed off: the next poll comes after the usual interval.
    assert first.next_poll_at is None and first.new == 1

    second = poll_source(store, src, interval_seconds=5, failures=1)
    assert second.new == 1 and second.next_poll_at is None  # the good feed's new entry
    assert second.status == "error" and "next try at" in (second.error or "")
    paths = [r.path for r in fake_api.requests]
    assert paths.count("/good.rss") == 2 and paths.count("/broken.rss") == 1
    [state] = [s for s in store.source_states() if s.name == "feeds"]
    assert not state.healthy  # the broken feed is still reported

    failures, retry_at, _ = src.failing["/broken.rss"]
    assert failures == 1
    assert timedelta(seconds=5) < retry_at - datetime.now(UTC) <= timedelta(seconds=10)
