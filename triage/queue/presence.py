"""Who else has an item open: "bia is viewing", "ana is replying".

Rows in `presence` (one per item and person, refreshed by the pages' polling every few
seconds), not process memory, so two web workers agree. A row older than `FRESH` means the
person left; `QueueWrites.see` deletes rows a minute old.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from triage.storage.tables import presence

#: How long a page's last refresh counts as "still there" (the pages refresh every 5 s).
FRESH = timedelta(seconds=20)
ACTIVITIES = ("viewing", "replying")


def others(engine: Engine, post_ids: Iterable[int], me: str) -> dict[int, list[tuple[str, str]]]:
    """Per item, the (name, activity) of everyone else there now, replying first."""
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    since = datetime.now(UTC) - FRESH
    with engine.connect() as conn:
        rows = conn.execute(
            select(presence.c.post_id, presence.c.user_name, presence.c.activity)
            .where(
                presence.c.post_id.in_(ids),
                presence.c.seen_at > since,
                presence.c.user_name != me,
            )
            .order_by(presence.c.user_name)
        ).all()
    found: dict[int, list[tuple[str, str]]] = {}
    for post_id, name, activity in rows:
        found.setdefault(int(post_id), []).append((str(name), str(activity)))
    for people in found.values():
        people.sort(key=lambda p: (p[1] != "replying", p[0]))
    return found


def label(people: list[tuple[str, str]]) -> str:
    """`ana is replying · bia is viewing`."""
    return " · ".join(f"{name} is {activity}" for name, activity in people)
