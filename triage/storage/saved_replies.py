"""Saved replies (reply templates), as rows (`triage.queue.saved_replies` checks them and says
who may change them). Every function runs in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, select

from triage.storage.tables import saved_replies


def every(conn: Connection) -> list[RowMapping]:
    """Every saved reply, by language, channel and title."""
    return list(
        conn.execute(
            select(saved_replies).order_by(
                saved_replies.c.language, saved_replies.c.channel, saved_replies.c.title
            )
        ).mappings()
    )


def get(conn: Connection, reply_id: int) -> RowMapping | None:
    return (
        conn.execute(select(saved_replies).where(saved_replies.c.id == reply_id)).mappings().first()
    )


def add(
    conn: Connection,
    *,
    title: str,
    language: str,
    channel: str,
    body: str,
    by: str,
    now: datetime,
) -> int:
    """A new saved reply, created and last changed by `by` at `now`; returns its id."""
    return int(
        conn.execute(
            saved_replies.insert()
            .values(
                title=title,
                language=language,
                channel=channel,
                body=body,
                created_by=by,
                updated_by=by,
                created_at=now,
                updated_at=now,
            )
            .returning(saved_replies.c.id)
        ).scalar_one()
    )


def change(
    conn: Connection,
    reply_id: int,
    *,
    by: str,
    now: datetime,
    **values: str,
) -> bool:
    """Set the saved reply's `values` (title, language, channel, body), changed by `by` at
    `now`; False when there is no such saved reply."""
    done = conn.execute(
        saved_replies.update()
        .where(saved_replies.c.id == reply_id)
        .values(**values, updated_by=by, updated_at=now)
    ).rowcount
    return bool(done)


def remove(conn: Connection, reply_id: int) -> None:
    conn.execute(saved_replies.delete().where(saved_replies.c.id == reply_id))
