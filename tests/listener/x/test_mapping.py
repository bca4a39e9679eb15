"""The X source maps tweets, their authors and metrics to posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from kernel.models import MAX_TEXT_CHARS, PostKind
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import (
    BRAND_ID,
    MENTIONS,
    by_id,
    collect,
    make_source,
    response,
)


def test_maps_a_reply_with_author_thread_and_emoji(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    post = by_id(collect(make_source(fake_api, max_pages=1)))["1790000000000000009"]

    assert post.source == "x" and post.kind is PostKind.REPLY
    assert post.text == "@AcmeSupport meu cartão foi cobrado duas vezes 😡🙏🏽 alguém pode ajudar?"
    assert post.url == "https://x.com/maria_silva/status/1790000000000000009"
    assert post.created_at == datetime(2024, 5, 13, 10, 5, tzinfo=UTC)
    assert post.lang == "pt"
    assert post.conversation_id == post.parent_id == "1790000000000000001"
    assert post.query == "mentions"
    author = post.author
    assert (author.handle, author.name, author.followers) == ("maria_silva", "Maria Silva 🌻", 312)
    assert author.verified is False and author.is_brand is False
    assert author.external_id == "1379899464345923590"
    assert post.raw["tweet"]["id"] == post.external_id
    assert post.raw["author"]["username"] == "maria_silva"
    assert post.raw["referenced"][0]["author_id"] == BRAND_ID  # the parent, for context
    assert post.raw["metrics"] == {
        "repost_count": 2,
        "reply_count": 1,
        "like_count": 7,
        "quote_count": 0,
    }
    json.dumps(post.raw)  # storable as it is


def test_plain_post_and_both_public_metrics_naming_sets(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    posts = by_id(collect(make_source(fake_api)))

    old_names = posts["1790000000000000006"]
    assert old_names.kind is PostKind.POST and old_names.parent_id is None
    assert old_names.author.verified is True and old_names.author.followers == 120455
    assert old_names.raw["metrics"]["repost_count"] == 104

    new_names = posts["1790000000000000005"]
    assert new_names.raw["metrics"] == {
        "repost_count": 3,
        "reply_count": 0,
        "like_count": 4,
        "quote_count": 1,
        "bookmark_count": 0,
        "impression_count": 512,
    }
    assert new_names.author.verified is True  # verified_type "blue", no `verified` key

    missing_author = posts["1790000000000000003"]
    assert missing_author.author.handle == "unknown"
    assert missing_author.author.external_id == "999999999999999999"
    assert missing_author.url == "https://x.com/i/web/status/1790000000000000003"
    assert missing_author.lang is None  # "qme": media only, not a language


def test_brand_posts_are_kept_and_marked_by_id_and_by_handle(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    fake_api.add("GET", MENTIONS, response("mentions_page2.json"))
    posts = by_id(collect(make_source(fake_api)))
    by_brand_id = posts["1790000000000000008"]
    assert by_brand_id.author.is_brand and by_brand_id.author.handle == "AcmeSupport"
    by_handle = posts["1790000000000000004"]  # @acmehelp: a brand handle, another user id
    assert by_handle.author.is_brand and by_handle.kind is PostKind.REPLY
    assert sum(p.author.is_brand for p in posts.values()) == 2


def test_retweets_are_skipped_unless_asked_for(fake_api: FakeAPI) -> None:
    retweet = "1790000000000000007"
    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    assert retweet not in by_id(collect(make_source(fake_api, max_pages=1)))

    fake_api.add("GET", MENTIONS, response("mentions_page1.json"))
    kept = by_id(collect(make_source(fake_api, max_pages=1, include_retweets=True)))
    # This one retweets the brand's own post: its echo, never stored (test_x_fidelity.py
    # covers the retweets of other people's posts that include_retweets keeps).
    assert retweet not in kept and len(kept) == 3


def test_long_text_is_truncated_and_recorded(fake_api: FakeAPI) -> None:
    page = response("mentions_page1.json")
    long_text = "🙂 socorro " * 5_000  # 50,000 characters
    page.body["data"][0]["text"] = long_text
    fake_api.add("GET", MENTIONS, page)
    post = by_id(collect(make_source(fake_api, max_pages=1)))["1790000000000000009"]
    assert len(post.text) == MAX_TEXT_CHARS and post.text.startswith("🙂 socorro")
    assert post.raw["_truncated_from"] == len(long_text)


def test_real_recorded_page_without_expansions_or_created_at(fake_api: FakeAPI) -> None:
    """tweepy's own cassette: no includes and no created_at; the snowflake id has the time."""
    fake_api.add("GET", MENTIONS, response("mentions.tweepy_cassette.json"))
    pages = collect(make_source(fake_api, max_pages=1))
    posts = pages[0].posts
    assert len(posts) == 10 and all(p.author.handle == "unknown" for p in posts)
    assert posts[0].created_at.date() == datetime(2022, 10, 7, tzinfo=UTC).date()
    assert "🤨" in by_id(pages)["1578516220231397376"].text
    assert pages[0].rate_limit is not None and pages[0].rate_limit.limit == 450


def test_docs_example_page(fake_api: FakeAPI) -> None:
    fake_api.add("GET", MENTIONS, response("mentions.docs_example.json"))
    page = collect(make_source(fake_api, max_pages=1))[0]
    (post,) = page.posts
    assert post.author.handle == "developer" and post.author.name == "Dev Person"
    assert page.cursor is not None
    assert page.cursor["mentions"]["next_token"] == "t3buvdr5pujq9g7bggsnf3ep2ha28"
