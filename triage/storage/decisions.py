"""Decisions: claim unclassified posts, store a decision (and its case) atomically, read back.

A post's decision and, for the `helpdesk` route, its case are written in one transaction: the
transactional outbox. A case that must wait for a human is written `held`: the outbox worker
never claims it until `CaseStore.release` makes it `pending`. On PostgreSQL replicas claim
posts with `FOR UPDATE SKIP LOCKED`, so no two replicas classify the same post.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kernel.models import CaseStatus, Decision, Post, Route, Signals, StoredPost
from triage.storage.codec import (
    decision_from_row,
    decision_row,
    signals_from_json,
    signals_to_json,
)
from triage.storage.store import stored_post_from_row
from triage.storage.tables import cases, decisions, posts


@dataclass(frozen=True, slots=True)
class ToSave:
    """One decision for `DecisionStore.save_many`, with where its case (if any) goes."""

    stored: StoredPost
    signals: Signals | None
    decision: Decision
    case_sink: str | None = None
    hold: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredDecision:
    id: int
    post_id: int
    decision: Decision
    signals: Signals | None
    decided_by: str
    decided_at: datetime


def idempotency_key(post: Post, route: Route) -> str:
    """Stable across restarts and replicas: the same post and route never make two tickets."""
    digest = hashlib.sha256(f"{post.source}\x1f{post.external_id}".encode()).hexdigest()[:24]
    return f"st-{post.source}-{route.value}-{digest}"


class DecisionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def claim_unclassified(self, conn: Connection, limit: int) -> list[StoredPost]:
        """Posts without a decision, oldest first, locked for this transaction on PostgreSQL."""
        stmt = (
            select(posts).where(posts.c.classified_at.is_(None)).order_by(posts.c.id).limit(limit)
        )
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return [stored_post_from_row(row) for row in conn.execute(stmt).mappings()]

    def save(
        self,
        conn: Connection,
        stored: StoredPost,
        signals: Signals | None,
        decision: Decision,
        *,
        decided_by: str = "classifier",
        case_sink: str | None = None,
        hold: bool = False,
    ) -> int:
        """Store `decision` as the post's current one; a `helpdesk` decision with a sink also
        gets its case, in the same transaction, `held` for a human when `hold`, else due now.
        Returns the decision id."""
        [decision_id] = self.save_many(
            conn, [ToSave(stored, signals, decision, case_sink, hold)], decided_by=decided_by
        )
        return decision_id

    def save_many(
        self, conn: Connection, items: list[ToSave], *, decided_by: str = "classifier"
    ) -> list[int]:
        """`save` for a batch, in four statements whatever its size (the classifier saves 512
        decisions at a time; one round of statements per post cost 1 ms each). Returns the
        decision ids in the order of `items`."""
        if not items:
            return []
        now = datetime.now(UTC)
        post_ids = [item.stored.id for item in items]
        conn.execute(
            update(decisions)
            .where(decisions.c.post_id.in_(post_ids), decisions.c.superseded_at.is_(None))
            .values(superseded_at=now)
        )
        rows = [
            {
                "post_id": item.stored.id,
                "signals": signals_to_json(item.signals) if item.signals else None,
                "decided_by": decided_by,
                "decided_at": now,
                **decision_row(item.decision),
            }
            for item in items
        ]
        ids = [
            int(decision_id)
            for decision_id in conn.execute(
                decisions.insert().returning(decisions.c.id, sort_by_parameter_order=True), rows
            ).scalars()
        ]
        conn.execute(update(posts).where(posts.c.id.in_(post_ids)).values(classified_at=now))
        case_rows = [
            {
                "post_id": item.stored.id,
                "decision_id": decision_id,
                "sink": item.case_sink,
                "idempotency_key": idempotency_key(item.stored.post, item.decision.route),
                "status": (CaseStatus.HELD if item.hold else CaseStatus.PENDING).value,
                "attempts": 0,
                "next_attempt_at": None if item.hold else now,
                "created_at": now,
                "updated_at": now,
            }
            for item, decision_id in zip(items, ids, strict=True)
            if item.decision.route is Route.HELPDESK and item.case_sink
        ]
        if case_rows:
            insert = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(cases)
            conn.execute(
                # An edited post decided again: its existing case follows the new decision.
                insert.on_conflict_do_update(
                    index_elements=["idempotency_key"],
                    set_={
                        "decision_id": insert.excluded.decision_id,
                        "updated_at": insert.excluded.updated_at,
                    },
                ),
                case_rows,
            )
        return ids

    def current(self, post_id: int) -> StoredDecision | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(decisions).where(
                        decisions.c.post_id == post_id, decisions.c.superseded_at.is_(None)
                    )
                )
                .mappings()
                .first()
            )
        return _stored_decision(row) if row else None

    def iter_current(self, *, batch: int = 500) -> Iterator[tuple[StoredPost, StoredDecision]]:
        """Every post with its current decision, in post order (for `replay --rules`)."""
        last = 0
        while True:
            stmt = (
                select(posts, decisions.c.id.label("decision_id"))
                .join(decisions, decisions.c.post_id == posts.c.id)
                .where(decisions.c.superseded_at.is_(None), posts.c.id > last)
                .order_by(posts.c.id)
                .limit(batch)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(stmt).mappings().all()
                ids = [row["decision_id"] for row in rows]
                by_id = {
                    d["id"]: d
                    for d in conn.execute(
                        select(decisions).where(decisions.c.id.in_(ids))
                    ).mappings()
                }
            if not rows:
                return
            for row in rows:
                yield stored_post_from_row(row), _stored_decision(by_id[row["decision_id"]])
            last = rows[-1]["id"]

    def counts(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            by_route = {
                str(route): int(count)
                for route, count in conn.execute(
                    select(decisions.c.route, func.count())
                    .where(decisions.c.superseded_at.is_(None))
                    .group_by(decisions.c.route)
                    .order_by(decisions.c.route)
                ).all()
            }
            review = conn.execute(
                select(func.count())
                .select_from(decisions)
                .where(decisions.c.superseded_at.is_(None), decisions.c.needs_review.is_(True))
            ).scalar_one()
            unclassified = conn.execute(
                select(func.count()).select_from(posts).where(posts.c.classified_at.is_(None))
            ).scalar_one()
        return {
            "by_route": by_route,
            "needs_review": int(review),
            "unclassified": int(unclassified),
        }


def _stored_decision(row: Any) -> StoredDecision:
    return StoredDecision(
        id=row["id"],
        post_id=row["post_id"],
        decision=decision_from_row(row),
        signals=signals_from_json(row["signals"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
    )


def previous(conn: Connection, post_id: int) -> tuple[Decision, Signals | None] | None:
    """(decision, signals) the post's current decision replaced, if any."""
    row = (
        conn.execute(
            select(decisions)
            .where(decisions.c.post_id == post_id, decisions.c.superseded_at.is_not(None))
            .order_by(decisions.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return decision_from_row(row), signals_from_json(row["signals"])
