"""The Bluesky source through the real atproto client over HTTP: login with the app password,
notifications and searches paged newest first with their cursors, facets as readable text,
alt text, the thread's parent and root kept, rate limits, and errors as one line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.base import BrandSettings
from kernel.errors import AuthError, NotConfigured, Permanent, RateLimited
from kernel.models import Page, PostKind
from listener.bluesky.parse import LINK, TAG, facet_text
from listener.bluesky.settings import BlueskySourceSettings
from listener.bluesky.source import BlueskySource
from tests.httpserver import FakeAPI, Response
from tests.listener.bluesky import helpers as b

MARIA = "at://did:plc:maria3x7yq2l5kzt6f4rbwdu/app.bsky.feed.post/3lcmaria0001a"
JOAO_REPLY = "at://did:plc:joao5b2nq4w7hxk3m6tzc1pa/app.bsky.feed.post/3lcjoao00005a"
LEE_QUOTE = "at://did:plc:lee7d4kq2z8v3n5r6wx1ycmb/app.bsky.feed.post/3lclee000003a"
BRAND_POST = "at://did:plc:acmebrand7kzq2vx4mvyxs3ld/app.bsky.feed.post/3lbrandpost2a"
LEE_POST = "at://did:plc:lee7d4kq2z8v3n5r6wx1ycmb/app.bsky.feed.post/3lclee000004a"


def two_pages(api: FakeAPI) -> list[Page]:
    b.logged_in(api)
    api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page1.json"))
    api.add("GET", b.GET_POSTS, b.response("get_posts.json"), sticky=True)
    api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page2.json"))
    source = b.make_source(api)
    pages = list(source.poll(None))
    source.close()
    return pages


def test_logs_in_with_the_app_password_once(fake_api: FakeAPI) -> None:
    two_pages(fake_api)
    [login] = fake_api.requests_to(b.LOGIN)
    assert b'"identifier":"acme.bsky.social"' in login.body
    listed = fake_api.requests_to(b.NOTIFICATIONS)
    assert all(r.headers["authorization"].startswith("Bearer ey") for r in listed)
    assert listed[0].query["reasons"] == ["mention", "reply", "quote"]
    assert listed[1].param("cursor") == "1764583500700::bafyreiaqtvhz3lee"


def test_a_reply_reads_as_the_app_shows_it_with_its_thread(fake_api: FakeAPI) -> None:
    posts = {p.external_id: p for page in two_pages(fake_api) for p in page.posts}
    post = posts[MARIA]
    assert post.source == "bluesky" and post.kind is PostKind.REPLY
    assert post.text == (
        "@acme.bsky.social meu pedido não chegou 😡 "
        "https://status.acme.example/orders/12345?utm=bsky #ajuda\n"
        "[image: Captura da página de rastreio: pedido parado há 9 dias]"
    )
    assert post.author.handle == "maria.bsky.social" and post.author.name == "Maria Silva"
    assert post.author.external_id == "did:plc:maria3x7yq2l5kzt6f4rbwdu"
    assert post.url == "https://bsky.app/profile/maria.bsky.social/post/3lcmaria0001a"
    assert post.parent_id == BRAND_POST and post.conversation_id == BRAND_POST
    assert post.created_at == datetime(2026, 12, 1, 10, 15, tzinfo=UTC) and post.lang == "pt"
    assert post.raw["reason"] == "reply" and post.raw["cid"]
    assert post.raw["parent"]["text"].startswith("Estamos com atraso")
    assert post.raw["parent"]["author"] == "acme.bsky.social"

    deeper = posts[JOAO_REPLY]  # answers another customer, in the brand's thread
    assert deeper.parent_id == LEE_POST and deeper.conversation_id == BRAND_POST
    assert deeper.raw["parent"]["text"] == "I was charged twice for one order"
    assert deeper.raw["root"]["external_id"] == BRAND_POST
    quote = posts[LEE_QUOTE]
    assert quote.raw["quoted"]["external_id"] == BRAND_POST  # read with the thread
    assert quote.text == "Finally an answer from Acme, 3 days later"
    looked_up = fake_api.requests_to(b.GET_POSTS)[0].query["uris"]
    assert looked_up == [BRAND_POST]  # the parent, the root and the quote are one post


def test_the_cursor_moves_after_the_run_and_a_second_poll_stores_nothing(
    fake_api: FakeAPI,
) -> None:
    first, last = two_pages(fake_api)
    assert first.cursor is not None and first.cursor["notifications"] == {
        "cursor": "1764583500700::bafyreiaqtvhz3lee",
        "newest": "2026-12-01T10:15:01.200000+00:00",
    }
    assert last.cursor is not None
    assert last.cursor["notifications"] == {"since": "2026-12-01T10:15:01.200000+00:00"}

    b.logged_in(fake_api)
    fake_api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page1.json"))
    source = b.make_source(fake_api)
    [again] = list(source.poll(last.cursor))  # older items on the page: the run ends there
    assert (
        again.cursor is not None and again.cursor["notifications"] == last.cursor["notifications"]
    )


def test_searches_ask_for_posts_since_the_cursor(fake_api: FakeAPI) -> None:
    b.logged_in(fake_api)
    fake_api.add(
        "GET",
        b.SEARCH,
        b.response("search_posts.json", body={**b.body("search_posts.json"), "cursor": None}),
    )
    source = b.make_source(fake_api, mentions=False, queries=["acme double charged"])
    cursor = {"q:acme double charged": {"since": "2026-12-01T10:00:00+00:00"}}
    [page] = list(source.poll(cursor))
    [request] = fake_api.requests_to(b.SEARCH)
    assert request.param("q") == "acme double charged" and request.param("sort") == "latest"
    assert request.param("since") == "2026-12-01T10:00:00.000000Z"
    first, quote = page.posts
    assert first.text == "anyone else getting double charged by acme? https://acme.example/help"
    assert quote.raw["quoted"]["text"] == "test"  # the real post view's quoted post
    assert quote.text == ""  # the real post: an image without alt text, quoting another
    assert first.raw["likeCount"] == 2 and page.cursor is not None
    # a search sorts by the earlier of the record's time and the index time
    assert page.cursor["q:acme double charged"] == {"since": "2026-12-01T11:00:00+00:00"}


def test_few_requests_left_stops_before_the_next_one(fake_api: FakeAPI) -> None:
    b.logged_in(fake_api)
    low = b.response("list_notifications_page1.json")
    low.headers["ratelimit-remaining"] = "2"
    fake_api.add("GET", b.NOTIFICATIONS, low)
    fake_api.add("GET", b.GET_POSTS, b.response("get_posts.json"))
    source = b.make_source(fake_api, queries=["acme"])
    pages: list[Page] = []
    with pytest.raises(RateLimited, match="2 requests left") as info:
        for page in source.poll(None):
            pages.append(page)
    [page] = pages
    assert page.rate_limit is not None and page.rate_limit.remaining == 2
    assert info.value.reset_at is not None and info.value.reset_at > datetime.now(UTC)
    assert fake_api.requests_to(b.SEARCH) == [] and fake_api.requests_to(b.GET_POSTS) == []


def test_a_429_waits_for_the_reset_it_names(fake_api: FakeAPI) -> None:
    b.logged_in(fake_api)
    fake_api.add("GET", b.NOTIFICATIONS, b.response("error_429.json"))
    with pytest.raises(RateLimited) as info:
        list(b.make_source(fake_api).poll(None))
    assert info.value.reset_at is not None and info.value.reset_at > datetime.now(UTC)


def test_a_refused_app_password_is_one_line_without_it(fake_api: FakeAPI) -> None:
    fake_api.add("POST", b.LOGIN, b.response("error_401_login.json"))
    with pytest.raises(AuthError) as info:
        list(b.make_source(fake_api).poll(None))
    message = str(info.value)
    assert "createSession" in message and "Invalid identifier or password" in message
    assert b.PASSWORD not in message and "\n" not in message


def test_an_expired_session_logs_in_again_once(fake_api: FakeAPI) -> None:
    b.logged_in(fake_api)
    fake_api.add("GET", b.NOTIFICATIONS, b.response("error_400_expired.json"))
    b.logged_in(fake_api)
    fake_api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page2.json"))
    fake_api.add("GET", b.GET_POSTS, b.response("get_posts.json"))
    [page] = list(b.make_source(fake_api).poll(None))
    assert len(page.posts) == 2 and len(fake_api.requests_to(b.LOGIN)) == 2


def test_streams_take_turns_and_a_failing_one_is_reported_after_the_others(
    fake_api: FakeAPI,
) -> None:
    b.logged_in(fake_api)
    refused = Response(status=400, body={"error": "InvalidRequest", "message": "bad query"})
    fake_api.add("GET", b.SEARCH, refused)
    fake_api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page2.json"))
    fake_api.add("GET", b.GET_POSTS, b.response("get_posts.json"), sticky=True)
    source = b.make_source(fake_api, queries=["acme"])
    pages: list[Page] = []
    with pytest.raises(Permanent, match="InvalidRequest: bad query"):
        for page in source.poll({"_turn": 1}):  # the second poll starts with the search
            pages.append(page)
    [page] = pages
    assert page.posts and {p.query for p in page.posts} == {"notifications"}
    assert page.cursor is not None and page.cursor["_turn"] == 2 and "q:acme" not in page.cursor
    read = [r.path for r in fake_api.requests if r.path in (b.SEARCH, b.NOTIFICATIONS)]
    assert read == [b.SEARCH, b.NOTIFICATIONS]


def test_from_settings_reads_the_app_password_and_names_it_when_missing(
    monkeypatch: pytest.MonkeyPatch, fake_api: FakeAPI
) -> None:
    settings = BlueskySourceSettings(
        name="sky",
        service_url=fake_api.url,
        handle="@acme.bsky.social",
        app_password_env="TEST_BSKY_PASSWORD",
        queries=["acme"],
    )
    monkeypatch.delenv("TEST_BSKY_PASSWORD", raising=False)
    with pytest.raises(NotConfigured, match=r"sources\[sky\]\.app_password"):
        BlueskySource.from_settings(settings, BrandSettings())
    monkeypatch.setenv("TEST_BSKY_PASSWORD", b.PASSWORD)
    source = BlueskySource.from_settings(settings, BrandSettings())
    assert source.streams == ["notifications", "q:acme"]
    assert "acme.bsky.social" in source.handles and b.PASSWORD not in source.describe()
    assert fake_api.requests == []  # building makes no request (no login yet)
    source.close()


def test_nothing_to_read_is_not_configured(fake_api: FakeAPI) -> None:
    with pytest.raises(NotConfigured, match="mentions: true or queries"):
        b.make_source(fake_api, mentions=False)


def test_facets_are_byte_ranges_and_bad_ones_are_ignored() -> None:
    text = "olá 😀 acme.example/a... veja"
    start = len("olá 😀 ".encode())
    link = {
        "index": {"byteStart": start, "byteEnd": start + len(b"acme.example/a...")},
        "features": [{"$type": LINK, "uri": "https://acme.example/a/b"}],
    }
    broken = {"index": {"byteStart": 5, "byteEnd": 999}, "features": [{"$type": LINK, "uri": "x"}]}
    tag = {"index": {"byteStart": 0, "byteEnd": 4}, "features": [{"$type": TAG, "tag": "ola"}]}
    assert facet_text(text, [link, broken]) == "olá 😀 https://acme.example/a/b veja"
    assert facet_text(text, [tag]) == "#ola 😀 acme.example/a... veja"  # a tag shown without #
