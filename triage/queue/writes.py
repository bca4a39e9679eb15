"""Writes of the review queue: an item's work state and claim, the send log, people's
corrections and the audit log.

Every method takes the caller's connection: a service action (check, work, audit entry) is one
transaction. Reads are `triage.queue.store`; the service (`triage.queue.service`) decides who
may write what.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kernel.models import SentMessage
from triage.queue.models import ItemStatus
from triage.queue.store import QueueStore
from triage.storage.tables import audit_log, cases, corrections, queue_items, replies


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
        conn.execute(
            audit_log.insert().values(
                at=datetime.now(UTC),
                actor=actor,
                action=action,
                post_id=post_id,
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            )
        )

    def case_of(self, conn: Connection, post_id: int) -> tuple[int, str] | None:
        """(id, status) of the post's helpdesk case, if it has one: a post is escalated once."""
        row = conn.execute(
            select(cases.c.id, cases.c.status).where(cases.c.post_id == post_id).limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else None
