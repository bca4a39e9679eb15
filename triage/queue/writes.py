"""Writes of the review queue: an item's work state and claim, the send log, people's
corrections and the audit log.

Every method takes the caller's connection: a service action (check, work, audit entry) is one
transaction. The SQL is in storage (`triage.storage.queue_items`, `replies`, `corrections`,
`cases`, `audit`, `presence`); reads are `triage.queue.store`; the service
(`triage.queue.service`) decides who may write what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from kernel.models import SentMessage
from triage.queue.models import ItemStatus
from triage.queue.store import QueueStore
from triage.storage import audit as audit_rows
from triage.storage import cases as case_rows
from triage.storage import corrections as correction_rows
from triage.storage import decisions as decision_rows
from triage.storage import presence as presence_rows
from triage.storage import queue_items
from triage.storage import replies as reply_rows
from triage.storage.audit import write_audit


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

    def set_item(self, conn: Connection, post_id: int, by: str, **values: Any) -> None:
        """Upsert the item's work state (no row: open); the reads' cached counts are dropped."""
        self.reads.invalidate()
        values.update(updated_by=by, updated_at=datetime.now(UTC))
        queue_items.upsert(conn, post_id, status=ItemStatus.OPEN.value, values=values)

    def lock(self, conn: Connection, post_id: int, by: str) -> ItemState:
        """The item's row, created if missing and locked for this transaction
        (`triage.storage.queue_items.lock`): of two actions on one item the second reads what
        the first wrote."""
        status, claimed_by, until, version = queue_items.lock(
            conn, post_id, status=ItemStatus.OPEN.value, by=by, now=datetime.now(UTC)
        )
        return ItemState(
            status=status, claimed_by=claimed_by, claim_expires_at=until, version=version
        )

    def advance(
        self, conn: Connection, post_id: int, seen: ItemState, by: str, **values: Any
    ) -> bool:
        """Write the item's new state only if it is still the version `seen` (the conditional
        update every action makes); False when someone changed it in between."""
        self.reads.invalidate()
        values.update(updated_by=by, updated_at=datetime.now(UTC))
        return queue_items.advance(conn, post_id, seen.version, values)

    def has_replies(self, conn: Connection, post_id: int) -> bool:
        """A reply or DM from the queue exists (sent, dry run, or being sent now)."""
        return reply_rows.exists_for(conn, post_id)

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
        return reply_rows.reserve(
            conn,
            post_id,
            channel=channel,
            text=text,
            dry_run=dry_run,
            by=by,
            key=key,
            now=datetime.now(UTC),
        )

    def complete_reply(self, conn: Connection, reply_id: int, sent: SentMessage) -> None:
        reply_rows.complete(conn, reply_id, sent, datetime.now(UTC))

    def drop_reply(self, conn: Connection, reply_id: int) -> None:
        """The platform refused: the reservation goes, the form may be sent again."""
        reply_rows.drop(conn, reply_id)

    def replied_with(self, conn: Connection, key: str) -> SentMessage | None:
        """What a form with this idempotency key already sent."""
        return reply_rows.sent_with(conn, key)

    def see(self, conn: Connection, post_id: int, name: str, activity: str) -> None:
        """`name` has the item open (`viewing`) or is typing an answer (`replying`)."""
        presence_rows.see(conn, post_id, name, activity, datetime.now(UTC))

    def claim(
        self, conn: Connection, post_id: int, by: str, until: datetime, *, take: bool
    ) -> bool:
        """Claim the item for `by` until `until`; False when someone else's claim holds.
        `take` (a lead) claims over anyone's. The item's row must exist (`set_item`)."""
        return queue_items.claim(conn, post_id, by, until, take=take, now=datetime.now(UTC))

    def reply(self, conn: Connection, post_id: int, sent: SentMessage, by: str) -> None:
        """The queue's send log: who sent what, dry runs and DMs included."""
        reply_rows.add(conn, post_id, sent, by=by, now=datetime.now(UTC))

    def correction(
        self, conn: Connection, post_id: int, field: str, old: str | None, new: str, by: str
    ) -> None:
        """A person's label, kept as training data (`triage.queue.corrections`)."""
        correction_rows.add(conn, post_id, field, old, new, by=by, now=datetime.now(UTC))

    def audit(
        self, conn: Connection, actor: str, action: str, post_id: int | None, **detail: Any
    ) -> None:
        write_audit(conn, actor, action, post_id, detail)

    def last_action(self, conn: Connection, post_id: int) -> tuple[str, str, datetime] | None:
        """(actor, action, at) of the newest audit entry on the post that changed it (notes
        and take-overs aside)."""
        return audit_rows.last_change(conn, post_id, besides=("note", "take_over"))

    def release_case(self, conn: Connection, case_id: int) -> bool:
        """A lead lets a held case go: pending and due now; False if it is not held."""
        return case_rows.release_held(conn, case_id, datetime.now(UTC))

    def hold_back_case(self, conn: Connection, case_id: int, seconds: int) -> None:
        """An agent's escalation waits `seconds` before the outbox may deliver it: the time
        its Undo is offered."""
        case_rows.hold_back(conn, case_id, datetime.now(UTC) + timedelta(seconds=seconds))

    def withdraw_case(self, conn: Connection, post_id: int) -> bool:
        """Delete the post's case if the outbox has not touched it yet (pending, no attempt,
        not yet due): an undone escalation. False when it is on its way already."""
        return case_rows.withdraw_unstarted(conn, post_id, datetime.now(UTC))

    def previous_decision(self, conn: Connection, post_id: int) -> tuple[Any, Any] | None:
        """(decision, signals) the post's current decision replaced."""
        return decision_rows.previous(conn, post_id)

    def case_of(self, conn: Connection, post_id: int) -> tuple[int, str] | None:
        """(id, status) of the post's helpdesk case, if it has one: a post is escalated once."""
        return case_rows.case_of_post(conn, post_id)

    def post_of_case(self, conn: Connection, case_id: int) -> int:
        """The post a case is for (the case must exist)."""
        return case_rows.post_of_case(conn, case_id)
