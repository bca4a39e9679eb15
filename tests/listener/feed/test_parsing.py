"""The feed source parses RSS and Atom entries into posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from config.base import BrandSettings
from kernel.errors import (
    NotConfigured,
)
from kernel.models import MAX_TEXT_CHARS
from listener.feed.settings import FeedSourceSettings
from listener.feed.source import FeedSource
from listener.registry import build_source
from tests.httpserver import FakeAPI
from tests.listener.feed.helpers import (
    ATOM,
    discourse,
    fixture,
    item,
    read_all,
    rss,
    serve,
    source,
)


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
    code = "parameters:\n  param_a_1:\n    type: object\n    required: true"
    assert code in by_id["forum.stackstorm.com-topic-1814"].text  # indentation kept
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
