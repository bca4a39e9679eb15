"""People's corrections (a label or route a person gave a post), as rows: written by the
queue's actions, read back as training data (`triage.queue.corrections`) and on the item page.
Every function runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection, RowMapping, select

from triage.storage.tables import corrections, posts


def add(
    conn: Connection,
    post_id: int,
    field: str,
    old: str | None,
    new: str,
    *,
    by: str,
    now: datetime,
) -> None:
    conn.execute(
        corrections.insert().values(
            post_id=post_id,
            field=field,
            old_value=old,
            new_value=new,
            author=by,
            created_at=now,
        )
    )


def of_post(conn: Connection, post_id: int) -> list[tuple[str, str, str]]:
    """(field, new value, author) of the post's corrections, oldest first."""
    return [
        (r["field"], r["new_value"], r["author"])
        for r in conn.execute(
            select(corrections).where(corrections.c.post_id == post_id).order_by(corrections.c.id)
        ).mappings()
    ]


def with_posts(conn: Connection, fields: Sequence[str] | None = None) -> Iterator[RowMapping]:
    """Every correction (of these `fields`, if given), oldest first, with its post's `text`,
    `source` and `external_id`."""
    stmt = (
        select(corrections, posts.c.text, posts.c.source, posts.c.external_id)
        .join(posts, posts.c.id == corrections.c.post_id)
        .order_by(corrections.c.id)
    )
    if fields is not None:
        stmt = stmt.where(corrections.c.field.in_(fields))
    yield from conn.execute(stmt).mappings()
