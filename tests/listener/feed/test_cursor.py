"""The feed source's cursor: validators, seen entries, turns, and stored polls."""

from __future__ import annotations

from listener.feed.source import SEEN_WINDOW, USER_AGENT
from tests.httpserver import FakeAPI, Response
from tests.listener.feed.helpers import (
    ATOM,
    RSS,
    discourse,
    fixture,
    item,
    read_all,
    rss,
    serve,
    source,
)
from triage.polling import poll_source
from triage.storage import Store


def test_conditional_requests_and_304(fake_api: FakeAPI) -> None:
    modified = "Fri, 27 Aug 2021 07:42:33 GMT"
    serve(fake_api, "/latest.rss", discourse(), ETag='W/"abc"', **{"Last-Modified": modified})
    src = source(fake_api, "/latest.rss")
    posts, cursor = read_all(src)
    assert len(posts) == 9
    entry = cursor["feeds"]["/latest.rss"]
    assert (entry["etag"], entry["modified"]) == ('W/"abc"', modified)

    fake_api.add("GET", "/latest.rss", Response(status=304, headers={"ETag": 'W/"abc"'}))
    pages = list(src.poll(cursor))
    assert [len(p.posts) for p in pages] == [0]
    assert pages[0].cursor is not None
    assert pages[0].cursor["feeds"]["/latest.rss"] == entry  # unchanged

    first, second = fake_api.requests_to("/latest.rss")
    assert "if-none-match" not in first.headers and "if-modified-since" not in first.headers
    assert second.headers["if-none-match"] == 'W/"abc"'
    assert second.headers["if-modified-since"] == modified
    assert first.headers["user-agent"] == USER_AGENT


def test_second_poll_emits_only_new_entries(fake_api: FakeAPI) -> None:
    serve(fake_api, "/latest.rss", discourse(drop_first=2), ETag='"v1"')
    serve(fake_api, "/latest.rss", discourse(), ETag='"v2"')
    src = source(fake_api, "/latest.rss")
    first, cursor = read_all(src)
    assert len(first) == 7
    second, cursor = read_all(src, cursor)
    assert [p.external_id for p in second] == [
        "forum.stackstorm.com-topic-1829",
        "forum.stackstorm.com-topic-1830",
    ]
    assert cursor["feeds"]["/latest.rss"]["etag"] == '"v2"'
    # A server that ignores validators and resends everything yields nothing new.
    serve(fake_api, "/latest.rss", discourse())
    assert read_all(src, cursor)[0] == []


def test_seen_window_is_bounded_and_keeps_what_is_still_in_the_feed(fake_api: FakeAPI) -> None:
    old = [f"old-{i}" for i in range(SEEN_WINDOW)]
    cursor = {"feeds": {"/f.rss": {"seen": old, "newest": None}}}
    serve(fake_api, "/f.rss", rss(item("old-0", "a", "a"), item("new-1", "b", "b")))
    posts, cursor = read_all(source(fake_api, "/f.rss"), cursor)
    assert [p.external_id for p in posts] == ["new-1"]
    seen = cursor["feeds"]["/f.rss"]["seen"]
    assert len(seen) == SEEN_WINDOW
    assert {"old-0", "new-1"} <= set(seen) and "old-1" not in seen


def test_one_page_per_url_each_with_every_feeds_cursor(fake_api: FakeAPI) -> None:
    serve(fake_api, "/a.rss", rss(item("a1", "A", "a")))
    serve(fake_api, "/b.atom", fixture("reviews.atom"), ATOM)
    unrelated = {"seen": ["z"], "etag": '"z"'}
    pages = list(source(fake_api, "/a.rss", "/b.atom").poll({"feeds": {"/gone.rss": unrelated}}))
    assert [len(p.posts) for p in pages] == [1, 3]
    assert pages[0].cursor and pages[1].cursor
    assert set(pages[0].cursor["feeds"]) == {"/gone.rss", "/a.rss"}
    assert set(pages[1].cursor["feeds"]) == {"/gone.rss", "/a.rss", "/b.atom"}
    assert pages[1].cursor["feeds"]["/gone.rss"] == unrelated
    assert {p.query for p in pages[0].posts} == {f"{fake_api.url}/a.rss"}


def test_feeds_take_turns_starting_the_poll(fake_api: FakeAPI) -> None:
    for path in ("/a.rss", "/b.rss"):
        fake_api.add("GET", path, Response(body=rss(), headers={"Content-Type": RSS}), sticky=True)
    src = source(fake_api, "/a.rss", "/b.rss")
    _, cursor = read_all(src)
    read_all(src, cursor)
    assert [r.path for r in fake_api.requests] == ["/a.rss", "/b.rss", "/b.rss", "/a.rss"]


def test_polled_into_the_store_twice_stores_each_entry_once(
    fake_api: FakeAPI, sqlite_store: Store
) -> None:
    serve(fake_api, "/latest.rss", discourse(drop_first=1), ETag='"v1"')
    fake_api.add("GET", "/bad.rss", Response(body="<html>oops</html>"), sticky=True)
    serve(fake_api, "/latest.rss", discourse(), ETag='"v2"')
    src = source(fake_api, "/latest.rss", "/bad.rss")

    first = poll_source(sqlite_store, src)
    assert (first.status, first.new) == ("error", 8)
    assert first.error and "/bad.rss" in first.error
    second = poll_source(sqlite_store, src)
    assert second.new == 1
    assert sqlite_store.count_posts() == 9
    cursor = sqlite_store.get_cursor("feeds")
    assert cursor and cursor["feeds"]["/latest.rss"]["etag"] == '"v2"'
    assert "/bad.rss" not in cursor["feeds"]
