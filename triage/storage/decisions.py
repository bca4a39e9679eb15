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

from triage.models import CaseStatus, Decision, Post, Route, Signals, StoredPost
from triage.storage.codec import (
    decision_from_row,
    decision_row,
    signals_from_json,
    signals_to_json,
)
from triage.storage.store import stored_post_from_row
from triage.storage.tables import cases, decisions, posts


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
        now = datetime.now(UTC)
        conn.execute(
            update(decisions)
            .where(decisions.c.post_id == stored.id, decisions.c.superseded_at.is_(None))
            .values(superseded_at=now)
        )
        decision_id = conn.execute(
            decisions.insert()
            .values(
                post_id=stored.id,
                signals=signals_to_json(signals) if signals else None,
                decided_by=decided_by,
                decided_at=now,
                **decision_row(decision),
            )
            .returning(decisions.c.id)
        ).scalar_one()
        conn.execute(update(posts).where(posts.c.id == stored.id).values(classified_at=now))
        if decision.route is Route.HELPDESK and case_sink:
            insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
            stmt = insert(cases)
            conn.execute(
                stmt.values(
                    post_id=stored.id,
                    decision_id=decision_id,
                    sink=case_sink,
                    idempotency_key=idempotency_key(stored.post, decision.route),
                    status=(CaseStatus.HELD if hold else CaseStatus.PENDING).value,
                    attempts=0,
                    next_attempt_at=None if hold else now,
                    created_at=now,
                    updated_at=now,
                )
                # An edited post decided again: its existing case follows the new decision.
                .on_conflict_do_update(
                    index_elements=["idempotency_key"],
                    set_={"decision_id": decision_id, "updated_at": now},
                )
            )
        return int(decision_id)

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
