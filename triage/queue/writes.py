"""Writes of the review queue: an item's work state and claim, the send log, people's
corrections and the audit log.

Every method takes the caller's connection: a service action (check, work, audit entry) is one
transaction. Reads are `triage.queue.store`; the service (`triage.queue.service`) decides who
may write what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kernel.models import SentMessage
from triage.queue.models import ItemStatus
from triage.queue.store import QueueStore
from triage.storage.audit import write_audit
from triage.storage.tables import (
    audit_log,
    cases,
    corrections,
    decisions,
    presence,
    queue_items,
    replies,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemState:
    """An item's work row as read inside an action's transaction."""

    status: str
    claimed_by: str | None
    claim_expires_at: datetime | None
    version: int

    def claimant(self, now: datetime) -> str | None:
        """Who holds a live claim, if anyone."""
        if self.claimed_by and self.claim_expires_at and self.claim_expires_at > now:
            return self.claimed_by
        return None


class QueueWrites:
    def __init__(self, engine: Engine, reads: QueueStore) -> None:
        self.reads = reads
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def set_item(self, conn: Connection, post_id: int, by: str, **values: Any) -> None:
        """Upsert the item's work state (no row: open); the reads' cached counts are dropped."""
        self.reads.invalidate()
        now = datetime.now(UTC)
        values.update(updated_by=by, updated_at=now)
        insert_values = {"post_id": post_id, "status": ItemStatus.OPEN.value, **values}
        conn.execute(
            self._insert(queue_items)
            .values(**insert_values)
            .on_conflict_do_update(index_elements=["post_id"], set_=values)
        )

    def lock(self, conn: Connection, post_id: int, by: str) -> ItemState:
        """The item's row, created if missing and locked for this transaction: the insert
        takes SQLite's write lock at once, `FOR UPDATE` the row's on PostgreSQL, so of two
        actions on one item the second reads what the first wrote."""
        now = datetime.now(UTC)
        conn.execute(
            self._insert(queue_items)
            .values(post_id=post_id, status=ItemStatus.OPEN.value, updated_by=by, updated_at=now)
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
        return ItemState(
            status=row[0], claimed_by=row[1], claim_expires_at=row[2], version=int(row[3] or 0)
        )

    def advance(
        self, conn: Connection, post_id: int, seen: ItemState, by: str, **values: Any
    ) -> bool:
        """Write the item's new state only if it is still the version `seen` (the conditional
        update every action makes); False when someone changed it in between."""
        self.reads.invalidate()
        values.update(updated_by=by, updated_at=datetime.now(UTC))
        done = conn.execute(
            update(queue_items)
            .where(queue_items.c.post_id == post_id, queue_items.c.version == seen.version)
            .values(version=queue_items.c.version + 1, **values)
        ).rowcount
        return bool(done)

    def has_replies(self, conn: Connection, post_id: int) -> bool:
        """A reply or DM from the queue exists (sent, dry run, or being sent now)."""
        found = conn.execute(
            select(replies.c.id).where(replies.c.post_id == post_id).limit(1)
        ).first()
        return found is not None

    def reserve_reply(
        self,
        conn: Connection,
        post_id: int,
        *,
        channel: str,
        text: str,
        dry_run: bool,
        by: str,
        key: str | None,
    ) -> int:
        """The send log's row, written before the platform is asked: a second submit of the
        same form hits the unique `idempotency_key` and sends nothing."""
        return int(
            conn.execute(
                replies.insert()
                .values(
                    post_id=post_id,
                    channel=channel,
                    text=text,
                    dry_run=dry_run,
                    sent_by=by,
                    sent_at=datetime.now(UTC),
                    idempotency_key=key,
                )
                .returning(replies.c.id)
            ).scalar_one()
        )

    def complete_reply(self, conn: Connection, reply_id: int, sent: SentMessage) -> None:
        conn.execute(
            update(replies)
            .where(replies.c.id == reply_id)
            .values(
                text=sent.text,
                dry_run=sent.dry_run,
                external_id=sent.external_id,
                url=sent.url,
                sent_at=datetime.now(UTC),
            )
        )

    def drop_reply(self, conn: Connection, reply_id: int) -> None:
        """The platform refused: the reservation goes, the form may be sent again."""
        conn.execute(delete(replies).where(replies.c.id == reply_id))

    def replied_with(self, conn: Connection, key: str) -> SentMessage | None:
        """What a form with this idempotency key already sent."""
        row = (
            conn.execute(select(replies).where(replies.c.idempotency_key == key)).mappings().first()
        )
        if row is None:
            return None
        return SentMessage(
            channel=row["channel"],
            text=row["text"],
            external_id=row["external_id"],
            url=row["url"],
            dry_run=row["dry_run"],
        )

    def see(self, conn: Connection, post_id: int, name: str, activity: str) -> None:
        """`name` has the item open (`viewing`) or is typing an answer (`replying`)."""
        now = datetime.now(UTC)
        conn.execute(delete(presence).where(presence.c.seen_at < now - timedelta(minutes=1)))
        conn.execute(
            self._insert(presence)
            .values(post_id=post_id, user_name=name, activity=activity, seen_at=now)
            .on_conflict_do_update(
                index_elements=["post_id", "user_name"],
                set_={"activity": activity, "seen_at": now},
            )
        )

    def claim(
        self, conn: Connection, post_id: int, by: str, until: datetime, *, take: bool
    ) -> bool:
        """Claim the item for `by` until `until`; False when someone else's claim holds.
        `take` (a lead) claims over anyone's. The item's row must exist (`set_item`)."""
        stmt = update(queue_items).values(claimed_by=by, claim_expires_at=until)
        if take:
            conn.execute(stmt.where(queue_items.c.post_id == post_id))
            return True
        # The conditional update is the lock: of two agents claiming at once, one wins.
        won = conn.execute(
            stmt.where(
                queue_items.c.post_id == post_id,
                (queue_items.c.claimed_by.is_(None))
                | (queue_items.c.claimed_by == by)
                | (queue_items.c.claim_expires_at <= datetime.now(UTC)),
            )
        ).rowcount
        return bool(won)

    def reply(self, conn: Connection, post_id: int, sent: SentMessage, by: str) -> None:
        """The queue's send log: who sent what, dry runs and DMs included."""
        conn.execute(
            replies.insert().values(
                post_id=post_id,
                channel=sent.channel,
                text=sent.text,
                dry_run=sent.dry_run,
                external_id=sent.external_id,
                url=sent.url,
                sent_by=by,
                sent_at=datetime.now(UTC),
            )
        )

    def correction(
        self, conn: Connection, post_id: int, field: str, old: str | None, new: str, by: str
    ) -> None:
        """A person's label, kept as training data (`triage.queue.corrections`)."""
        conn.execute(
            corrections.insert().values(
                post_id=post_id,
                field=field,
                old_value=old,
                new_value=new,
                author=by,
                created_at=datetime.now(UTC),
            )
        )

    def audit(
        self, conn: Connection, actor: str, action: str, post_id: int | None, **detail: Any
    ) -> None:
        write_audit(conn, actor, action, post_id, detail)

    def last_action(self, conn: Connection, post_id: int) -> tuple[str, str, datetime] | None:
        """(actor, action, at) of the newest audit entry on the post that changed it (notes
        and take-overs aside)."""
        row = conn.execute(
            select(audit_log.c.actor, audit_log.c.action, audit_log.c.at)
            .where(
                audit_log.c.post_id == post_id,
                audit_log.c.action.not_in(("note", "take_over")),
            )
            .order_by(audit_log.c.id.desc())
            .limit(1)
        ).first()
        return (str(row[0]), str(row[1]), row[2]) if row else None

    def release_case(self, conn: Connection, case_id: int) -> bool:
        """A lead lets a held case go: pending and due now; False if it is not held."""
        now = datetime.now(UTC)
        done = conn.execute(
            update(cases)
            .where(cases.c.id == case_id, cases.c.status == "held")
            .values(status="pending", next_attempt_at=now, updated_at=now)
        ).rowcount
        return bool(done)

    def hold_back_case(self, conn: Connection, case_id: int, seconds: int) -> None:
        """An agent's escalation waits `seconds` before the outbox may deliver it: the time
        its Undo is offered."""
        later = datetime.now(UTC) + timedelta(seconds=seconds)
        conn.execute(
            update(cases)
            .where(cases.c.id == case_id, cases.c.status == "pending")
            .values(next_attempt_at=later)
        )

    def withdraw_case(self, conn: Connection, post_id: int) -> bool:
        """Delete the post's case if the outbox has not touched it yet (pending, no attempt,
        not yet due): an undone escalation. False when it is on its way already."""
        done = conn.execute(
            delete(cases).where(
                cases.c.post_id == post_id,
                cases.c.status == "pending",
                cases.c.attempts == 0,
                cases.c.next_attempt_at > datetime.now(UTC),
            )
        ).rowcount
        return bool(done)

    def previous_decision(self, conn: Connection, post_id: int) -> tuple[Any, Any] | None:
        """(decision, signals) the post's current decision replaced."""
        from triage.storage.codec import decision_from_row, signals_from_json

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

    def case_of(self, conn: Connection, post_id: int) -> tuple[int, str] | None:
        """(id, status) of the post's helpdesk case, if it has one: a post is escalated once."""
        row = conn.execute(
            select(cases.c.id, cases.c.status).where(cases.c.post_id == post_id).limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else None
