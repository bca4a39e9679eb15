"""Escalating a post: the queue's one path into the helpdesk.

The post's row is locked and checked (`triage.queue.guard`), a new decision routes it to the
helpdesk through `DecisionStore.save`, whose transactional outbox creates the case once (its
idempotency key), and the case is held back `UNDO_SECONDS` so the agent may still take it back.
`QueueService.escalate` calls `escalate` here, passing itself as the `EscalationDesk` (named
here so this module does not import the service that imports it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Protocol

from config.schema import Settings
from kernel.errors import InputError
from kernel.models import Decision, Route
from triage.queue.answering import Desk
from triage.queue.models import UNDO_SECONDS, ItemStatus, QueueItem, User
from triage.queue.store import QueueStore
from triage.queue.writes import ItemState
from triage.storage import cases as case_rows
from triage.storage.decisions import DecisionStore


class EscalationDesk(Desk, Protocol):
    """What escalating needs of the queue service besides what answering does: its reads
    (is the post escalated already?) and the decision store the case is made through."""

    reads: QueueStore
    decisions: DecisionStore


def escalate(
    desk: EscalationDesk,
    post_id: int,
    user: User,
    reason: str = "",
    *,
    check: Callable[[ItemState, QueueItem], None] | None = None,
    **audit: Any,
) -> int:
    """Make the post a helpdesk case through the outbox; returns the case id. A post that
    already has a case is never escalated twice (InputError names the case), also when two
    people escalate it at once: the second waits for the row's lock and then finds it
    escalated. `check` may refuse the post once its row is locked (a bulk escalation skips
    answered and claimed posts); `audit` goes into the audit entry."""
    stored = desk._stored(post_id)
    with desk.engine.begin() as conn:
        _no_case(desk, conn, post_id)
        state, item = desk._begin(conn, post_id, user, "escalate")
        _no_case(desk, conn, post_id)  # as it is now that the row is ours
        if check is not None:
            check(state, item)
        old = item.decision
        decision = dataclasses.replace(
            old,
            route=Route.HELPDESK,
            tier=2,
            confidence=1.0,
            needs_review=False,
            rule="agent escalation",
            explanation=(
                f"Escalated to the helpdesk by {user.name}"
                + (f": {reason.strip()}" if reason.strip() else ".")
                + f"\nThe classifier had decided {old.route.value} (rule {old.rule!r})."
            ),
            rules_tried=(),
            sink=None,
        )
        sink = sink_for(desk.settings, decision)
        if sink is None:
            raise InputError("escalate: no sink is configured (settings `sinks`)")
        desk.decisions.save(
            conn, stored, item.signals, decision, decided_by=user.actor, case_sink=sink
        )
        case = desk.writes.case_of(conn, post_id)
        assert case is not None
        desk.writes.hold_back_case(conn, case[0], UNDO_SECONDS)
        desk._advance(
            conn,
            post_id,
            state,
            user,
            status=ItemStatus.ESCALATED.value,
            claimed_by=None,
            claim_expires_at=None,
        )
        desk.writes.audit(
            conn,
            user.name,
            "escalate",
            post_id,
            case=case[0],
            sink=sink,
            reason=reason.strip() or None,
            **audit,
        )
    return case[0]


def sink_for(settings: Settings, decision: Decision) -> str | None:
    """The sink a decision's case goes to: its own, its priority's, or the default one."""
    esc = settings.escalation
    default = esc.default_sink or (settings.sinks[0].name if settings.sinks else None)
    return decision.sink or esc.priority_sinks.get(decision.priority) or default  # type: ignore[call-overload]


def why_not_withdrawn(conn: Any, post_id: int) -> str:
    """Why an escalation can no longer be undone: its case left or is leaving."""
    row = case_rows.delivery_of_post(conn, post_id)
    if row is None:
        return f"post {post_id}: its case is gone; nothing to undo"
    case_id, status, attempts, ticket = row
    if status in ("sent", "closed"):
        where = f" as ticket {ticket}" if ticket else ""
        return (
            f"post {post_id}: case {case_id} was delivered to the helpdesk{where}; a "
            "delivered escalation cannot be undone (ask the helpdesk to close it)"
        )
    if attempts or status != "pending":
        return (
            f"post {post_id}: case {case_id} is on its way to the helpdesk ({status}, "
            f"{attempts} attempt{'s' if attempts != 1 else ''}); it cannot be undone now"
        )
    return (
        f"post {post_id}: case {case_id} is on its way to the helpdesk (its {UNDO_SECONDS} s "
        "hold is over and the outbox may send it at any moment); it cannot be undone"
    )


def _no_case(desk: EscalationDesk, conn: Any, post_id: int) -> None:
    existing = desk.writes.case_of(conn, post_id)
    if existing is None:
        return
    case_id, status = existing
    item = desk.reads.item_in(conn, post_id)
    if item is not None and item.status is ItemStatus.ESCALATED:
        raise InputError(f"post {post_id} is already escalated: case {case_id} ({status})")
    raise InputError(f"post {post_id} already has a helpdesk case: case {case_id} ({status})")
