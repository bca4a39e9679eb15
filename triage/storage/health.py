"""What `/healthz` and `/metrics` read from the database (triage/metrics.py), as named reads.

Every replica reports the same shared state because these are read at scrape time. Errors are
the engine's own: the caller decides how a scrape answers when the database does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from triage.storage.tables import cases, posts, quarantine, source_state


@dataclass(frozen=True, kw_only=True, slots=True)
class Health:
    #: Each known source's name and whether its last poll left it healthy.
    sources: dict[str, bool]
    #: When the longest-waiting due case (pending or failed) was due; None: none is.
    oldest_due: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Backlog:
    #: Stored posts without a decision yet.
    undecided: int
    cases_by_status: dict[str, int]
    quarantined_by_source: dict[str, int]


def read_health(engine: Engine) -> Health:
    with engine.connect() as conn:
        states = conn.execute(select(source_state.c.name, source_state.c.healthy)).all()
        oldest = conn.execute(
            select(func.min(cases.c.next_attempt_at)).where(
                cases.c.status.in_(("pending", "failed"))
            )
        ).scalar_one_or_none()
    return Health(sources={str(n): bool(h) for n, h in states}, oldest_due=oldest)


def read_backlog(engine: Engine) -> Backlog:
    with engine.connect() as conn:
        undecided = conn.execute(
            select(func.count()).select_from(posts).where(posts.c.classified_at.is_(None))
        ).scalar_one()
        by_status = conn.execute(
            select(cases.c.status, func.count()).group_by(cases.c.status)
        ).all()
        held = conn.execute(
            select(quarantine.c.source, func.count()).group_by(quarantine.c.source)
        ).all()
    return Backlog(
        undecided=int(undecided),
        cases_by_status={str(s): int(n) for s, n in by_status},
        quarantined_by_source={str(s): int(n) for s, n in held},
    )


def cases_sent_since(engine: Engine, since: datetime) -> list[tuple[datetime, datetime]]:
    """(created, sent) of every case sent after `since`, for the delivery latency histogram."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(cases.c.created_at, cases.c.sent_at).where(cases.c.sent_at > since)
        ).all()
    return [(created, sent) for created, sent in rows]
