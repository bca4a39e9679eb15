"""Retention and erasure: how personal data leaves the database (docs/data-protection.md).

`apply_retention` empties raw payloads after `retention.raw_days`, deletes posts after
`retention.posts_days` (keeping per-day counts by source and route in `retained_counts`, so
digests still add up) and deletes quarantined items after `retention.quarantine_days`.
Erasure of one author is `triage.storage.erasure`. A deleted post takes every row pointing at
it (queue work, replies, corrections too); its audit entries stay without their detail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from config.operations import RetentionSettings
from triage.storage.erasure import delete_posts
from triage.storage.tables import (
    decisions,
    post_revisions,
    posts,
    quarantine,
    retained_counts,
)

#: Posts deleted per transaction, so retention never holds long locks.
_CHUNK = 500


@dataclass(frozen=True, kw_only=True, slots=True)
class RetentionReport:
    raw_cleared: int = 0
    posts_deleted: int = 0
    quarantine_deleted: int = 0


def apply_retention(
    engine: Engine, settings: RetentionSettings, *, now: datetime | None = None
) -> RetentionReport:
    now = now or datetime.now(UTC)
    raw_cleared = posts_deleted = quarantine_deleted = 0
    if settings.raw_days is not None:
        cutoff = now - timedelta(days=settings.raw_days)
        with engine.begin() as conn:
            old = select(posts.c.id).where(posts.c.ingested_at < cutoff)
            conn.execute(
                update(post_revisions)
                .where(post_revisions.c.post_id.in_(old), post_revisions.c.raw.is_not(None))
                .values(raw=None)
            )
            # JSON columns cannot be compared portably; an emptied payload is `{}` and stays so.
            raw_cleared = int(
                conn.execute(
                    update(posts).where(posts.c.ingested_at < cutoff).values(raw={})
                ).rowcount
                or 0
            )
    if settings.posts_days is not None:
        cutoff = now - timedelta(days=settings.posts_days)
        while True:
            with engine.begin() as conn:
                ids = list(
                    conn.execute(
                        select(posts.c.id)
                        .where(posts.c.ingested_at < cutoff)
                        .order_by(posts.c.id)
                        .limit(_CHUNK)
                    ).scalars()
                )
                if not ids:
                    break
                _count_before_delete(conn, ids)
                delete_posts(conn, ids)
                posts_deleted += len(ids)
    if settings.quarantine_days is not None:
        cutoff = now - timedelta(days=settings.quarantine_days)
        with engine.begin() as conn:
            quarantine_deleted = int(
                conn.execute(
                    delete(quarantine).where(quarantine.c.quarantined_at < cutoff)
                ).rowcount
                or 0
            )
    return RetentionReport(
        raw_cleared=raw_cleared,
        posts_deleted=posts_deleted,
        quarantine_deleted=quarantine_deleted,
    )


def _count_before_delete(conn: Connection, ids: Sequence[int]) -> None:
    """Add the posts about to go to the per-day counts digests read."""
    current = (
        select(decisions.c.post_id, decisions.c.route)
        .where(decisions.c.superseded_at.is_(None))
        .subquery()
    )
    rows = conn.execute(
        select(posts.c.created_at, posts.c.source, current.c.route)
        .select_from(posts.outerjoin(current, current.c.post_id == posts.c.id))
        .where(posts.c.id.in_(ids))
    ).all()
    counts: dict[tuple[str, str, str], int] = {}
    for created_at, source, route in rows:
        key = (created_at.date().isoformat(), str(source), str(route or "unclassified"))
        counts[key] = counts.get(key, 0) + 1
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for (day, source, route), n in counts.items():
        stmt = insert(retained_counts).values(day=day, source=source, route=route, posts=n)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["day", "source", "route"],
                set_={"posts": retained_counts.c.posts + stmt.excluded.posts},
            )
        )
