"""FeedSource against a real HTTP server (FakeAPI) serving recorded and hand-written feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config.schema import BrandSettings
from config.sources import FeedSourceSettings
from listener.feed import SEEN_WINDOW, USER_AGENT, FeedSource
from listener.registry import build_source
from tests.httpserver import FakeAPI, Response
from triage.errors import (
    AuthError,
    MalformedPayload,
    NotConfigured,
    Permanent,
    RateLimited,
    TransientError,
)
from triage.models import MAX_TEXT_CHARS, Page, Post
from triage.polling import poll_source
from triage.storage import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def discourse(*, drop_first: int = 0) -> bytes:
    """The recorded Discourse feed, optionally without its newest topics (an older snapshot)."""
    body = fixture("discourse_latest.rss").decode("utf-8")
    for _ in range(drop_first):
        start = body.index("<item>")
        body = body[:start] + body[body.index("</item>", start) + len("</item>") :]
    return body.encode("utf-8")


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Acme blog</title>'
        "<link>https://blog.example.com/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")


def item(guid: str, title: str, description: str, **extra: str) -> str:
    fields = "".join(
        f"<{k.replace('_', ':')}>{v}</{k.replace('_', ':')}>" for k, v in extra.items()
    )
    return (
        f'<item><title>{title}</title><guid isPermaLink="false">{guid}</guid>'
        f"<description><![CDATA[{description}]]></description>{fields}</item>"
    )


def serve(api: FakeAPI, path: str, body: bytes, content_type: str = RSS, **headers: str) -> None:
    api.add("GET", path, Response(body=body, headers={"Content-Type": content_type, **headers}))


def source(api: FakeAPI, *paths: str, **kwargs: Any) -> FeedSource:
    kwargs.setdefault("platform", "forum")
    return FeedSource(name="feeds", urls=list(paths), base_url=api.url, **kwargs)


def read_all(src: FeedSource, cursor: dict[str, Any] | None = None) -> tuple[list[Post], Any]:
    posts: list[Post] = []
    for page in src.poll(cursor):
        posts.extend(page.posts)
        cursor = page.cursor
    return posts, cursor


def collect(src: FeedSource, cursor: dict[str, Any] | None = None) -> tuple[list[Page], Any]:
    """Pages yielded before the poll raised, and the error."""
    pages: list[Page] = []
    with pytest.raises(Exception) as caught:
        for page in src.poll(cursor):
            pages.append(page)
    return pages, caught.value


# --- parsing --------------------------------------------------------------------------------


def test_discourse_rss_topics_become_posts(fake_api: FakeAPI) -> None:
    serve(fake_api, "/latest.rss", discourse())
    posts, cursor = read_all(source(fake_api, "/latest.rss"))

    assert len(posts) == 9
    by_id = {p.external_id: p for p in posts}
    post = by_id["forum.stackstorm.com-topic-1830"]
    assert post.source == "forum"
    assert post.url == "https://forum.stackstorm.com/t/example-of-datetimer/1830"
    assert post.author.handle == "smeds" and not post.author.is_brand
    assert post.conversation_id == "1830"
    assert post.created_at == datetime(2021, 8, 27, 7, 42, 33, tzinfo=UTC)
    assert post.query == f"{fake_api.url}/latest.rss"
    assert post.text == (
        "Example of DateTimer\n\nHi!\n\n"
        "Could someone point me to any good example where a DateTimer trigger is used?"
    )
    assert post.raw["tags"][0]["term"] == "Uncategorized"
    assert post.raw["discourse_topicpinned"] == "No"
    json.dumps([p.raw for p in posts])  # stored as JSON
    assert [p.created_at for p in posts] == sorted(p.created_at for p in posts)
    # Discourse's "N posts - N participants" / "Read full topic" footer is not the post.
    assert not any("Read full topic" in p.text or "participant" in p.text for p in posts)
    # Entities in titles are decoded, code blocks keep their lines.
    assert by_id["forum.stackstorm.com-topic-1811"].text.startswith(
        'Must either be a string or None. Got \\"list\\"."\n\nHi All,'
    )
    assert "parameters:\nparam_a_1:\ntype: object" in by_id["forum.stackstorm.com-topic-1814"].text
    assert {p.author.handle for p in posts} >= {"smeds", "Bryan", "rameshar16", "sarthak1996"}
    assert cursor["feeds"]["/latest.rss"]["newest"] == "2021-08-27T07:42:33+00:00"


def test_atom_feed_with_html_xhtml_and_text_content(fake_api: FakeAPI) -> None:
    serve(fake_api, "/acme/reviews.atom", fixture("reviews.atom"), ATOM)
    src = source(fake_api, "/acme/reviews.atom", brand_handles=frozenset({"acmesupport"}))
    posts, _ = read_all(src)
    by_id = {p.external_id.rsplit(":", 1)[1]: p for p in posts}

    angry = by_id["review-101"]
    assert angry.text == (
        "Charged twice 😡\n\nFui cobrada duas vezes este mês & ninguém responde.\n"
        "Péssimo 👎\n\n:angry: Resolvam!"
    )
    assert "alert" not in angry.text and "<" not in angry.text
    assert angry.author.handle == "Joana Silva" and not angry.author.is_brand
    assert angry.created_at == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)  # published wins
    assert angry.lang == "en"
    assert angry.conversation_id == angry.external_id

    thanks = by_id["review-102"]
    assert thanks.author.is_brand
    assert thanks.url == f"{fake_api.url}/acme/reviews/102"  # relative link resolved
    assert thanks.created_at == datetime(2026, 11, 21, 9, 30, tzinfo=UTC)  # updated only
    assert thanks.text.endswith("1 < 2 and that is plain text.")

    logout = by_id["review-103"]
    assert logout.author.handle == "unknown"
    assert logout.created_at == datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
    assert logout.text == "App logs me out\n\nEvery morning I have to log in again.\n\niOS 18\nv4.2"


def test_rss_without_guid_author_or_date(fake_api: FakeAPI) -> None:
    body = rss(
        "<item><title>Link only</title><link>/posts/7</link><description>x</description></item>",
        "<item><title>Nothing to go by</title><description>just text</description></item>",
        item("g-3", "By e-mail", "hi", author="jo@example.com (Jo Bloggs)"),
    )
    serve(fake_api, "/blog.rss", body)
    before = datetime.now(UTC)
    posts, cursor = read_all(source(fake_api, "/blog.rss"))
    mailed, link_only, bare = sorted(posts, key=lambda p: p.text)
    assert link_only.external_id == link_only.url == f"{fake_api.url}/posts/7"
    assert bare.external_id.startswith("sha1:") and bare.url is None
    assert bare.created_at >= before and bare.author.handle == "unknown"
    assert mailed.author.handle == "Jo Bloggs"
    assert "jo@example.com" not in mailed.author.handle

    # The content hash is stable, so the bare entry is recognised on the next read.
    serve(fake_api, "/blog.rss", body)
    assert read_all(source(fake_api, "/blog.rss"), cursor)[0] == []


def test_html_is_stripped_and_emoji_kept(fake_api: FakeAPI) -> None:
    html = (
        "<p>Card&nbsp;<b>declined</b> again 💳🙄</p><style>p{color:red}</style>"
        "<script>steal()</script><ul><li>one</li><li>two &amp; three</li></ul>"
        '<img class="emoji" alt="🔥" src="x.png"><img alt="photo" src="y.png">'
    )
    serve(fake_api, "/f.rss", rss(item("e1", "Help 🙏 &lt;urgent&gt;", html)))
    [post], _ = read_all(source(fake_api, "/f.rss"))
    assert post.text == "Help 🙏 <urgent>\n\nCard declined again 💳🙄\n\none\ntwo & three\n\n🔥"


def test_long_text_is_truncated_by_clean_text(fake_api: FakeAPI) -> None:
    serve(fake_api, "/f.rss", rss(item("long", "Long", "<p>" + "a" * 50_000 + "</p>")))
    [post], _ = read_all(source(fake_api, "/f.rss"))
    assert len(post.text) == MAX_TEXT_CHARS
    assert post.raw["_truncated_from"] == len("Long\n\n") + 50_000


def test_brand_authors_from_settings_are_marked(fake_api: FakeAPI) -> None:
    settings = FeedSourceSettings(
        name="forum",
        urls=["/latest.rss"],
        base_url=fake_api.url,
        brand_authors=["@Bryan"],
    )
    src = build_source(settings, BrandSettings(handles=["acme"]))
    assert isinstance(src, FeedSource)
    serve(fake_api, "/latest.rss", discourse())
    posts, _ = read_all(src)
    assert {p.author.handle for p in posts if p.author.is_brand} == {"Bryan"}
    assert {p.source for p in posts} == {"forum"}  # the source name when no platform is set


def test_relative_url_without_base_url_is_not_configured() -> None:
    with pytest.raises(NotConfigured, match=r"sources\[f\]\.base_url.*'/latest.rss'"):
        FeedSource(name="f", urls=["/latest.rss"])


# --- cursor -------------------------------------------------------------------------------------


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


# --- errors -------------------------------------------------------------------------------------


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
    monkeypatch.setattr("listener.feed.MAX_FEED_BYTES", len(body) - 1)
    serve(fake_api, "/latest.rss", body)
    _, error = collect(source(fake_api, "/latest.rss"))
    assert isinstance(error, MalformedPayload)
    assert f"larger than {len(body) - 1} bytes" in str(error)


def test_not_found_is_permanent(fake_api: FakeAPI) -> None:
    _, error = collect(source(fake_api, "/missing.rss"))  # FakeAPI answers 404
    assert isinstance(error, Permanent) and not isinstance(error, AuthError | MalformedPayload)
    assert "HTTP 404" in str(error) and "/missing.rss" in str(error)


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
