"""Who else has an item open: "bia is viewing", "ana is replying".

Rows in `presence` (one per item and person, refreshed by the pages' polling every few
seconds), not process memory, so two web workers agree. A row older than `FRESH` means the
person left; the rows themselves are `triage.storage.presence`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from triage.storage import presence as presence_rows

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
        rows = presence_rows.seen_since(conn, ids, since, besides=me)
    found: dict[int, list[tuple[str, str]]] = {}
    for post_id, name, activity in rows:
        found.setdefault(post_id, []).append((name, activity))
    for people in found.values():
        people.sort(key=lambda p: (p[1] != "replying", p[0]))
    return found


def label(people: list[tuple[str, str]]) -> str:
    """`ana is replying · bia is viewing`."""
    return " · ".join(f"{name} is {activity}" for name, activity in people)
