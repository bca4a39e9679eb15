"""The rows behind the Team page's figures (`triage.queue.figures`): first answers from the
queue, every answer in a period, and who held a claim on the answered posts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select

from triage.storage.tables import audit_log, decisions, posts, replies

#: Post ids per `IN (...)` when reading claims.
CHUNK = 500


def first_answers(conn: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Posts whose first answer from the queue was sent in [start, end): post id, who, when,
    when the post was written and its current route."""
    first = (
        select(replies.c.post_id, func.min(replies.c.id).label("first_id"))
        .group_by(replies.c.post_id)
        .subquery()
    )
    stmt = (
        select(
            replies.c.post_id,
            replies.c.sent_by,
            replies.c.sent_at,
            posts.c.created_at,
            decisions.c.route,
        )
        .select_from(
            first.join(replies, replies.c.id == first.c.first_id)
            .join(posts, posts.c.id == replies.c.post_id)
            .outerjoin(
                decisions,
                and_(decisions.c.post_id == posts.c.id, decisions.c.superseded_at.is_(None)),
            )
        )
        .where(replies.c.sent_at >= start, replies.c.sent_at < end)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def answers_between(conn: Any, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every reply and DM sent from the queue in [start, end): post id, who, when."""
    stmt = (
        select(replies.c.post_id, replies.c.sent_by, replies.c.sent_at)
        .where(replies.c.sent_at >= start, replies.c.sent_at < end)
        .order_by(replies.c.id)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def claims_on(conn: Any, post_ids: Iterable[int], end: datetime) -> list[tuple[int, str, datetime]]:
    """(post id, who got the claim, when) for claims and reassignments of these posts."""
    ids = sorted(set(post_ids))
    found: list[tuple[int, str, datetime]] = []
    for i in range(0, len(ids), CHUNK):
        stmt = select(
            audit_log.c.post_id,
            audit_log.c.actor,
            audit_log.c.action,
            audit_log.c.detail,
            audit_log.c.at,
        ).where(
            audit_log.c.post_id.in_(ids[i : i + CHUNK]),
            audit_log.c.action.in_(("claim", "reassign")),
            audit_log.c.at < end,
        )
        for post_id, actor, action, detail, at in conn.execute(stmt):
            who = actor
            if action == "reassign":
                who = (json.loads(detail) if detail else {}).get("to")
            if who:
                found.append((int(post_id), str(who), at))
    return found
