"""The classification stage: decide every stored post that has no decision yet.

On PostgreSQL a batch is claimed with `FOR UPDATE SKIP LOCKED` and decided inside that
transaction, so replicas never decide the same post twice. SQLite has one writer: the batch is
read, classified outside any transaction (so pollers keep writing meanwhile), then saved in one
short write transaction.

A `helpdesk` decision that needs review gets its case `held` (with `hold_for_review`, the
default): nothing leaves the building until a human releases it with `cases release ID`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from kernel.abc import PostClassifier
from kernel.models import Decision, Signals, StoredPost
from triage.storage import Store
from triage.storage.decisions import DecisionStore, ToSave

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SinkChoice:
    """Which sink a helpdesk decision's case goes to: the matching rule's `sink`, else the
    sink configured for its priority, else the default sink."""

    default: str | None
    by_priority: dict[str, str]

    def sink_for(self, decision: Decision) -> str | None:
        return decision.sink or self.by_priority.get(decision.priority) or self.default


def classify_pending(
    store: Store,
    classifier: PostClassifier,
    *,
    claim_size: int = 512,
    default_sink: str | None = None,
    priority_sinks: Mapping[Any, str] | None = None,
    hold_for_review: bool = True,
    stop: threading.Event | None = None,
    limit: int | None = None,
) -> int:
    """Decide posts without a decision until none is left (or `limit`); returns how many."""
    decisions = DecisionStore(store.engine)
    route = SinkChoice(default_sink, dict(priority_sinks or {}))
    done = 0
    while limit is None or done < limit:
        if stop is not None and stop.is_set():
            break
        size = claim_size if limit is None else min(claim_size, limit - done)
        if store.dialect == "postgresql":
            with store.engine.begin() as conn:
                batch = decisions.claim_unclassified(conn, size)
                _decide(conn, decisions, classifier, batch, route, hold_for_review)
        else:
            with store.engine.connect() as conn:
                batch = decisions.claim_unclassified(conn, size)
            if batch:
                results = classifier.classify([(sp.post, sp.post.text) for sp in batch])
                with store.engine.begin() as conn:
                    _save(conn, decisions, batch, results, route, hold_for_review)
        if not batch:
            break
        done += len(batch)
    if done:
        log.info("classified %d post(s)", done, extra={"classified": done})
    return done


def _decide(
    conn: Connection,
    decisions: DecisionStore,
    classifier: PostClassifier,
    batch: list[StoredPost],
    route: SinkChoice,
    hold_for_review: bool,
) -> None:
    if batch:
        results = classifier.classify([(sp.post, sp.post.text) for sp in batch])
        _save(conn, decisions, batch, results, route, hold_for_review)


def _save(
    conn: Connection,
    decisions: DecisionStore,
    batch: list[StoredPost],
    results: list[tuple[Signals, Decision]],
    route: SinkChoice,
    hold_for_review: bool,
) -> None:
    decisions.save_many(
        conn,
        [
            ToSave(
                stored,
                signals,
                decision,
                case_sink=route.sink_for(decision),
                hold=hold_for_review and decision.needs_review,
            )
            for stored, (signals, decision) in zip(batch, results, strict=True)
        ],
    )
