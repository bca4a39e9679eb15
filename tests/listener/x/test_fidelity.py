"""A post's text is what a person reading it on X reads: entities, long posts, retweets, media."""

from __future__ import annotations

import json
from typing import Any

from kernel.models import Page
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import SEARCH, by_id, collect, make_source, response

QUERY = "acme"


def test_html_entities_are_unescaped(fake_api: FakeAPI) -> None:
    post = by_id(_collect(fake_api))["1896000000000000010"]
    assert post.text == "everything & everyone at @AcmeSupport is <great> today"


def test_long_posts_are_read_whole_from_note_tweet(fake_api: FakeAPI) -> None:
    post = by_id(_collect(fake_api))["1896000000000000011"]
    assert len(post.text) == 437 and "…" not in post.text
    assert post.text.endswith("Quero o estorno <hoje>.") and "&amp;" not in post.text
    request = fake_api.requests_to(SEARCH)[0]
    assert "note_tweet" in (request.param("tweet.fields") or "").split(",")
    assert "attachments.media_keys" in (request.param("expansions") or "").split(",")


def test_retweet_keeps_the_whole_original_and_brand_echoes_are_dropped(
    fake_api: FakeAPI,
) -> None:
    posts = by_id(_collect(fake_api, include_retweets=True))
    retweet = posts["1896000000000000012"]
    assert retweet.text.startswith("RT @ana_lima: Thread on why the Acme card app")
    assert retweet.text.endswith("every time I switch networks,") and "&amp;" not in retweet.text
    assert retweet.raw["media"] == [
        {"type": "photo", "url": "https://pbs.twimg.com/media/Fx3Example.jpg", "alt_text": None}
    ]
    # A retweet of the brand's own post is its echo, not a customer's words.
    assert "1896000000000000013" not in posts
    quote = posts["1896000000000000014"]
    assert quote.text == "this is not what you promised https://t.co/q1"
    assert quote.raw["quotes_brand"] is True
    assert quote.raw["referenced"][0]["author_id"] == "1487212150346592258"


def test_media_urls_are_kept_for_the_agent(fake_api: FakeAPI) -> None:
    post = by_id(_collect(fake_api))["1896000000000000015"]
    assert post.raw["media"] == [
        {
            "type": "photo",
            "url": "https://pbs.twimg.com/media/Fx1Example.jpg",
            "alt_text": "screenshot of an empty balance",
        },
        {
            "type": "video",
            "url": "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/Fx2Example.jpg",
            "alt_text": None,
        },
    ]
    json.dumps(post.raw)


def test_language_codes_are_normalised(fake_api: FakeAPI) -> None:
    posts = by_id(_collect(fake_api))
    assert posts["1896000000000000015"].lang == "id"  # X's "in"
    assert posts["1896000000000000016"].lang == "he"  # X's "iw"
    assert posts["1896000000000000017"].lang is None  # "qht": only hashtags
    assert posts["1896000000000000010"].lang == "en"


def _collect(fake_api: FakeAPI, **kwargs: Any) -> list[Page]:
    fake_api.add("GET", SEARCH, response("fidelity.search_recent.json"))
    source = make_source(fake_api, mentions=False, queries=[QUERY], max_pages=1, **kwargs)
    return collect(source)
