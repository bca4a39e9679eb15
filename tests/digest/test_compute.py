"""Digest numbers on fixture data with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kernel.period import Window, parse_period
from tests.digest.helpers import at, seed
from triage.digest.compute import build_digest, choose_window, net_sentiment
from triage.digest.render import render_csv, source_name
from triage.storage import Store
from triage.storage.digest_reads import DigestReads, PostFilter, engagement

ROWS = [
    # the current period: 2026-11-10 .. 2026-11-17 (7 days)
    {"text": "outage again", "created_at": at(10), "sentiment": "negative", "route": "helpdesk",
     "intents": {"outage": 0.9, "billing": 0.1},
     "raw": {"metrics": {"like_count": 40, "retweet_count": 10}}},
    {"text": "bill is wrong", "created_at": at(10, 18), "sentiment": "negative",
     "route": "private_dm", "intents": {"billing": 0.8}, "raw": {"metrics": {"like_count": 3}}},
    {"text": "love the new plan", "created_at": at(12), "sentiment": "positive",
     "route": "public_reply", "intents": {"praise": 0.95}},
    {"text": "how do I port my number", "created_at": at(12, 9), "sentiment": "neutral",
     "route": "public_reply", "intents": {"question": 0.7, "billing": 0.6}, "source": "reddit",
     "raw": {"score": 120, "num_comments": 15}},
    {"text": "no signal downtown", "created_at": at(16, 23, 59), "sentiment": "negative",
     "route": "helpdesk", "intents": {"outage": 0.8}, "source": "reddit", "lang": "en"},
    {"text": "not classified yet", "created_at": at(16, 1), "source": "forum"},
    # the brand's own post: never counted
    {"text": "we are on it", "created_at": at(11), "sentiment": "neutral", "is_brand": True,
     "handle": "acmehelp"},
    # the previous period: 2026-11-03 .. 2026-11-10
    {"text": "great service", "created_at": at(5), "sentiment": "positive"},
    {"text": "meh", "created_at": at(9, 23), "sentiment": "neutral"},
    # after the period
    {"text": "tomorrow", "created_at": at(17, 0, 0), "sentiment": "negative"},
]  # fmt: skip


@pytest.fixture
def seeded(store: Store) -> Store:
    seed(store, ROWS)
    return store


WINDOW = Window(start=at(10, 0), end=at(17, 0))


def test_numbers_with_known_answers(seeded: Store) -> None:
    reads = DigestReads(seeded.engine)
    d = build_digest(reads, WINDOW, brand="Acme")
    assert d.total == 6
    assert d.previous_total == 2
    assert d.by_source == {"x": 3, "reddit": 2, "forum": 1}
    assert [day.day for day in d.days] == [10, 11, 12, 13, 14, 15, 16]
    assert d.volume[at(10).date()] == {"x": 2}
    assert d.volume[at(16).date()] == {"reddit": 1, "forum": 1}
    assert d.sentiment == {"negative": 3, "positive": 1, "neutral": 1}
    assert d.previous_sentiment == {"positive": 1, "neutral": 1}
    assert d.share["negative"] == pytest.approx(3 / 5)
    assert d.previous_share["negative"] == pytest.approx(0.0)
    assert d.net_sentiment == pytest.approx((1 - 3) / 5)
    assert d.previous_net_sentiment == pytest.approx(0.5)
    assert d.sentiment_by_day[at(16).date()] == {"negative": 1, "unclassified": 1}
    assert d.previous_sentiment_by_day[0] == {}
    assert d.previous_sentiment_by_day[2] == {"positive": 1}
    assert d.previous_sentiment_by_day[6] == {"neutral": 1}
    assert dict(d.intents) == {"outage": 2, "billing": 2, "praise": 1, "question": 1}
    assert d.routes == {"helpdesk": 2, "private_dm": 1, "public_reply": 2, "ignore": 0}
    assert d.helpdesk_cases == 2
    assert d.cases == {"pending": 2}
    assert d.unclassified == 1
    assert d.negative_posts == 3
    # engagement: reddit 120 + 15 = 135, X 40 + 10 = 50, then 3
    assert d.engagement_basis == "engagement"
    assert [p.text for p in d.top_posts[:3]] == [
        "how do I port my number",
        "outage again",
        "bill is wrong",
    ]
    assert d.themes == ()  # no encoder given


def test_filters(seeded: Store) -> None:
    reads = DigestReads(seeded.engine)
    d = build_digest(reads, WINDOW, brand="Acme", filters=PostFilter(source="reddit"))
    assert d.total == 2 and d.sentiment == {"neutral": 1, "negative": 1}
    d = build_digest(reads, WINDOW, brand="Acme", filters=PostFilter(brand="OUTAGE"))
    assert d.total == 1
    d = build_digest(reads, WINDOW, brand="Acme", filters=PostFilter(language="en"))
    assert d.total == 1


def test_window_follows_the_data_when_it_is_stale(seeded: Store) -> None:
    reads = DigestReads(seeded.engine)
    now = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)
    # newest post: 2026-11-17 00:00 -> the window ends at the end of that day
    window = choose_window(reads, "7d", now=now)
    assert (window.start, window.end) == (at(11, 0), at(18, 0))
    # an explicit end is kept as given (floored to the day)
    window = choose_window(reads, "7d", until=at(17, 5))
    assert (window.start, window.end) == (at(10, 0), at(17, 0))
    # fresh data: the window ends now, on the hour for hour periods
    window = choose_window(reads, "24h", now=at(17, 0, 30))
    assert (window.start, window.end) == (at(16, 0), at(17, 0))
    window = choose_window(reads, "2h", now=at(17, 5, 30))  # stale: ends after the newest
    assert (window.start, window.end) == (at(16, 23), at(17, 1))


def test_csv_has_every_number(seeded: Store) -> None:
    d = build_digest(DigestReads(seeded.engine), WINDOW, brand="Acme")
    lines = render_csv(d).splitlines()
    assert "posts,total,current,6" in lines
    assert "sentiment,negative,current,3" in lines
    assert "net_sentiment,,current,-0.4000" in lines
    assert "route,helpdesk,,2" in lines
    assert "cases,pending,,2" in lines
    assert "volume,2026-11-16,reddit,1" in lines


def test_helpers() -> None:
    assert parse_period("7d").days == 7
    assert parse_period("24h").total_seconds() == 86400
    with pytest.raises(ValueError, match="period 'x'"):
        parse_period("x")
    assert net_sentiment({}) is None
    assert engagement({"metrics": {"like_count": 2, "reply_count": 1}}) == 3
    assert engagement({"score": -4, "num_comments": 2}) == 2
    assert engagement({"text": "x"}) is None
    mastodon = {"favourites_count": 3, "reblogs_count": 1, "replies_count": 2}
    assert engagement(mastodon) == 6
    assert engagement({"likeCount": 4, "repostCount": 0, "replyCount": 1, "quoteCount": 1}) == 6
    assert source_name("mastodon") == "Mastodon" and source_name("bluesky") == "Bluesky"
