"""Read-only queries for digests, the dashboard and spike alerts.

Rows become `PeriodPost` records here; the platform's raw payload never leaves this module,
only the engagement figure extracted from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from triage.storage.tables import cases, decisions, posts, replies

#: Mastodon's status counts and Bluesky's post view counts, counted as engagement.
_COUNTS = (
    "favourites_count",
    "reblogs_count",
    "replies_count",
    "likeCount",
    "repostCount",
    "replyCount",
    "quoteCount",
)
#: X public_metrics counted as engagement (current and older API names).
_X_METRICS = ("like_count", "retweet_count", "repost_count", "reply_count", "quote_count")


@dataclass(frozen=True, kw_only=True, slots=True)
class PostFilter:
    """What a digest, dashboard or alert looks at. None means "any"."""

    #: Posts whose listening query or text mention this term (case-insensitive).
    brand: str | None = None
    source: str | None = None
    #: The post's language as the platform or the classifier said (`en`, `pt`).
    language: str | None = None
    #: Posts fetched for exactly this listening query.
    query: str | None = None


ANY_POST = PostFilter()


@dataclass(frozen=True, kw_only=True, slots=True)
class PeriodPost:
    id: int
    source: str
    created_at: datetime
    handle: str
    followers: int | None
    text: str
    language: str | None
    query: str | None
    url: str | None
    #: Likes + reposts + replies + quotes (X, Bluesky), score + comments (Reddit), favourites
    #: + boosts + replies (Mastodon); None when unknown.
    engagement: int | None
    #: The current decision's route and sentiment; None while unclassified.
    route: str | None = None
    sentiment: str | None = None
    intents: dict[str, float] = field(default_factory=dict)


class DigestReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def posts_between(
        self, start: datetime, end: datetime, filters: PostFilter = ANY_POST
    ) -> list[PeriodPost]:
        """Customers' posts created in [start, end) with their current decision; the brand's
        own posts are not the customer's voice and are left out."""
        stmt = (
            select(posts, decisions.c.route, decisions.c.signals)
            .outerjoin(
                decisions,
                and_(decisions.c.post_id == posts.c.id, decisions.c.superseded_at.is_(None)),
            )
            .where(
                posts.c.created_at >= start,
                posts.c.created_at < end,
                posts.c.author_is_brand.is_(False),
                *_where(filters),
            )
            .order_by(posts.c.created_at, posts.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).mappings().all()
        found = [_period_post(row) for row in rows]
        if filters.language:
            want = filters.language.lower()
            found = [p for p in found if (p.language or "").lower().split("-")[0] == want]
        return found

    def posts_by_ids(self, ids: Iterable[int]) -> list[PeriodPost]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        stmt = (
            select(posts, decisions.c.route, decisions.c.signals)
            .outerjoin(
                decisions,
                and_(decisions.c.post_id == posts.c.id, decisions.c.superseded_at.is_(None)),
            )
            .where(posts.c.id.in_(wanted))
            .order_by(posts.c.created_at, posts.c.id)
        )
        with self.engine.connect() as conn:
            return [_period_post(row) for row in conn.execute(stmt).mappings()]

    def newest_post_at(self, filters: PostFilter = ANY_POST) -> datetime | None:
        stmt = select(func.max(posts.c.created_at)).where(
            posts.c.author_is_brand.is_(False), *_where(filters)
        )
        with self.engine.connect() as conn:
            value = conn.execute(stmt).scalar_one_or_none()
        if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
            return value
        if isinstance(value, str):  # SQLite without the column's type on an aggregate
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)

    def first_answers(self, post_ids: Iterable[int]) -> dict[int, datetime]:
        """When each of these posts was first answered: the earliest of the brand's public
        replies to it (stored posts, `triage.storage.answers`: sent from the queue or written on
        the platform) and the queue's DMs that were sent (not dry runs). Unanswered posts are
        absent."""
        wanted = sorted(set(post_ids))
        found: dict[int, datetime] = {}
        answer = posts.alias("answer")
        for chunk in range(0, len(wanted), 500):
            ids = wanted[chunk : chunk + 500]
            public = (
                select(posts.c.id, func.min(answer.c.created_at))
                .join(
                    answer,
                    and_(
                        answer.c.source == posts.c.source,
                        answer.c.parent_id == posts.c.external_id,
                        answer.c.author_is_brand.is_(True),
                    ),
                )
                .where(posts.c.id.in_(ids))
                .group_by(posts.c.id)
            )
            private = (
                select(replies.c.post_id, func.min(replies.c.sent_at))
                .where(replies.c.post_id.in_(ids), replies.c.dry_run.is_(False))
                .group_by(replies.c.post_id)
            )
            with self.engine.connect() as conn:
                for stmt in (public, private):
                    for post_id, at in conn.execute(stmt).all():
                        when = _aware(at)
                        key = int(post_id)
                        if key not in found or when < found[key]:
                            found[key] = when
        return found

    def case_statuses(self, post_ids: Iterable[int]) -> dict[str, int]:
        """Helpdesk cases made from these posts, by status."""
        wanted = sorted(set(post_ids))
        counts: dict[str, int] = {}
        for chunk in range(0, len(wanted), 500):
            stmt = (
                select(cases.c.status, func.count())
                .where(cases.c.post_id.in_(wanted[chunk : chunk + 500]))
                .group_by(cases.c.status)
            )
            with self.engine.connect() as conn:
                for status, count in conn.execute(stmt).all():
                    counts[str(status)] = counts.get(str(status), 0) + int(count)
        return counts


def _aware(value: Any) -> datetime:
    """A timestamp from an aggregate: SQLite gives it without its type (a string, no zone)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _where(filters: PostFilter) -> list[Any]:
    clauses: list[Any] = []
    if filters.source:
        clauses.append(posts.c.source == filters.source)
    if filters.query:
        clauses.append(posts.c.query == filters.query)
    if filters.brand:
        term = f"%{filters.brand.lower()}%"
        clauses.append(
            or_(func.lower(posts.c.query).like(term), func.lower(posts.c.text).like(term))
        )
    return clauses


def _period_post(row: Any) -> PeriodPost:
    signals = row["signals"] or {}
    return PeriodPost(
        id=int(row["id"]),
        source=row["source"],
        created_at=row["created_at"],
        handle=row["author_handle"],
        followers=row["author_followers"],
        text=row["text"],
        language=row["lang"] or signals.get("language"),
        query=row["query"],
        url=row["url"],
        engagement=engagement(row["raw"]),
        route=row["route"],
        sentiment=signals.get("sentiment"),
        intents={str(k): float(v) for k, v in (signals.get("intents") or {}).items()},
    )


def engagement(raw: Any) -> int | None:
    """What the platform says people did with the post, from the stored payload."""
    if not isinstance(raw, dict):
        return None
    metrics = raw.get("metrics")
    if not isinstance(metrics, dict) and isinstance(raw.get("tweet"), dict):
        metrics = raw["tweet"].get("public_metrics")
    if isinstance(metrics, dict):
        values = [metrics.get(name) for name in _X_METRICS]
        found = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        if found:
            return sum(found)
    score, comments = raw.get("score"), raw.get("num_comments")
    if isinstance(score, int) or isinstance(comments, int):
        return max(int(score or 0), 0) + int(comments or 0)
    counts = [raw.get(name) for name in _COUNTS]
    found = [v for v in counts if isinstance(v, int) and not isinstance(v, bool)]
    return sum(found) if found else None
