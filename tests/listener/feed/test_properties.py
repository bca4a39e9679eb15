"""Property-based tests: generated RSS entries either parse or raise `MalformedPayload`; every post
returned is storable or quarantined."""

from __future__ import annotations

from typing import Any

import feedparser
from hypothesis import given
from hypothesis import strategies as st

from kernel.errors import MalformedPayload
from listener.feed.source import FeedSource
from tests.strategies import EXAMPLES, storable_or_quarantined

xml_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)


@EXAMPLES
@given(
    st.lists(
        st.tuples(xml_text, xml_text, xml_text, xml_text, st.one_of(st.none(), xml_text)),
        min_size=1,
        max_size=3,
    ),
    st.one_of(st.none(), xml_text),
)
def test_feed_entries_parse_or_are_malformed(entries: list[tuple[str, ...]], lang: Any) -> None:
    from xml.sax.saxutils import escape

    items = "".join(
        f"<item><title>{escape(t)}</title><description>{escape(d)}</description>"
        f"<link>{escape(link)}</link><author>{escape(a)}</author>"
        + (f"<guid>{escape(g)}</guid>" if g is not None else "")
        + "</item>"
        for t, d, link, a, g in entries
    )
    language = f"<language>{escape(lang)}</language>" if lang is not None else ""
    body = f"<rss version='2.0'><channel><title>f</title>{language}{items}</channel></rss>"
    parsed = feedparser.parse(body.encode("utf-8"))
    source = FeedSource(name="f", urls=["https://forum.example/latest.rss"])
    for item in parsed.entries:
        try:
            post = source._post(item, "id-1", "https://forum.example/latest.rss", lang)
        except MalformedPayload:
            continue
        storable_or_quarantined(post)
