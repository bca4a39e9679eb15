"""The review queue's one service layer: the web app and `social-triage queue` both call it.

Every action checks the person's role and the item's claim, does its work and writes its audit
entry in one transaction. Replies go through the source's `Responder` (dry run by default);
escalation and corrections write a new decision through `DecisionStore.save`, so a helpdesk
case is created by the existing transactional outbox, and only once (its idempotency key).
Reads are `triage.queue.store`, writes `triage.queue.writes`; what a correction makes of a
post's signals and decision is `triage.queue.redecide`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from config.schema import Settings
from kernel.abc import Responder
from kernel.errors import Conflict, Forbidden, InputError
from kernel.models import Decision, Route, StoredPost
from triage.queue import answering, due, escalating, guard, presence
from triage.queue.models import (
    CORRECTABLE,
    UNDO_SECONDS,
    Filters,
    ItemDetail,
    ItemPage,
    ItemStatus,
    QueueItem,
    User,
    View,
)
from triage.queue.redecide import redecide
from triage.queue.sla import Badge, SlaClock
from triage.queue.store import QueueStore
from triage.queue.writes import ItemState, QueueWrites
from triage.storage import Store
from triage.storage.cases import CaseStore
from triage.storage.decisions import DecisionStore


class QueueService:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.engine = store.engine
        self.clock = SlaClock.from_settings(settings)
        self.reads = QueueStore(store.engine, late_since=self.late_since)
        self.writes = QueueWrites(store.engine, self.reads)
        self.decisions = DecisionStore(store.engine)
        self.cases = CaseStore(store.engine)
        #: One responder per source (`fetched_by`), built on first use: tweepy and praw
        #: clients keep their sessions and token between replies.
        self._responders: dict[str | None, Responder] = {}
        self._responders_lock = threading.Lock()

    def late_since(self) -> dict[str, datetime]:
        """Per route with a target, the newest `created_at` whose post is late now: what the
        tabs' "3 late" counts (`QueueStore.late`)."""
        now = datetime.now(UTC)
        found = {}
        for route, minutes in self.clock.targets.items():
            if minutes:
                moment = self.clock.late_since(timedelta(minutes=minutes), now)
                if moment is not None:
                    found[route] = moment
        return found

    def responder(self, source_name: str | None) -> Responder:
        """The responder for posts fetched by `source_name`, built once (`NotConfigured`,
        not cached, when a reply credential is missing outside dry run)."""
        from listener.respond import build_responder, source_settings

        with self._responders_lock:
            found = self._responders.get(source_name)
            if found is None:
                source = source_settings(self.settings, source_name)
                found = build_responder(source, dry_run=self.settings.replies.dry_run)
                self._responders[source_name] = found
            return found

    def close(self) -> None:
        """Close the cached responders (their HTTP sessions)."""
        with self._responders_lock:
            found, self._responders = list(self._responders.values()), {}
        for responder in found:
            responder.close()

    # --- reading ------------------------------------------------------------------------------

    def page(
        self,
        view: View | None,
        filters: Filters,
        *,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> ItemPage:
        return self.reads.page(
            view, filters, cursor=cursor, limit=limit or self.settings.web.page_size
        )

    def detail(self, post_id: int) -> ItemDetail:
        found = self.reads.detail(post_id)
        if found is None:
            raise InputError(f"no decided post {post_id} in the queue")
        return found

    def item(self, post_id: int) -> QueueItem:
        found = self.reads.item(post_id)
        if found is None:
            raise InputError(f"no decided post {post_id} in the queue")
        return found

    def sla(self, item: QueueItem, now: datetime | None = None) -> tuple[str, str]:
        """(state, label) of the item's first-response badge: `ok`, `soon`, `breach` or
        `done`, counted in business time (`triage.queue.sla`)."""
        found = self.badge(item, now)
        return found.state, found.label

    def badge(self, item: QueueItem, now: datetime | None = None) -> Badge:
        return self.clock.badge(
            item.decision.route.value,
            item.post.created_at,
            now or datetime.now(UTC),
            open_=item.status is ItemStatus.OPEN,
        )

    def due_text(self, item: QueueItem, now: datetime | None = None) -> str:
        """When an open item's first response falls due, in `sla.timezone`; "" if never."""
        due = self.badge(item, now).due
        if due is None:
            return ""
        zone = self.clock.zone
        return f"due {due.astimezone(zone):%a %d %b %H:%M} ({zone.key})"

    def due_page(
        self, view: View, filters: Filters, *, page: int = 0, limit: int | None = None
    ) -> ItemPage:
        """A view's open items, the least time left first (`triage.queue.due`)."""
        return due.due_page(
            self.reads,
            self.clock,
            view,
            filters,
            page=page,
            limit=limit or self.settings.web.page_size,
        )

    # --- permissions --------------------------------------------------------------------------

    def _require_worker(self, user: User) -> None:
        if not user.can_work:
            raise Forbidden(f"{user.name} ({user.role}) can read the queue but not act on it")

    def _require_lead(self, user: User, what: str) -> None:
        if not user.is_lead:
            raise Forbidden(f"only a lead or admin can {what}")

    def _check_claim(self, item: QueueItem, user: User) -> None:
        claim = item.claim
        if claim and claim.by != user.name and not user.is_lead:
            raise Forbidden(
                f"post {item.post_id} is claimed by {claim.by} until {claim.until:%H:%M} UTC"
            )

    def audit(
        self, user: User | str, action: str, post_id: int | None = None, **detail: Any
    ) -> None:
        """An audit entry on its own (logins, user changes)."""
        actor = user.name if isinstance(user, User) else user
        with self.engine.begin() as conn:
            self.writes.audit(conn, actor, action, post_id, **detail)

    def _work(self, post_id: int, user: User) -> QueueItem:
        self._require_worker(user)
        item = self.item(post_id)
        self._check_claim(item, user)
        return item

    # --- the guarded transition every action makes ----------------------------------------

    def _begin(
        self,
        conn: Any,
        post_id: int,
        user: User,
        action: str,
        *,
        take_over: bool = False,
        again: bool = False,
    ) -> tuple[ItemState, QueueItem]:
        """Lock the item's row, read it, check `guard.check` and record an override: the
        start of every action's one transaction."""
        self._require_worker(user)
        if self.reads.item_in(conn, post_id) is None:
            raise InputError(f"no decided post {post_id} in the queue")
        state = self.writes.lock(conn, post_id, user.name)
        item = self.reads.item_in(conn, post_id)  # as it is now that the row is ours
        assert item is not None
        sent_before = action in guard.ANSWERS and self.writes.has_replies(conn, post_id)
        overridden = guard.check(
            item,
            state,
            user,
            action,
            now=datetime.now(UTC),
            sent_before=sent_before,
            take_over=take_over,
            again=again,
        )
        if overridden:
            self.writes.audit(conn, user.name, "take_over", post_id, of=overridden, to=action)
        return state, item

    def _advance(self, conn: Any, post_id: int, seen: ItemState, user: User, **values: Any) -> None:
        if not self.writes.advance(conn, post_id, seen, user.name, **values):
            raise Conflict(f"post {post_id} changed meanwhile; look again")

    # --- claiming -----------------------------------------------------------------------------

    def claim(self, post_id: int, user: User, *, take_over: bool = False) -> datetime:
        until = datetime.now(UTC) + timedelta(minutes=self.settings.web.claim_minutes)
        with self.engine.begin() as conn:
            state, _item = self._begin(conn, post_id, user, "claim", take_over=take_over)
            self._advance(conn, post_id, state, user, claimed_by=user.name, claim_expires_at=until)
            self.writes.audit(
                conn, user.name, "claim", post_id, until=until.isoformat(timespec="seconds")
            )
        return until

    def unclaim(self, post_id: int, user: User) -> None:
        with self.engine.begin() as conn:
            state, _item = self._begin(conn, post_id, user, "unclaim")
            self._advance(conn, post_id, state, user, claimed_by=None, claim_expires_at=None)
            self.writes.audit(conn, user.name, "unclaim", post_id)

    def reassign(self, post_id: int, user: User, to: str) -> None:
        self._require_lead(user, "reassign items")
        self.item(post_id)
        from triage.queue.users import UserStore

        target = UserStore(self.engine).get(to)
        if target is None or not target.active or not target.can_work:
            raise InputError(f"reassign: {to!r} is not an active agent, lead or admin")
        until = datetime.now(UTC) + timedelta(minutes=self.settings.web.claim_minutes)
        with self.engine.begin() as conn:
            state, _item = self._begin(conn, post_id, user, "reassign")
            self._advance(
                conn, post_id, state, user, assigned_to=to, claimed_by=to, claim_expires_at=until
            )
            self.writes.audit(conn, user.name, "reassign", post_id, to=to)

    # --- answering ----------------------------------------------------------------------------

    def respond(
        self,
        post_id: int,
        user: User,
        text: str,
        *,
        channel: str,
        take_over: bool = False,
        again: bool = False,
        token: str | None = None,
    ) -> Any:
        """Reply publicly (`reply`) or privately (`dm`); returns the `SentMessage`
        (`triage.queue.answering.respond`)."""
        return answering.respond(
            self,
            post_id,
            user,
            text,
            channel=channel,
            take_over=take_over,
            again=again,
            token=token,
        )

    def ignore(self, post_id: int, user: User, reason: str = "") -> None:
        with self.engine.begin() as conn:
            state, _item = self._begin(conn, post_id, user, "ignore")
            self._advance(
                conn,
                post_id,
                state,
                user,
                status=ItemStatus.IGNORED.value,
                claimed_by=None,
                claim_expires_at=None,
            )
            self.writes.audit(
                conn, user.name, "ignore", post_id, reason=reason.strip()[:500] or None
            )

    def reopen(self, post_id: int, user: User) -> None:
        with self.engine.begin() as conn:
            state, _item = self._begin(conn, post_id, user, "reopen")
            self._advance(conn, post_id, state, user, status=ItemStatus.OPEN.value)
            self.writes.audit(conn, user.name, "reopen", post_id)

    def undo(self, post_id: int, user: User) -> None:
        """Take back your own ignore or escalation within `UNDO_SECONDS`, if nobody acted on
        the post in between (else `Conflict`). An escalation's case waits that long before the
        outbox may deliver it (`hold_back_case`); undone, the case is withdrawn and the
        decision before it restored (a new decision by `agent:NAME`)."""
        stored = self._stored(post_id)
        with self.engine.begin() as conn:
            state, item = self._begin(conn, post_id, user, "undo")
            last = self.writes.last_action(conn, post_id)
            now = datetime.now(UTC)
            undoable = {"ignore": ItemStatus.IGNORED, "escalate": ItemStatus.ESCALATED}
            if (
                last is None
                or last[0] != user.name
                or now - last[2] > timedelta(seconds=UNDO_SECONDS)
                or undoable.get(last[1]) is not item.status
            ):
                raise Conflict(
                    f"post {post_id}: nothing of yours to undo (an ignore or escalation can be "
                    f"undone for {UNDO_SECONDS} s)"
                )
            if last[1] == "escalate":
                if not self.writes.withdraw_case(conn, post_id):
                    raise Conflict(escalating.why_not_withdrawn(conn, post_id))
                previous = self.writes.previous_decision(conn, post_id)
                if previous is not None:
                    self.decisions.save(
                        conn, stored, previous[1], previous[0], decided_by=user.actor
                    )
            self._advance(conn, post_id, state, user, status=ItemStatus.OPEN.value)
            self.writes.audit(conn, user.name, "undo", post_id, of=last[1])

    # --- presence -------------------------------------------------------------------------

    def see(self, post_id: int, user: User, activity: str = "viewing") -> None:
        """`user` has the item open, or is typing an answer (`replying`)."""
        if not user.can_work:
            return
        if activity not in presence.ACTIVITIES:
            raise InputError(f"presence: {activity[:20]!r} is not one of viewing, replying")
        with self.engine.begin() as conn:
            self.writes.see(conn, post_id, user.name, activity)

    def presence(self, post_ids: list[int], user: User) -> dict[int, str]:
        """Per item, who else is there now: `bia is viewing`."""
        found = presence.others(self.engine, post_ids, user.name)
        return {post_id: presence.label(people) for post_id, people in found.items()}

    def note(self, post_id: int, user: User, text: str) -> None:
        self._require_worker(user)
        self.item(post_id)
        text = text.strip()
        if not text:
            raise InputError("note: the note is empty")
        with self.engine.begin() as conn:
            self.writes.audit(conn, user.name, "note", post_id, text=text[:2000])

    # --- escalating and correcting ------------------------------------------------------------

    def escalate(
        self,
        post_id: int,
        user: User,
        reason: str = "",
        *,
        check: Callable[[ItemState, QueueItem], None] | None = None,
        **audit: Any,
    ) -> int:
        """Make the post a helpdesk case through the outbox; returns the case id
        (`triage.queue.escalating.escalate`)."""
        return escalating.escalate(self, post_id, user, reason, check=check, **audit)

    def release_case(self, case_id: int, user: User) -> None:
        self._require_lead(user, "release held cases")
        status = self.cases.status_of(case_id)
        if status is None:
            raise InputError(f"no case {case_id}")
        with self.engine.begin() as conn:
            post_id = self.writes.post_of_case(conn, case_id)
            state, _item = self._begin(conn, post_id, user, "release_case")
            if not self.writes.release_case(conn, case_id):  # held -> pending, conditionally
                raise InputError(f"case {case_id} is {status}, not held")
            self._advance(conn, post_id, state, user, status=ItemStatus.ESCALATED.value)
            self.writes.audit(conn, user.name, "release_case", post_id, case=case_id)

    def correct(self, post_id: int, user: User, field: str, value: str) -> Decision:
        """Change the route or a label; the item is re-decided at once, by `agent:NAME`."""
        item = self._work(post_id, user)
        field = field.strip().lower()
        value = value.strip().lower()
        if field not in CORRECTABLE:
            raise InputError(f"correct: field {field!r} is not one of {', '.join(CORRECTABLE)}")
        old_value, decision, signals = redecide(self.settings, item, field, value, by=user.name)
        stored = self._stored(post_id)
        with self.engine.begin() as conn:
            state, now_item = self._begin(conn, post_id, user, "correct")
            if now_item.decision_id != item.decision_id:
                raise Conflict(f"post {post_id} was re-decided meanwhile; look again")
            self.writes.correction(conn, post_id, field, old_value, value, user.name)
            sink = (
                escalating.sink_for(self.settings, decision)
                if decision.route is Route.HELPDESK
                else None
            )
            if sink and self.writes.case_of(conn, post_id):
                sink = None  # the post has its case already: exactly once
            self.decisions.save(
                conn, stored, signals, decision, decided_by=user.actor, case_sink=sink
            )
            self.reads.invalidate()
            self._advance(
                conn,
                post_id,
                state,
                user,
                **({"status": ItemStatus.ESCALATED.value} if sink else {}),
            )
            self.writes.audit(
                conn, user.name, "correct", post_id, field=field, old=old_value, new=value
            )
        return decision

    def _stored(self, post_id: int) -> StoredPost:
        stored = self.store.get_post(post_id)
        if stored is None:
            raise InputError(f"no post {post_id}")
        return stored
