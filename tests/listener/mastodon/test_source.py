"""The Mastodon source through the real Mastodon.py client over HTTP: recorded answers of a
Mastodon 4.x server, the HTML turned into text, threading, `Link` and `min_id` paging, the
instance's rate limits, and errors as one line without the token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.base import BrandSettings
from kernel.errors import AuthError, NotConfigured, Permanent, RateLimited
from kernel.models import PostKind
from listener.mastodon.settings import MastodonSourceSettings
from listener.mastodon.source import MastodonSource
from tests.httpserver import FakeAPI, Response
from tests.listener.mastodon import helpers as m

HASHTAG = "/api/v1/timelines/tag/hoot"
PARENT_ID, REPLY_ID = "117020583245459824", "117020583258292382"


def test_a_recorded_mention_becomes_a_post(fake_api: FakeAPI) -> None:
    recorded = m.recorded("test_notifications.yaml", "GET", m.NOTIFICATIONS)
    fake_api.add("GET", m.NOTIFICATIONS, recorded)  # its Link names an older page: empty
    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page([], next_max_id=None))
    source = m.make_source(fake_api, brand_handles=frozenset({"mastodonpy_test"}))
    page, end = list(source.poll(None))
    assert end.posts == () and end.cursor == {"_turn": 1, "mentions": {"min_id": "20"}}
    [post] = page.posts
    host = fake_api.url.removeprefix("http://")
    assert post.source == "mastodon" and post.external_id == "117020576916218297"
    assert post.text == "@mastodonpy_test hello!"  # the h-card's spans read as one mention
    assert post.author.handle == f"admin@{host}" and post.author.external_id
    assert post.created_at == datetime(2026, 8, 1, 13, 51, 39, 138000, tzinfo=UTC)
    assert post.url == "http://localhost:3000/@admin/117020576916218297"
    assert post.lang == "en" and post.kind is PostKind.POST and post.query == "mentions"
    assert page.cursor is None  # the backfill moves the cursor with its last page
    request, older = fake_api.requests
    assert older.param("max_id") == "20"
    assert request.query["types[]"] == ["mention"]
    assert request.headers["authorization"] == f"Bearer {m.TOKEN}"


def test_html_becomes_readable_text_with_links_breaks_warning_and_alt_text(
    fake_api: FakeAPI,
) -> None:
    html = (
        '<p>Hi <span class="h-card"><a href="https://mastodon.social/@acme" class="u-url '
        'mention">@<span>acme</span></a></span> my card was charged twice</p><p>see '
        '<a href="https://status.example.com/incidents/42" rel="nofollow noopener" '
        'target="_blank"><span class="invisible">https://</span><span class="ellipsis">'
        'status.example.com/incide</span><span class="invisible">nts/42</span></a><br>'
        "thanks &amp; regards</p>"
    )
    media = [{"id": "1", "type": "image", "description": "Bank statement with two charges"}]
    notification = m.mention(40, 400, content=html, spoiler_text="money", media_attachments=media)
    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page([notification], next_max_id=None))
    [page] = list(m.make_source(fake_api).poll(None))
    assert page.posts[0].text == (
        "CW: money\n\nHi @acme my card was charged twice\n\n"
        "see https://status.example.com/incidents/42\nthanks & regards\n"
        "[image: Bank statement with two charges]"
    )


def test_a_reply_keeps_its_parent_read_in_one_request(fake_api: FakeAPI) -> None:
    reply = m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 1).body
    parent = m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 0).body
    timeline = m.recorded("test_hashtag_tl.yaml", "GET", HASHTAG, body=[reply])
    fake_api.add("GET", HASHTAG, timeline)
    fake_api.add("GET", HASHTAG, Response(body=[]))  # the older page its Link names
    fake_api.add("GET", m.STATUSES, Response(body=[parent]))
    source = m.make_source(fake_api, mentions=False, hashtags=["#hoot"])
    page, _ = list(source.poll(None))
    [post] = page.posts
    assert post.kind is PostKind.REPLY and post.parent_id == PARENT_ID
    assert post.text == "@mastodonpy_test_2 same!" and post.query == "#hoot"
    assert post.raw["parent"]["external_id"] == PARENT_ID
    assert post.raw["parent"]["text"] == "Toot, finally!"
    assert post.raw["parent"]["author"].startswith("mastodonpy_test_2@")
    [lookup] = fake_api.requests_to(m.STATUSES)
    assert lookup.query["id[]"] == [PARENT_ID]


def test_the_first_poll_reads_back_along_link_next_then_forward_from_min_id(
    fake_api: FakeAPI,
) -> None:
    page1 = [m.mention(n, n * 10) for n in (9, 8)]
    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page(page1, next_max_id="8"))
    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page([m.mention(7, 70)], next_max_id=None))
    source = m.make_source(fake_api)
    first, last = list(source.poll(None))
    assert first.cursor is None  # the backfill moves the cursor with its last page only
    assert last.cursor == {"_turn": 1, "mentions": {"min_id": "9"}}
    assert fake_api.requests[1].param("max_id") == "8"

    newer = [m.mention(n, n * 10) for n in range(50, 10, -1)]  # a full page: read on
    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page(newer, next_max_id="11"))
    fake_api.add(
        "GET", m.NOTIFICATIONS, m.notifications_page([m.mention(51, 510)], next_max_id="51")
    )
    pages = list(source.poll(last.cursor))
    assert [len(p.posts) for p in pages] == [40, 1]
    assert [r.param("min_id") for r in fake_api.requests[2:]] == ["9", "50"]
    assert pages[0].cursor is not None and pages[0].cursor["mentions"] == {"min_id": "50"}
    assert pages[-1].cursor is not None and pages[-1].cursor["mentions"] == {"min_id": "51"}


def test_searches_page_by_the_newest_status_id(fake_api: FakeAPI) -> None:
    status = m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 0).body
    fake_api.add(
        "GET",
        "/api/v2/search",
        Response(body={"accounts": [], "statuses": [status], "hashtags": []}),
    )
    source = m.make_source(fake_api, mentions=False, queries=["acme refund"])
    [page] = list(source.poll(None))
    assert page.cursor == {"_turn": 1, "q:acme refund": {"min_id": PARENT_ID}}
    [request] = fake_api.requests
    assert request.param("q") == "acme refund" and request.param("type") == "statuses"


def test_few_requests_left_stops_before_the_next_one(fake_api: FakeAPI) -> None:
    low = m.notifications_page([m.mention(9, 90)], next_max_id="9", remaining=3)
    fake_api.add("GET", m.NOTIFICATIONS, low)
    source = m.make_source(fake_api, hashtags=["hoot"])
    pages: list = []
    with pytest.raises(RateLimited, match="3 requests left") as info:
        for page in source.poll(None):
            pages.append(page)
    [page] = pages
    assert page.rate_limit is not None and page.rate_limit.remaining == 3
    assert page.cursor is not None and page.cursor["mentions"] == {"min_id": "9"}
    assert info.value.reset_at is not None and info.value.reset_at > datetime.now(UTC)
    assert fake_api.requests_to(HASHTAG) == []  # the hashtag waits for the window


def test_a_429_is_rate_limited_until_the_reset_it_names(fake_api: FakeAPI) -> None:
    refused = m.notifications_page([], next_max_id=None, remaining=0)
    refused.status, refused.body = 429, {"error": "Too many requests"}
    fake_api.add("GET", m.NOTIFICATIONS, refused)
    with pytest.raises(RateLimited) as info:
        list(m.make_source(fake_api).poll(None))
    assert info.value.reset_at is not None and info.value.reset_at > datetime.now(UTC)


def test_a_refused_token_is_one_line_without_the_token(fake_api: FakeAPI) -> None:
    fake_api.add(
        "GET", m.NOTIFICATIONS, Response(status=401, body={"error": "The access token is invalid"})
    )
    with pytest.raises(AuthError) as info:
        list(m.make_source(fake_api).poll(None))
    message = str(info.value)
    assert "401 Unauthorized; the access token is invalid" in message and m.TOKEN not in message
    assert "\n" not in message


def test_streams_take_turns_and_a_failing_one_is_reported_after_the_others(
    fake_api: FakeAPI,
) -> None:
    fake_api.add("GET", HASHTAG, Response(status=404, body={"error": "Record not found"}))
    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page([m.mention(9, 90)], next_max_id=None))
    source = m.make_source(fake_api, hashtags=["hoot"])
    pages: list = []
    with pytest.raises(Permanent, match="not found"):
        for page in source.poll({"_turn": 1}):  # the second poll starts with the hashtag
            pages.append(page)
    [page] = pages
    assert [p.query for p in page.posts] == ["mentions"]
    assert page.cursor == {"_turn": 2, "mentions": {"min_id": "9"}}
    read = [r.path for r in fake_api.requests if r.path in (HASHTAG, m.NOTIFICATIONS)]
    assert read == [HASHTAG, m.NOTIFICATIONS]


def test_a_refused_token_stops_every_stream_at_once(fake_api: FakeAPI) -> None:
    fake_api.add("GET", m.NOTIFICATIONS, Response(status=401, body={"error": "Invalid token"}))
    with pytest.raises(AuthError):
        list(m.make_source(fake_api, hashtags=["hoot"]).poll(None))
    assert fake_api.requests_to(HASHTAG) == []


def test_from_settings_reads_the_token_and_names_it_when_missing(
    monkeypatch: pytest.MonkeyPatch, fake_api: FakeAPI
) -> None:
    settings = MastodonSourceSettings(
        name="toots",
        instance_url=fake_api.url,
        access_token_env="TEST_MASTODON_TOKEN",
        account="AcmeSupport",
        hashtags=["acme"],
    )
    monkeypatch.delenv("TEST_MASTODON_TOKEN", raising=False)
    with pytest.raises(NotConfigured, match=r"sources\[toots\]\.access_token"):
        MastodonSource.from_settings(settings, BrandSettings())
    monkeypatch.setenv("TEST_MASTODON_TOKEN", m.TOKEN)
    source = MastodonSource.from_settings(settings, BrandSettings())
    assert [s.key for s in source.streams] == ["mentions", "#acme"]
    assert "acmesupport" in source.brand.handles and m.TOKEN not in source.describe()
    assert fake_api.requests == []  # building makes no request
    source.close()


def test_nothing_to_read_is_not_configured(fake_api: FakeAPI) -> None:
    with pytest.raises(NotConfigured, match="mentions: true, hashtags or queries"):
        m.make_source(fake_api, mentions=False)
