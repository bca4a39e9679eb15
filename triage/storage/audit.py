"""The audit log: who did what, to which post, with what detail (JSON). `write_audit` is its one
write; the reads below are the review queue's (an item's history, the log page, undo)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select

from triage.storage.tables import audit_log


def write_audit(
    conn: Connection,
    actor: str,
    action: str,
    post_id: int | None,
    detail: Mapping[str, Any] | None = None,
    *,
    when: datetime | None = None,
) -> int:
    """Append one entry in `conn`'s transaction (at `when`, default now); returns its id."""
    return int(
        conn.execute(
            audit_log.insert()
            .values(
                at=when or datetime.now(UTC),
                actor=actor,
                action=action,
                post_id=post_id,
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            )
            .returning(audit_log.c.id)
        ).scalar_one()
    )


def last_change(
    conn: Connection, post_id: int, *, besides: Collection[str]
) -> tuple[str, str, datetime] | None:
    """(actor, action, at) of the newest entry on the post whose action is not in `besides`."""
    row = conn.execute(
        select(audit_log.c.actor, audit_log.c.action, audit_log.c.at)
        .where(audit_log.c.post_id == post_id, audit_log.c.action.not_in(tuple(besides)))
        .order_by(audit_log.c.id.desc())
        .limit(1)
    ).first()
    return (str(row[0]), str(row[1]), row[2]) if row else None


def newest_of_action(conn: Connection, post_id: int, action: str) -> tuple[str, str | None] | None:
    """(actor, detail as stored) of the post's newest entry of `action`, read on the caller's
    connection (a bulk undo reads it inside its transaction, after locking the item)."""
    row = conn.execute(
        select(audit_log.c.actor, audit_log.c.detail)
        .where(audit_log.c.post_id == post_id, audit_log.c.action == action)
        .order_by(audit_log.c.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def entry(conn: Connection, entry_id: int, *, actions: Collection[str]) -> RowMapping | None:
    """The entry with this id, if its action is one of `actions`."""
    return (
        conn.execute(
            select(audit_log).where(
                audit_log.c.id == entry_id, audit_log.c.action.in_(tuple(actions))
            )
        )
        .mappings()
        .first()
    )


def of_post(conn: Connection, post_id: int, *, limit: int) -> list[RowMapping]:
    """The post's first `limit` entries, oldest first."""
    return list(
        conn.execute(
            select(audit_log)
            .where(audit_log.c.post_id == post_id)
            .order_by(audit_log.c.id)
            .limit(limit)
        ).mappings()
    )


def newest(conn: Connection, *, before: int | None, actor: str, limit: int) -> list[RowMapping]:
    """Up to `limit` entries, newest first: those before entry `before` (if given), of
    `actor` (if not empty)."""
    stmt = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before:
        stmt = stmt.where(audit_log.c.id < before)
    if actor:
        stmt = stmt.where(audit_log.c.actor == actor)
    return list(conn.execute(stmt).mappings())


def actions_per_actor(conn: Connection, since: datetime) -> dict[str, int]:
    """How many entries each actor wrote after `since`."""
    return {
        actor: int(count)
        for actor, count in conn.execute(
            select(audit_log.c.actor, func.count())
            .where(audit_log.c.at > since)
            .group_by(audit_log.c.actor)
        ).all()
    }
