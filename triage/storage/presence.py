"""Who has a queue item open, as rows (`triage.queue.presence` says what they mean).

One row per item and person, refreshed by the pages' polling; rows a minute old are deleted
on each refresh so the table stays as small as the team.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from triage.storage.tables import presence

#: Rows older than this are gone at the next refresh (anyone's).
KEEP = timedelta(minutes=1)


def see(conn: Connection, post_id: int, name: str, activity: str, now: datetime) -> None:
    """`name` is at `post_id` doing `activity` as of `now` (insert or refresh the row)."""
    insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(delete(presence).where(presence.c.seen_at < now - KEEP))
    conn.execute(
        insert(presence)
        .values(post_id=post_id, user_name=name, activity=activity, seen_at=now)
        .on_conflict_do_update(
            index_elements=["post_id", "user_name"],
            set_={"activity": activity, "seen_at": now},
        )
    )


def seen_since(
    conn: Connection, post_ids: Sequence[int], since: datetime, *, besides: str
) -> list[tuple[int, str, str]]:
    """(post id, name, activity) of everyone but `besides` seen at these items after `since`,
    by name."""
    rows = conn.execute(
        select(presence.c.post_id, presence.c.user_name, presence.c.activity)
        .where(
            presence.c.post_id.in_(post_ids),
            presence.c.seen_at > since,
            presence.c.user_name != besides,
        )
        .order_by(presence.c.user_name)
    ).all()
    return [(int(post_id), str(name), str(activity)) for post_id, name, activity in rows]
