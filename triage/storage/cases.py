"""Cases: the outbox rows. Workers claim due cases with a lease, deliver, record the outcome.

Claiming sets `next_attempt_at` to now + lease and `claimed_by` to the worker in the same
statement that selects the due cases (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and makes them
`pending`, so no two workers hold one case at a time and `failed` always means waiting for the
next attempt. The holder renews the lease while it works (`renew`, a heartbeat), however slow
the helpdesk; a worker killed mid-delivery only delays the case until its lease ends, and the
sink's lookup by idempotency key then finds the ticket it may have created. `held` cases are
not due: they
wait for a human to `release` them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, delete, func, select, update

from kernel.models import Author, Case, CaseStatus, Post, TicketRef
from kernel.scrub import scrub
from triage.storage.codec import decision_from_row, signals_from_json
from triage.storage.store import stored_post_from_row
from triage.storage.tables import cases, decisions, posts

#: How many ancestors of a post are included as thread context.
THREAD_DEPTH = 5
DUE = (CaseStatus.PENDING.value, CaseStatus.FAILED.value)


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
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def claim_due(
        self,
        *,
        limit: int,
        lease_seconds: float,
        owner: str | None = None,
        skip_sinks: Collection[str] = (),
        only_sink: str | None = None,
    ) -> list[Case]:
        """Claim up to `limit` due cases, oldest due first. `skip_sinks`: leave the cases of
        these sinks where they are (their breaker is open); `only_sink`: this sink's only."""
        now = datetime.now(UTC)
        due = (
            select(cases.c.id)
            .where(cases.c.status.in_(DUE), cases.c.next_attempt_at <= now)
            .order_by(cases.c.next_attempt_at, cases.c.id)
            .limit(limit)
        )
        if skip_sinks:
            due = due.where(cases.c.sink.not_in(sorted(skip_sinks)))
        if only_sink is not None:
            due = due.where(cases.c.sink == only_sink)
        if self.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True)
        with self.engine.begin() as conn:
            ids = (
                conn.execute(
                    update(cases)
                    .where(cases.c.id.in_(due.scalar_subquery()))
                    .values(
                        # A claimed case is `pending` until its outcome is recorded: `failed`
                        # always means waiting for the next attempt, never in a worker's hands.
                        status=CaseStatus.PENDING.value,
                        next_attempt_at=now + timedelta(seconds=lease_seconds),
                        attempts=cases.c.attempts + 1,
                        updated_at=now,
                        claimed_by=owner,
                    )
                    .returning(cases.c.id)
                )
                .scalars()
                .all()
            )
        return [case for case_id in sorted(ids) if (case := self.get(case_id)) is not None]

    def get(self, case_id: int) -> Case | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(
                        cases,
                        decisions,
                        cases.c.id.label("case_id"),
                        cases.c.sink.label("case_sink"),
                    )
                    .join(decisions, decisions.c.id == cases.c.decision_id)
                    .where(cases.c.id == case_id)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            post_row = (
                conn.execute(select(posts).where(posts.c.id == row["post_id"])).mappings().one()
            )
            post = stored_post_from_row(post_row).post
            thread = self._thread(conn, post)
        ticket = (
            TicketRef(
                ticket_id=row["ticket_id"], url=row["ticket_url"], status=row["ticket_status"]
            )
            if row["ticket_id"]
            else None
        )
        return Case(
            id=row["case_id"],
            post=post,
            decision=decision_from_row(row),
            signals=signals_from_json(row["signals"]),
            sink=row["case_sink"],
            idempotency_key=row["idempotency_key"],
            status=CaseStatus(row["status"]),
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            ticket=ticket,
            last_error=row["last_error"],
            thread=thread,
            created_at=row["created_at"],
        )

    def _thread(self, conn: Any, post: Post) -> tuple[Post, ...]:
        ancestors: list[Post] = []
        parent_id = post.parent_id
        while parent_id and len(ancestors) < THREAD_DEPTH:
            row = (
                conn.execute(
                    select(posts).where(
                        posts.c.source == post.source, posts.c.external_id == parent_id
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                # Not stored (it mentioned nobody we listen for): what the source sent along.
                known = _parent_from_raw(ancestors[-1] if ancestors else post, parent_id)
                if known is not None:
                    ancestors.append(known)
                break
            parent = stored_post_from_row(row).post
            ancestors.append(parent)
            parent_id = parent.parent_id
        return tuple(reversed(ancestors))

    def renew(self, case_ids: Sequence[int], *, owner: str, lease_seconds: float) -> set[int]:
        """Extend the leases `owner` still holds on `case_ids`; the ids it still holds."""
        if not case_ids:
            return set()
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            held = (
                conn.execute(
                    update(cases)
                    .where(
                        cases.c.id.in_(list(case_ids)),
                        cases.c.claimed_by == owner,
                        cases.c.status.in_(DUE),
                    )
                    .values(next_attempt_at=now + timedelta(seconds=lease_seconds))
                    .returning(cases.c.id)
                )
                .scalars()
                .all()
            )
        return {int(case_id) for case_id in held}

    def release_leases(self, claimed: Sequence[Case], *, owner: str | None = None) -> int:
        """Give back cases this worker claimed but did not try (shutdown): due again now, the
        claim's attempt not counted, so another replica need not wait for the lease to end.
        A case whose lease another worker has taken over since is left alone (told by `owner`
        when given, else by the lease's end)."""
        now = datetime.now(UTC)
        released = 0
        with self.engine.begin() as conn:
            for case in claimed:
                done = conn.execute(
                    update(cases)
                    .where(
                        cases.c.id == case.id,
                        cases.c.status.in_(DUE),
                        cases.c.claimed_by == owner
                        if owner is not None
                        else cases.c.next_attempt_at == case.next_attempt_at,
                    )
                    .values(
                        claimed_by=None,
                        next_attempt_at=now,
                        attempts=func.max(cases.c.attempts - 1, 0)
                        if self.dialect == "sqlite"
                        else func.greatest(cases.c.attempts - 1, 0),
                        updated_at=now,
                    )
                )
                released += int(done.rowcount or 0)
        return released

    def _set(self, case_id: int, **values: Any) -> None:
        values["updated_at"] = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(update(cases).where(cases.c.id == case_id).values(**values))

    def mark_sent(self, case_id: int, ticket: TicketRef) -> None:
        self._set(
            case_id,
            status=CaseStatus.SENT.value,
            ticket_id=ticket.ticket_id,
            ticket_url=ticket.url,
            ticket_status=ticket.status,
            sent_at=datetime.now(UTC),
            next_attempt_at=None,
            last_error=None,
            claimed_by=None,
        )

    def mark_failed(self, case_id: int, error: str, next_attempt_at: datetime) -> None:
        self._set(
            case_id,
            status=CaseStatus.FAILED.value,
            last_error=scrub(error),
            next_attempt_at=next_attempt_at,
            claimed_by=None,
        )

    def mark_dead(self, case_id: int, error: str) -> None:
        self._set(
            case_id,
            status=CaseStatus.DEAD.value,
            last_error=scrub(error),
            next_attempt_at=None,
            claimed_by=None,
        )

    def set_ticket_status(
        self, case_id: int, status: str, *, closed: bool, follow_up: str | None = None
    ) -> None:
        values: dict[str, Any] = {"ticket_status": status}
        if closed:
            values.update(status=CaseStatus.CLOSED.value, closed_at=datetime.now(UTC))
        if follow_up is not None:
            values["follow_up"] = follow_up
        self._set(case_id, **values)

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

    def open_tickets(self, *, limit: int = 500, after_id: int = 0) -> list[Case]:
        """Sent cases with a ticket, in id order; page on with `after_id` = the last id."""
        with self.engine.connect() as conn:
            ids = (
                conn.execute(
                    select(cases.c.id)
                    .where(
                        cases.c.status == CaseStatus.SENT.value,
                        cases.c.ticket_id.is_not(None),
                        cases.c.id > after_id,
                    )
                    .order_by(cases.c.id)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
        return [case for case_id in ids if (case := self.get(case_id)) is not None]

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


def _parent_from_raw(child: Post, parent_id: str) -> Post | None:
    """The parent a source recorded in `raw["parent"]` (listener/common.parent_context)."""
    known = child.raw.get("parent") if isinstance(child.raw, dict) else None
    if not isinstance(known, dict) or known.get("external_id") != parent_id:
        return None
    try:
        created = datetime.fromisoformat(str(known.get("created_at")))
    except ValueError:
        created = child.created_at
    return Post(
        source=child.source,
        external_id=parent_id,
        text=str(known.get("text") or ""),
        created_at=created,
        url=known.get("url"),
        author=Author(handle=str(known.get("author") or "unknown")),
        conversation_id=child.conversation_id,
    )


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
