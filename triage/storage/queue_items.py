"""The review queue's work state of a post (`queue_items`: status, claim, assignment, version),
as rows. No row means open.

Every function runs in the caller's transaction: a queue action locks the row (`lock`), checks
what it read (`triage.queue.guard`), and writes with `advance`, conditional on the version it
read, all in one transaction. The statuses are the queue's words (`triage.queue.models`),
passed in as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from triage.storage.tables import queue_items


def _insert(conn: Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def upsert(conn: Connection, post_id: int, *, status: str, values: dict[str, Any]) -> None:
    """Set the item's `values`; a missing row is made with them (`status` unless they set
    one)."""
    conn.execute(
        _insert(conn)(queue_items)
        .values({"post_id": post_id, "status": status, **values})
        .on_conflict_do_update(index_elements=["post_id"], set_=values)
    )


def lock(
    conn: Connection, post_id: int, *, status: str, by: str, now: datetime
) -> tuple[str, str | None, datetime | None, int]:
    """(status, claimed by, claim expires at, version) of the item's row, made (with `status`)
    if missing and locked for this transaction: the insert takes SQLite's write lock at once,
    `FOR UPDATE` the row's on PostgreSQL, so of two actions on one item the second reads what
    the first wrote."""
    conn.execute(
        _insert(conn)(queue_items)
        .values(post_id=post_id, status=status, updated_by=by, updated_at=now)
        .on_conflict_do_nothing(index_elements=["post_id"])
    )
    row = conn.execute(
        select(
            queue_items.c.status,
            queue_items.c.claimed_by,
            queue_items.c.claim_expires_at,
            queue_items.c.version,
        )
        .where(queue_items.c.post_id == post_id)
        .with_for_update()
    ).one()
    return row[0], row[1], row[2], int(row[3] or 0)


def advance(conn: Connection, post_id: int, version: int, values: dict[str, Any]) -> bool:
    """Set `values` and the next version only if the row is still at `version`; False when
    someone changed it in between."""
    done = conn.execute(
        update(queue_items)
        .where(queue_items.c.post_id == post_id, queue_items.c.version == version)
        .values(version=queue_items.c.version + 1, **values)
    ).rowcount
    return bool(done)


def claim(
    conn: Connection, post_id: int, by: str, until: datetime, *, take: bool, now: datetime
) -> bool:
    """Claim the item's row for `by` until `until`; with `take`, over anyone's claim, else only
    if it has no live claim of someone else at `now` (the conditional update is the lock: of
    two agents claiming at once, one wins). False when the claim did not happen."""
    stmt = update(queue_items).values(claimed_by=by, claim_expires_at=until)
    if take:
        conn.execute(stmt.where(queue_items.c.post_id == post_id))
        return True
    won = conn.execute(
        stmt.where(
            queue_items.c.post_id == post_id,
            (queue_items.c.claimed_by.is_(None))
            | (queue_items.c.claimed_by == by)
            | (queue_items.c.claim_expires_at <= now),
        )
    ).rowcount
    return bool(won)


def live_claims_per_person(conn: Connection, now: datetime) -> dict[str, int]:
    """How many items each person has claimed, claims live at `now`."""
    return {
        str(name): int(count)
        for name, count in conn.execute(
            select(queue_items.c.claimed_by, func.count())
            .where(queue_items.c.claim_expires_at > now, queue_items.c.claimed_by.is_not(None))
            .group_by(queue_items.c.claimed_by)
        ).all()
    }
