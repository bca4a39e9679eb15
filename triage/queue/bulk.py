"""Bulk actions on the posts an agent ticked: ignore (spam), escalate, assign (leads), and
their undo.

Each post goes through the same guarded transition as one action (`QueueService._begin`: the
row locked, `guard.check` on what was read there, a conditional update on its `version`), in a
transaction of its own, so a post that is refused does not stop the others; it is skipped and
named with the reason. A bulk action never overrides someone else's live claim, not even a
lead's: ticking "select all" must not take a post from a colleague who is answering it (a
single action on the item page still can, explicitly).

Escalating goes through `QueueService.escalate` itself, post by post: the case is made by the
outbox's transactional insert with its idempotency key, so a post gets one case however many
people escalate it at once (the second waits for the row's lock, then finds it escalated).
A bulk escalation skips what a single Escalate would refuse (already escalated, a case
already) and also answered posts (the single Escalate allows them, for a reply that promised
a ticket: that is a decision per post, not for "select all").

A batch is one audit entry (`bulk_ignore`, `bulk_escalate`, `bulk_assign`, `bulk_undo`)
listing what was done and what was skipped and why; every post also gets its own entry
(`ignore`, `escalate`, `reassign`) marked with `bulk`. For `UNDO_SECONDS` the person who did it
may undo the batch: each post that nobody acted on since goes back (an ignore or escalation
through `QueueService.undo`, which withdraws a case only while the outbox has not taken it;
an assignment to the claim and assignee it had, if the row's version is still the one the
assignment wrote).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kernel.errors import Conflict, Forbidden, InputError
from triage.queue.models import UNDO_SECONDS, ItemStatus, QueueItem, User
from triage.queue.service import QueueService
from triage.queue.writes import ItemState
from triage.storage import audit as audit_rows

ACTIONS = ("ignore", "escalate", "assign")
RECORDS = ("bulk_ignore", "bulk_escalate", "bulk_assign", "bulk_undo")
#: Posts one bulk action may name (a queue page shows `web.page_size`, 50 by default).
MAX_POSTS = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class Skipped:
    post_id: int
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Batch:
    """One bulk action as its audit entry records it."""

    id: int
    action: str  # ignore, escalate, assign, undo
    by: str
    at: datetime
    done: tuple[int, ...]
    skipped: tuple[Skipped, ...]
    to: str | None = None
    #: For an undo: the batch it took back.
    undoes: int | None = None
    #: For an escalation: the case made for each post done, in the order of `done`.
    cases: tuple[int, ...] = ()

    def undoable(self, user: User, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        return (
            self.action in ACTIONS
            and self.by == user.name
            and bool(self.done)
            and now - self.at <= timedelta(seconds=UNDO_SECONDS)
        )


class BulkActions:
    def __init__(self, service: QueueService) -> None:
        self.service = service
        self.engine = service.engine

    # --- acting -------------------------------------------------------------------------------

    def ignore(self, post_ids: list[int], user: User, reason: str = "") -> Batch:
        """Ignore each open post nobody else holds; the rest are skipped and named."""
        ids = _ids(post_ids)
        self.service._require_worker(user)
        reason = reason.strip()[:500]

        def one(post_id: int) -> None:
            with self.engine.begin() as conn:
                state, _item = self.service._begin(conn, post_id, user, "ignore")
                _not_held(state, user, post_id)
                self.service._advance(
                    conn,
                    post_id,
                    state,
                    user,
                    status=ItemStatus.IGNORED.value,
                    claimed_by=None,
                    claim_expires_at=None,
                )
                self.service.writes.audit(
                    conn, user.name, "ignore", post_id, reason=reason or None, bulk=True
                )

        done, skipped = _each(ids, one)
        return self._record(user, "ignore", done, skipped)

    def escalate(self, post_ids: list[int], user: User, reason: str = "") -> Batch:
        """Make each open post nobody else holds a helpdesk case, exactly as its card's
        Escalate does; answered, escalated, already-cased and claimed posts are skipped."""
        ids = _ids(post_ids)
        self.service._require_worker(user)
        reason = reason.strip()[:500]
        made: dict[int, int] = {}

        def check(state: ItemState, item: QueueItem) -> None:
            if item.status is not ItemStatus.OPEN:
                raise Conflict(
                    f"post {item.post_id} is {item.status.value} already; escalate it from its "
                    "own page if it needs a case"
                )
            _not_held(state, user, item.post_id)

        def one(post_id: int) -> None:
            made[post_id] = self.service.escalate(post_id, user, reason, check=check, bulk=True)

        done, skipped = _each(ids, one)
        cases = [made[post_id] for post_id in done]
        return self._record(user, "escalate", done, skipped, cases=cases or None)

    def assign(self, post_ids: list[int], user: User, to: str) -> Batch:
        """Give each open post to `to` (their claim for `web.claim_minutes`); leads only."""
        ids = _ids(post_ids)
        if not user.is_lead:
            raise Forbidden("only a lead or admin can assign posts")
        from triage.queue.users import UserStore

        target = UserStore(self.engine).get(to)
        if target is None or not target.active or not target.can_work:
            raise InputError(f"assign: {to[:40]!r} is not an active agent, lead or admin")
        minutes = self.service.settings.web.claim_minutes

        def one(post_id: int) -> None:
            with self.engine.begin() as conn:
                state, item = self.service._begin(conn, post_id, user, "reassign")
                if item.status is not ItemStatus.OPEN:
                    raise Conflict(f"post {post_id} is {item.status.value} already")
                _not_held(state, user, post_id, also=to)
                until = datetime.now(UTC) + timedelta(minutes=minutes)
                self.service._advance(
                    conn,
                    post_id,
                    state,
                    user,
                    assigned_to=to,
                    claimed_by=to,
                    claim_expires_at=until,
                )
                was = {
                    "assigned_to": item.assigned_to,
                    "claimed_by": state.claimed_by,
                    "claim_expires_at": _iso(state.claim_expires_at),
                }
                self.service.writes.audit(
                    conn,
                    user.name,
                    "reassign",
                    post_id,
                    to=to,
                    bulk=True,
                    was=was,
                    version=state.version + 1,  # what `_advance` wrote: the undo checks it
                )

        done, skipped = _each(ids, one)
        return self._record(user, "assign", done, skipped, to=to)

    def undo(self, batch_id: int, user: User) -> Batch:
        """Take back your own batch within `UNDO_SECONDS`: every post nobody acted on since."""
        self.service._require_worker(user)
        batch = self.batch(batch_id)
        if batch is None or not batch.undoable(user):
            raise Conflict(
                f"nothing of yours to undo (a bulk action can be undone for {UNDO_SECONDS} s)"
            )
        if batch.action in ("ignore", "escalate"):
            done, skipped = _each(batch.done, lambda post_id: self.service.undo(post_id, user))
        else:
            done, skipped = _each(batch.done, lambda post_id: self._unassign(post_id, user))
        return self._record(user, "undo", done, skipped, undoes=batch.id)

    def _unassign(self, post_id: int, user: User) -> None:
        """Back to the claim and assignee before the assignment, if the row is still at the
        version the assignment wrote (nobody claimed, answered or ignored it since)."""
        with self.engine.begin() as conn:
            self.service._require_worker(user)
            state = self.service.writes.lock(conn, post_id, user.name)
            row = audit_rows.newest_of_action(conn, post_id, "reassign")
            detail = json.loads(row[1] or "{}") if row else {}
            if row is None or row[0] != user.name or detail.get("version") != state.version:
                raise Conflict(f"post {post_id} changed since; it stays as it is")
            was = detail.get("was") or {}
            until = was.get("claim_expires_at")
            self.service._advance(
                conn,
                post_id,
                state,
                user,
                assigned_to=was.get("assigned_to"),
                claimed_by=was.get("claimed_by"),
                claim_expires_at=datetime.fromisoformat(until) if until else None,
            )
            self.service.writes.audit(conn, user.name, "undo", post_id, of="reassign", bulk=True)

    # --- reading ------------------------------------------------------------------------------

    def batch(self, batch_id: int) -> Batch | None:
        """A bulk action's record, by its audit entry's id."""
        with self.engine.connect() as conn:
            row = audit_rows.entry(conn, batch_id, actions=RECORDS)
        if row is None:
            return None
        data = json.loads(row["detail"] or "{}")
        skipped = data.get("skipped", [])
        return Batch(
            id=int(row["id"]),
            action=str(row["action"]).removeprefix("bulk_"),
            by=str(row["actor"]),
            at=row["at"],
            done=tuple(int(i) for i in data.get("done", ())),
            skipped=tuple(Skipped(post_id=int(i), reason=str(r)) for i, r in skipped),
            to=data.get("to"),
            undoes=data.get("undoes"),
            cases=tuple(int(i) for i in data.get("cases", ())),
        )

    def _record(
        self, user: User, action: str, done: list[int], skipped: list[Skipped], **extra: Any
    ) -> Batch:
        """The batch's own audit entry: what was done, what was skipped and why."""
        extra = {k: v for k, v in extra.items() if v is not None}
        detail = {"done": done, "skipped": [[s.post_id, s.reason] for s in skipped], **extra}
        at = datetime.now(UTC)
        with self.engine.begin() as conn:
            batch_id = audit_rows.write_audit(
                conn, user.name, f"bulk_{action}", None, detail, when=at
            )
        return Batch(
            id=int(batch_id),
            action=action,
            by=user.name,
            at=at,
            done=tuple(done),
            skipped=tuple(skipped),
            to=extra.get("to"),
            undoes=extra.get("undoes"),
            cases=tuple(extra.get("cases", ())),
        )


def _each(ids: tuple[int, ...], one: Callable[[int], None]) -> tuple[list[int], list[Skipped]]:
    """Run `one` per post (each its own transaction); a refusal skips that post only."""
    done: list[int] = []
    skipped: list[Skipped] = []
    for post_id in ids:
        try:
            one(post_id)
        except (Conflict, Forbidden, InputError) as exc:
            skipped.append(Skipped(post_id=post_id, reason=str(exc).splitlines()[0]))
        else:
            done.append(post_id)
    return done, skipped


def _ids(post_ids: list[int]) -> tuple[int, ...]:
    ids = tuple(dict.fromkeys(post_ids))
    if not ids:
        raise InputError("bulk: no posts chosen; tick their boxes or 'Select all on this page'")
    if len(ids) > MAX_POSTS:
        raise InputError(f"bulk: at most {MAX_POSTS} posts at once")
    return ids


def _not_held(state: ItemState, user: User, post_id: int, *, also: str | None = None) -> None:
    """A bulk action never takes a post from someone else's live claim (leads included)."""
    claimant = state.claimant(datetime.now(UTC))
    if claimant is None or claimant in (user.name, also):
        return
    until = f"{state.claim_expires_at:%H:%M} UTC" if state.claim_expires_at else ""
    raise Conflict(
        f"post {post_id} is claimed by {claimant} until {until}; open it to act on it",
        claimant=claimant,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
