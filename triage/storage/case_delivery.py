"""The outbox's side of cases: delivery workers claim due cases with a lease, deliver, record
the outcome; the status sync pages through the open tickets.

Claiming sets `next_attempt_at` to now + lease and `claimed_by` to the worker in the same
statement that selects the due cases (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and makes them
`pending`, so no two workers hold one case at a time and `failed` always means waiting for the
next attempt. The holder renews the lease while it works (`renew`, a heartbeat), however slow
the helpdesk; a worker killed mid-delivery only delays the case until its lease ends, and the
sink's lookup by idempotency key then finds the ticket it may have created. `held` cases are
not due: they wait for a human to release them (`cases.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from kernel.models import Author, Case, CaseStatus, Post, TicketRef
from kernel.scrub import scrub
from triage.storage.codec import decision_from_row, signals_from_json
from triage.storage.store import stored_post_from_row
from triage.storage.tables import cases, decisions, posts

#: How many ancestors of a post are included as thread context.
THREAD_DEPTH = 5
DUE = (CaseStatus.PENDING.value, CaseStatus.FAILED.value)


class CaseDelivery:
    """Cases as the delivery workers and the status sync see them: whole `Case` records, with
    the post, its decision and its thread, for a sink."""

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
