"""Reads of the review queue: views with filters, search and keyset pages; one item in full.

What a view is (the current decisions joined with their posts and the work state, filters,
search) is `triage.storage.queue_views`; storage runs it, given a view's name and the filters
(`triage.storage.queue_reads`), and reads the rest of an item's page (its replies, history,
case, corrections); writes are `triage.queue.writes`. Pages are keyset pages (`posts.id <
cursor`, newest first; the "label these" view goes by confidence then id), so a page never
shifts while the daemon adds posts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from kernel.errors import InputError
from kernel.models import Post, Route
from triage.queue import views
from triage.queue.models import (
    AuditEntry,
    Filters,
    HeldCase,
    ItemDetail,
    ItemPage,
    ItemStatus,
    QueueItem,
    SentReply,
    View,
)
from triage.storage import audit as audit_rows
from triage.storage import cases as case_rows
from triage.storage import corrections as correction_rows
from triage.storage import queue_items, queue_reads
from triage.storage import replies as reply_rows
from triage.storage.answers import brand_answers_in, fetched_by_in
from triage.storage.store import find_post_in

#: How many ancestors of a post are shown as its thread.
THREAD_DEPTH = 5
#: Seconds the tab counts and filter menus may be stale: each costs a scan of every open item.
SUMMARY_TTL = 5.0


#: Views whose tab says how many of its items are past their first-response target.
LATE_VIEWS = (View.PUBLIC_REPLY, View.PRIVATE_DM, View.HELPDESK, View.REVIEW)


class QueueStore:
    def __init__(
        self, engine: Engine, late_since: Callable[[], dict[str, datetime]] | None = None
    ) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        #: Per route, the newest `created_at` that is late now (`SlaClock.late_since`).
        self.late_since = late_since
        self._cache: dict[str, tuple[float, Any]] = {}

    def _cached(self, key: str, compute: Any) -> Any:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < SUMMARY_TTL:
            return hit[1]
        value = compute()
        self._cache[key] = (now, value)
        return value

    def invalidate(self) -> None:
        """Forget the cached counts (an item changed state)."""
        self._cache.clear()

    # --- views --------------------------------------------------------------------------------

    def page(
        self, view: View | None, filters: Filters, *, cursor: str | None = None, limit: int = 25
    ) -> ItemPage:
        """A page of a view, or of every decided post in any state (`view` None: a search
        across all views)."""
        now = datetime.now(UTC)
        label = view is View.LABEL
        after = _label_cursor(cursor) if cursor and label else None
        below = _int_cursor(cursor) if cursor and not label else None
        with self.engine.connect() as conn:
            if label:
                rows = queue_reads.label_page(conn, filters, now, after=after, limit=limit + 1)
            else:
                rows = queue_reads.newest_first(
                    conn, view, filters, now, below=below, limit=limit + 1
                )
        items = tuple(views.item_from_row(row, now) for row in rows[:limit])
        next_cursor = None
        if len(rows) > limit and items:
            last_item = items[-1]
            next_cursor = (
                f"{last_item.decision.confidence!r}:{last_item.decision_id}"
                if view is View.LABEL
                else str(last_item.post_id)
            )
        return ItemPage(items=items, next_cursor=next_cursor)

    def newer(
        self, view: View, filters: Filters, *, after: int, limit: int = 50
    ) -> list[QueueItem]:
        """Items of a view newer than post `after`, newest first (for live updates)."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = queue_reads.newest_first(conn, view, filters, now, above=after, limit=limit)
        return [views.item_from_row(row, now) for row in rows]

    def counts(self, filters: Filters | None = None) -> dict[View, int]:
        """Open items per view (at most `SUMMARY_TTL` seconds old); with `filters`, the items
        per view those filters find (a search's "found in"), never cached."""
        if filters is not None:
            return self._counts(filters)[0]
        return self._tabs()[0]

    def late(self) -> dict[View, int]:
        """Per open view, how many of its items are past their first-response target now (a
        view without targets has no entry); read and cached with `counts`."""
        return self._tabs()[1]

    def _tabs(self) -> tuple[dict[View, int], dict[View, int]]:
        return self._cached("counts", lambda: self._counts(late=True))

    def _counts(
        self, filters: Filters | None = None, *, late: bool = False
    ) -> tuple[dict[View, int], dict[View, int]]:
        """Items per view, and of the open views' items those that are late, in one scan:
        rows grouped by what decides their views (route, needs review, work state, late),
        so each row's state is worked out once, not once per view."""
        since = self.late_since() if late and self.late_since else {}
        with self.engine.connect() as conn:
            rows = queue_reads.count_groups(conn, since, filters, datetime.now(UTC))
        counts: dict[View, int] = {v: 0 for v in View if v is not View.LABEL}
        overdue_counts: dict[View, int] = {v: 0 for v in LATE_VIEWS} if since else {}
        for route, review, state, recorded, is_late, n in rows:
            for view in _views_of(route, review, state, recorded):
                counts[view] += n
                if is_late and view in overdue_counts:
                    overdue_counts[view] += n
        return counts, overdue_counts

    # --- one item -----------------------------------------------------------------------------

    def item(self, post_id: int) -> QueueItem | None:
        with self.engine.connect() as conn:
            return self.item_in(conn, post_id)

    def item_in(self, conn: Any, post_id: int) -> QueueItem | None:
        """`item` on the caller's connection (an action reads it inside its transaction)."""
        row = queue_reads.of_post(conn, post_id)
        return views.item_from_row(row, datetime.now(UTC)) if row else None

    def by_author(self, item: QueueItem, limit: int) -> list[QueueItem]:
        """Other decided posts with the item's author handle on its platform, newest first
        (`triage.queue.customer` decides which are the same person)."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = queue_reads.by_author(
                conn,
                item.post.source,
                item.post.author.handle,
                besides=item.post_id,
                limit=limit,
            )
        return [views.item_from_row(row, now) for row in rows]

    def items(self, post_ids: list[int]) -> list[QueueItem]:
        """Exactly these decided posts, in any state, newest first (an alert's driving posts:
        `/queue?ids=1,2,3`)."""
        if not post_ids:
            return []
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = queue_reads.of_posts(conn, post_ids)
        return [views.item_from_row(row, now) for row in rows]

    def detail(self, post_id: int) -> ItemDetail | None:
        item = self.item(post_id)
        if item is None:
            return None
        post = item.post
        with self.engine.connect() as conn:
            thread = _ancestors(conn, post)
            # The brand's public replies to this post (`answered_clause` counts the same rows).
            brand = [answer.post for answer in brand_answers_in(conn, post_id)]
            sent = tuple(
                SentReply(
                    id=r["id"],
                    channel=r["channel"],
                    text=r["text"],
                    dry_run=r["dry_run"],
                    external_id=r["external_id"],
                    url=r["url"],
                    sent_by=r["sent_by"],
                    sent_at=r["sent_at"],
                )
                for r in reply_rows.of_post(conn, post_id)
            )
            history = tuple(_audit(r) for r in audit_rows.of_post(conn, post_id, limit=200))
            case_row = case_rows.newest_of_post(conn, post_id)
            fixes = tuple(correction_rows.of_post(conn, post_id))
        held = (
            HeldCase(
                case_id=case_row["id"],
                post_id=post_id,
                status=case_row["status"],
                sink=case_row["sink"],
            )
            if case_row
            else None
        )
        return ItemDetail(
            item=item,
            thread=tuple(thread),
            brand_replies=tuple(brand),
            replies=sent,
            notes=tuple(h for h in history if h.action == "note"),
            history=history,
            case=held,
            corrections=fixes,
        )

    def held_cases(self, limit: int = 50) -> list[tuple[HeldCase, QueueItem]]:
        """Helpdesk cases waiting for a lead, oldest first, with the post and decision."""
        now = datetime.now(UTC)
        out: list[tuple[HeldCase, QueueItem]] = []
        with self.engine.connect() as conn:
            for case_id, sink, post_id in case_rows.held(conn, limit):
                row = queue_reads.of_post(conn, post_id)
                if row is None:
                    continue
                out.append(
                    (
                        HeldCase(case_id=case_id, post_id=post_id, status="held", sink=sink),
                        views.item_from_row(row, now),
                    )
                )
        return out

    def audit(
        self, *, before: int | None = None, actor: str = "", limit: int = 100
    ) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = audit_rows.newest(conn, before=before, actor=actor, limit=limit)
        return [_audit(r) for r in rows]

    def work_by_person(self) -> list[dict[str, Any]]:
        """Claims held now and actions in the last 24 hours, per person (for leads)."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            claims = queue_items.live_claims_per_person(conn, now)
            actions = audit_rows.actions_per_actor(conn, now - timedelta(hours=24))
        people = sorted(set(claims) | set(actions))
        return [
            {"name": p, "claims": int(claims.get(p, 0)), "actions_24h": int(actions.get(p, 0))}
            for p in people
            if p
        ]

    def fetched_by(self, post_id: int) -> str | None:
        with self.engine.connect() as conn:
            return fetched_by_in(conn, post_id)

    def filter_options(self) -> dict[str, list[str]]:
        """Values seen in the data, for the filter menus (cached like the counts)."""
        return self._cached("options", self._filter_options)

    def _filter_options(self) -> dict[str, list[str]]:
        with self.engine.connect() as conn:
            sources = queue_reads.sources(conn)
            queries = queue_reads.queries(conn, limit=50)
        return {"source": sorted(sources), "query": sorted(queries)}


def _int_cursor(cursor: str) -> int:
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 19 or int(cursor) >= 2**63:
        raise InputError(f"cursor: {cursor!r} is not a page cursor")
    return int(cursor)


def _label_cursor(cursor: str) -> tuple[float, int]:
    conf, _, last = cursor.partition(":")
    try:
        values = float(conf), int(last)
        if not (0 <= values[0] <= 1 and 0 <= values[1] < 2**63):
            raise ValueError(cursor)
        return values
    except ValueError as exc:
        raise InputError(f"cursor: {cursor!r} is not a page cursor") from exc


def _ancestors(conn: Any, post: Post) -> list[Post]:
    found: list[Post] = []
    parent_id = post.parent_id
    while parent_id and len(found) < THREAD_DEPTH:
        stored = find_post_in(conn, post.source, parent_id)
        if stored is None:
            break
        parent = stored.post
        found.append(parent)
        parent_id = parent.parent_id
    return list(reversed(found))


def _audit(r: Any) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        at=r["at"],
        actor=r["actor"],
        action=r["action"],
        post_id=r["post_id"],
        detail=r["detail"],
    )


def _views_of(route: str, review: bool, state: str, recorded: str | None) -> list[View]:
    """The counted views a row is in, as `queue_views.view_condition` decides them: `state` is
    `queue_views.item_status`, `recorded` the queue's own status (an ignored post the brand then
    answered is in both Ignored and Answered)."""
    found: list[View] = []
    is_open = state == ItemStatus.OPEN.value
    if is_open and route in (View.PUBLIC_REPLY.value, View.PRIVATE_DM.value, View.HELPDESK.value):
        found.append(View(route))
    if is_open and review:
        found.append(View.REVIEW)
    if (is_open and route == Route.IGNORE.value) or recorded == ItemStatus.IGNORED.value:
        found.append(View.IGNORED)
    if state in (ItemStatus.ANSWERED.value, ItemStatus.ESCALATED.value):
        found.append(View.ANSWERED)
    return found
