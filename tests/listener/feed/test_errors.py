"""Feed failures: malformed bodies, rate limits, auth, outages and oversized feeds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kernel.errors import (
    AuthError,
    MalformedPayload,
    Permanent,
    RateLimited,
    TransientError,
)
from listener.feed.source import FeedSource
from tests.httpserver import FakeAPI, Response
from tests.listener.feed.helpers import (
    collect,
    discourse,
    item,
    rss,
    serve,
    source,
)


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><head><title>Log in</title></head><body><div>x<br></div>",
        b"<html><body><p>Maintenance</p></body></html>",
        b'{"error": "not here"}',
        b"",
        b"\x00\x01\x02garbage",
    ],
)
def test_malformed_body_does_not_move_that_feeds_cursor(fake_api: FakeAPI, body: bytes) -> None:
    serve(fake_api, "/a.rss", rss(item("a1", "A", "a")))
    fake_api.add("GET", "/bad.rss", Response(body=body, headers={"Content-Type": "text/html"}))
    before = {"feeds": {"/bad.rss": {"etag": '"old"', "seen": ["x"], "newest": None}}}
    pages, error = collect(source(fake_api, "/a.rss", "/bad.rss"), before)
    assert isinstance(error, MalformedPayload)
    assert "'feeds'" in str(error) and f"{fake_api.url}/bad.rss" in str(error)
    assert "\n" not in str(error)
    # The good feed's page was yielded first and is kept; the bad feed's entry is untouched.
    assert [len(p.posts) for p in pages] == [1]
    assert pages[0].cursor and pages[0].cursor["feeds"]["/bad.rss"] == before["feeds"]["/bad.rss"]


def test_failing_feed_first_does_not_stop_the_others(fake_api: FakeAPI) -> None:
    fake_api.add("GET", "/down.rss", Response(status=502, body="bad gateway"))
    serve(fake_api, "/ok.rss", rss(item("o1", "O", "o")))
    pages, error = collect(source(fake_api, "/down.rss", "/ok.rss"))
    assert isinstance(error, TransientError) and "HTTP 502" in str(error)
    assert [p.external_id for page in pages for p in page.posts] == ["o1"]
    assert pages[0].cursor and "/down.rss" not in pages[0].cursor["feeds"]


def test_429_with_retry_after_seconds(fake_api: FakeAPI) -> None:
    fake_api.add(
        "GET", "/f.rss", Response(status=429, body="slow down", headers={"Retry-After": "120"})
    )
    pages, error = collect(source(fake_api, "/f.rss"))
    assert pages == []
    assert isinstance(error, RateLimited) and error.reset_at is not None
    assert error.reset_at > datetime.now(UTC)


def test_503_with_retry_after_date_is_a_rate_limit(fake_api: FakeAPI) -> None:
    headers = {"Retry-After": "Wed, 21 Oct 2037 07:28:00 GMT"}
    fake_api.add("GET", "/f.rss", Response(status=503, body="busy", headers=headers))
    _, error = collect(source(fake_api, "/f.rss"))
    assert isinstance(error, RateLimited)
    assert error.reset_at == datetime(2037, 10, 21, 7, 28, tzinfo=UTC)


def test_rate_limit_skips_the_hosts_other_feeds(fake_api: FakeAPI) -> None:
    fake_api.add("GET", "/a.rss", Response(status=429, headers={"Retry-After": "60"}))
    _, error = collect(source(fake_api, "/a.rss", "/b.rss"))
    assert isinstance(error, RateLimited)
    assert [r.path for r in fake_api.requests] == ["/a.rss"]


def test_503_without_retry_after_is_transient(fake_api: FakeAPI) -> None:
    fake_api.add("GET", "/f.rss", Response(status=503, body="down"))
    _, error = collect(source(fake_api, "/f.rss"))
    assert isinstance(error, TransientError) and not isinstance(error, RateLimited)


@pytest.mark.parametrize("status", [401, 403])
def test_auth_refused_names_the_url(fake_api: FakeAPI, status: int) -> None:
    fake_api.add("GET", "/private.rss", Response(status=status, body="no"))
    _, error = collect(source(fake_api, "/private.rss"))
    assert isinstance(error, AuthError)
    message = str(error)
    assert f"{fake_api.url}/private.rss" in message and f"HTTP {status}" in message
    assert "\n" not in message


def test_auth_error_outranks_other_failures(fake_api: FakeAPI) -> None:
    fake_api.add("GET", "/a.rss", Response(status=500))
    fake_api.add("GET", "/b.rss", Response(status=401))
    _, error = collect(source(fake_api, "/a.rss", "/b.rss"))
    assert isinstance(error, AuthError) and "1 more failing feeds" in str(error)


def test_connection_refused_is_transient() -> None:
    closed = FakeAPI().start()
    url = closed.url
    closed.stop()
    src = FeedSource(name="f", urls=[f"{url}/f.rss"], timeout_seconds=5)
    _, error = collect(src)
    assert isinstance(error, TransientError) and f"{url}/f.rss" in str(error)


def test_binary_entry_is_skipped_with_a_reason_and_the_rest_kept(fake_api: FakeAPI) -> None:
    blob = "\x00\x01\x02\x03" * 20
    serve(fake_api, "/f.rss", rss(item("bin", "Blob", blob), item("ok", "Fine", "<p>fine</p>")))
    src = source(fake_api, "/f.rss")
    [page] = list(src.poll(None))
    assert [p.external_id for p in page.posts] == ["ok"]
    [reason] = page.skipped
    assert "'bin'" in reason and "binary content" in reason and "/f.rss" in reason
    # Reported once, not on every poll.
    assert page.cursor and "bin" in page.cursor["feeds"]["/f.rss"]["seen"]


def test_oversized_feed_is_refused(fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    body = discourse()
    # One byte over, so the whole body has arrived when it is refused (no reset connection).
    monkeypatch.setattr("listener.feed.source.MAX_FEED_BYTES", len(body) - 1)
    serve(fake_api, "/latest.rss", body)
    _, error = collect(source(fake_api, "/latest.rss"))
    assert isinstance(error, MalformedPayload)
    assert f"larger than {len(body) - 1} bytes" in str(error)


def test_not_found_is_permanent(fake_api: FakeAPI) -> None:
    _, error = collect(source(fake_api, "/missing.rss"))  # FakeAPI answers 404
    assert isinstance(error, Permanent) and not isinstance(error, AuthError | MalformedPayload)
    assert "HTTP 404" in str(error) and "/missing.rss" in str(error)
