"""Seeding a store with posts and decisions whose digest numbers are known."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kernel.models import Author, Decision, Post, Route, Signals
from triage.storage import Store
from triage.storage.decisions import DecisionStore


def seed(
    store: Store,
    rows: list[dict[str, Any]],
) -> list[int]:
    """Each row: text, created_at, and optionally source, handle, followers, sentiment,
    route, intents, raw, is_brand, lang, query. Returns the post ids in order."""
    posts = [
        Post(
            source=row.get("source", "x"),
            external_id=row.get("external_id", f"p{i}"),
            text=row["text"],
            created_at=row["created_at"],
            author=Author(
                handle=row.get("handle", f"user{i}"),
                name=row.get("name"),
                followers=row.get("followers"),
                is_brand=row.get("is_brand", False),
            ),
            lang=row.get("lang"),
            query=row.get("query"),
            raw=row.get("raw", {}),
            url=f"https://example.invalid/{i}",
        )
        for i, row in enumerate(rows)
    ]
    store.save_page("test", "replay", posts, None)
    decisions = DecisionStore(store.engine)
    ids = []
    for post, row in zip(posts, rows, strict=True):
        stored = store.find_post(post.source, post.external_id)
        assert stored is not None
        ids.append(stored.id)
        if row.get("sentiment") is None:
            continue
        signals = Signals(
            sentiment=row["sentiment"],
            sentiment_score=0.9,
            complaint=0.5,
            private_score=0.1,
            intents=row.get("intents", {}),
            sensitive=(),
            language=row.get("lang"),
        )
        route = Route(row.get("route", "public_reply"))
        decision = Decision(
            route=route,
            tier=None,
            confidence=0.9,
            needs_review=False,
            rule="test",
            explanation="test",
        )
        with store.engine.begin() as conn:
            decisions.save(
                conn,
                stored,
                signals,
                decision,
                case_sink="local" if route is Route.HELPDESK else None,
            )
    return ids


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    from datetime import UTC

    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)
