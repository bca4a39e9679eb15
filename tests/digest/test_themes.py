"""Negative themes from the real shared encoder: clusters of similar posts, labelled by their
most distinctive words, each with representative posts; charts saved as test artefacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import load_settings
from kernel.period import Window
from tests.digest.helpers import at, seed
from triage.digest.build import encoder_embed
from triage.digest.charts import all_charts
from triage.digest.compute import build_digest
from triage.digest.i18n import Formatter
from triage.digest.themes import class_tfidf, tokens
from triage.storage import Store
from triage.storage.digest_reads import DigestReads

TOPICS = {
    "refund": [
        "still waiting for my refund after returning the router",
        "refund promised three weeks ago never arrived",
        "where is my refund, returned the phone a month ago",
        "they keep saying the refund is processing, it is not",
        "no refund yet for the cancelled order",
        "refund request ignored again, returned device weeks ago",
    ],
    "outage": [
        "internet outage downtown since this morning",
        "whole neighbourhood has no internet, outage again",
        "another outage tonight, no service at all",
        "is there an outage? internet dead for hours",
        "outage for the third time this week, no internet",
        "service outage again and no update on the status page",
    ],
    "app": [
        "the app crashes every time I open the bill screen",
        "app keeps crashing after the update on android",
        "mobile app crash on login, cannot see my usage",
        "the new app version crashes on startup",
        "app crashed again while paying, update broke it",
        "crashes constantly since the latest app update",
    ],
}


def test_class_tfidf_prefers_distinctive_words() -> None:
    ranked = class_tfidf(
        [["refund late", "refund missing again"], ["outage again", "outage downtown"]],
        frozenset({"again"}),
    )
    assert ranked[0][0] == "refund" and ranked[1][0] == "outage"
    assert tokens("@acme see https://x.co/a #tag Cobrança 123", frozenset()) == ["see", "cobrança"]


@pytest.mark.slow
def test_themes_from_the_encoder(sqlite_store: Store, artefacts: Path) -> None:
    rows = [
        {"text": text, "created_at": at(16, i % 24, j), "sentiment": "negative",
         "external_id": f"{topic}-{i}"}
        for j, (topic, texts) in enumerate(TOPICS.items())
        for i, text in enumerate(texts)
    ]  # fmt: skip
    rows.append({"text": "lovely", "created_at": at(16, 3), "sentiment": "positive"})
    seed(sqlite_store, rows)
    settings = load_settings(None, environ={})
    digest = build_digest(
        DigestReads(sqlite_store.engine),
        Window(start=at(16, 0), end=at(17, 0)),
        brand="Acme",
        embed=encoder_embed(settings),
        max_themes=3,
    )
    assert digest.negative_posts == 18
    assert len(digest.themes) == 3
    labels = {theme.words[0] for theme in digest.themes}
    # each theme is labelled by its topic's word and holds that topic's posts
    for topic in TOPICS:
        (theme,) = [t for t in digest.themes if topic in t.words or f"{topic}s" in t.words]
        assert theme.size == 6, (topic, [t.words for t in digest.themes])
        assert 2 <= len(theme.posts) <= 3
        assert all(p.text in TOPICS[topic] for p in theme.posts)
    assert len(labels) == 3
    for name, png in all_charts(digest, Formatter("en")).items():
        (artefacts / f"themes-{name}.png").write_bytes(png)
    assert (artefacts / "themes-themes.png").stat().st_size > 1000
