"""Cases as people see them: the `cases` command's list and counts, a person's retry or
release of a case, and the review queue's reads and writes of a post's case in its own
transaction. The delivery workers' side (claim, lease, outcome) is `case_delivery.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, RowMapping, delete, func, select, update

from kernel.models import CaseStatus
from triage.storage.tables import cases, posts


@dataclass(frozen=True, kw_only=True, slots=True)
class CaseRow:
    """A case as listed by `social-triage cases` (no post text)."""

    id: int
    post_id: int
    source: str
    external_id: str
    sink: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    ticket_id: str | None
    ticket_url: str | None
    ticket_status: str | None
    last_error: str | None
    created_at: datetime
    follow_up: str | None = None


class CaseStore:
    """Cases as the `cases` command lists them and a person acts on them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list(self, status: str | None = None, *, limit: int = 100) -> list[CaseRow]:
        stmt = (
            select(cases, posts.c.source, posts.c.external_id)
            .join(posts, posts.c.id == cases.c.post_id)
            .order_by(cases.c.id.desc())
            .limit(limit)
        )
        if status:
            stmt = stmt.where(cases.c.status == status)
        with self.engine.connect() as conn:
            return [
                CaseRow(
                    id=r["id"],
                    post_id=r["post_id"],
                    source=r["source"],
                    external_id=r["external_id"],
                    sink=r["sink"],
                    status=r["status"],
                    attempts=r["attempts"],
                    next_attempt_at=r["next_attempt_at"],
                    ticket_id=r["ticket_id"],
                    ticket_url=r["ticket_url"],
                    ticket_status=r["ticket_status"],
                    last_error=r["last_error"],
                    created_at=r["created_at"],
                    follow_up=r["follow_up"],
                )
                for r in conn.execute(stmt).mappings()
            ]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                str(status): int(count)
                for status, count in conn.execute(
                    select(cases.c.status, func.count())
                    .group_by(cases.c.status)
                    .order_by(cases.c.status)
                ).all()
            }

    def retry(self, case_id: int) -> bool:
        """Put a dead or failed case back in the queue now; False if it is not one of those.

        A pending case is queued already and may be in a worker's hands (a claim makes a case
        pending until its outcome is recorded): it is left alone, so a retry never makes a
        second delivery of a case in flight."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(cases)
                .where(
                    cases.c.id == case_id,
                    cases.c.status.in_([CaseStatus.DEAD.value, CaseStatus.FAILED.value]),
                )
                .values(
                    status=CaseStatus.PENDING.value,
                    next_attempt_at=now,
                    attempts=0,
                    updated_at=now,
                )
            )
        return bool(done.rowcount)

    def release(self, case_id: int) -> bool:
        """A human let a held case go: pending and due now; False if it is not held."""
        with self.engine.begin() as conn:
            return release_held(conn, case_id, datetime.now(UTC))

    def status_of(self, case_id: int) -> str | None:
        with self.engine.connect() as conn:
            status = conn.execute(
                select(cases.c.status).where(cases.c.id == case_id)
            ).scalar_one_or_none()
        return None if status is None else str(status)


# --- a post's case, in the caller's transaction (the review queue's actions) ---------------------


def release_held(conn: Connection, case_id: int, now: datetime) -> bool:
    """A held case becomes pending and due at `now`; False if it is not held."""
    done = conn.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.status == CaseStatus.HELD.value)
        .values(status=CaseStatus.PENDING.value, next_attempt_at=now, updated_at=now)
    )
    return bool(done.rowcount)


def hold_back(conn: Connection, case_id: int, until: datetime) -> None:
    """A pending case is not due before `until`."""
    conn.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.status == CaseStatus.PENDING.value)
        .values(next_attempt_at=until)
    )


def withdraw_unstarted(conn: Connection, post_id: int, now: datetime) -> bool:
    """Delete the post's case if no worker has touched it (pending, no attempt, not due by
    `now`); False when it is on its way already."""
    done = conn.execute(
        delete(cases).where(
            cases.c.post_id == post_id,
            cases.c.status == CaseStatus.PENDING.value,
            cases.c.attempts == 0,
            cases.c.next_attempt_at > now,
        )
    ).rowcount
    return bool(done)


def case_of_post(conn: Connection, post_id: int) -> tuple[int, str] | None:
    """(id, status) of a case of the post, if it has one."""
    row = conn.execute(
        select(cases.c.id, cases.c.status).where(cases.c.post_id == post_id).limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def delivery_of_post(conn: Connection, post_id: int) -> tuple[int, str, int, str | None] | None:
    """(id, status, attempts, ticket id) of a case of the post, if it has one: how far its
    delivery got."""
    row = conn.execute(
        select(cases.c.id, cases.c.status, cases.c.attempts, cases.c.ticket_id)
        .where(cases.c.post_id == post_id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return int(row[0]), str(row[1]), int(row[2] or 0), row[3]


def newest_of_post(conn: Connection, post_id: int) -> RowMapping | None:
    """`id`, `status` and `sink` of the post's newest case."""
    return (
        conn.execute(
            select(cases.c.id, cases.c.status, cases.c.sink)
            .where(cases.c.post_id == post_id)
            .order_by(cases.c.id.desc())
        )
        .mappings()
        .first()
    )


def newest_ticket_id(conn: Connection, post_id: int) -> str | None:
    """The helpdesk's ticket id of the post's newest case (None until the helpdesk gave one)."""
    return conn.execute(
        select(cases.c.ticket_id)
        .where(cases.c.post_id == post_id)
        .order_by(cases.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def post_of_case(conn: Connection, case_id: int) -> int:
    """The case's post (the case must exist)."""
    return int(conn.execute(select(cases.c.post_id).where(cases.c.id == case_id)).scalar_one())


def held(conn: Connection, limit: int) -> list[tuple[int, str, int]]:
    """(case id, sink, post id) of held cases, oldest first."""
    rows = conn.execute(
        select(cases.c.id, cases.c.sink, cases.c.post_id)
        .where(cases.c.status == CaseStatus.HELD.value)
        .order_by(cases.c.id)
        .limit(limit)
    ).all()
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]
