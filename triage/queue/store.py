"""Reads of the review queue: views with filters, search and keyset pages; one item in full.

The SQL of a view (the current decisions joined with their posts and the work state, filters,
search) is `triage.queue.views`; writes are `triage.queue.writes`. Pages are keyset pages
(`posts.id < cursor`, newest first; the "label these" view goes by confidence then id), so a
page never shifts while the daemon adds posts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

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
from triage.storage import customers
from triage.storage.answers import brand_answers_in
from triage.storage.store import stored_post_from_row
from triage.storage.tables import (
    audit_log,
    cases,
    corrections,
    decisions,
    posts,
    queue_items,
    replies,
)

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
        stmt = views.base().where(*views.filter_conditions(filters, now, self.dialect))
        if view is not None:
            stmt = stmt.where(views.view_condition(view))
        if view is View.LABEL:
            # Ties broken by the decision's id, not the post's: PostgreSQL would swap
            # decisions.post_id for the joined posts.id and lose the index order. The page's
            # decision ids are chosen first without the work-state outer join, so the planner
            # walks the (superseded_at, confidence, id) index instead of sorting every item.
            order = (decisions.c.confidence, decisions.c.id)
            ids = (
                select(decisions.c.id)
                .select_from(decisions.join(posts, posts.c.id == decisions.c.post_id))
                .where(
                    decisions.c.superseded_at.is_(None),
                    posts.c.author_is_brand.is_(False),
                    views.view_condition(view),
                    *views.filter_conditions(filters, now, self.dialect),
                )
                .order_by(*order)
                .limit(limit + 1)
            )
            if cursor:
                conf, last = _label_cursor(cursor)
                ids = ids.where(
                    or_(
                        decisions.c.confidence > conf,
                        and_(decisions.c.confidence == conf, decisions.c.id > last),
                    )
                )
            stmt = views.base().where(decisions.c.id.in_(ids.scalar_subquery())).order_by(*order)
        else:
            stmt = stmt.order_by(decisions.c.post_id.desc())
            if cursor:
                stmt = stmt.where(decisions.c.post_id < _int_cursor(cursor))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.limit(limit + 1)).mappings().all()
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
        stmt = (
            views.base()
            .where(views.view_condition(view), decisions.c.post_id > after)
            .where(*views.filter_conditions(filters, now, self.dialect))
            .order_by(decisions.c.post_id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [views.item_from_row(row, now) for row in conn.execute(stmt).mappings()]

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
        overdue: Any = literal(False)
        if since:
            overdue = or_(
                *(
                    and_(decisions.c.route == route, posts.c.created_at <= moment)
                    for route, moment in since.items()
                )
            )
        keys = (
            decisions.c.route.label("route"),
            decisions.c.needs_review.label("review"),
            views.item_status.label("state"),
            queue_items.c.status.label("recorded"),
            case((overdue, 1), else_=0).label("late"),
        )
        stmt = views.base().with_only_columns(*keys, func.count()).group_by(*keys)
        if filters is not None:
            now = datetime.now(UTC)
            stmt = stmt.where(*views.filter_conditions(filters, now, self.dialect))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        counts: dict[View, int] = {v: 0 for v in View if v is not View.LABEL}
        overdue_counts: dict[View, int] = {v: 0 for v in LATE_VIEWS} if since else {}
        for route, review, state, recorded, is_late, n in rows:
            for view in _views_of(str(route), bool(review), str(state), recorded):
                counts[view] += int(n)
                if is_late and view in overdue_counts:
                    overdue_counts[view] += int(n)
        return counts, overdue_counts

    # --- one item -----------------------------------------------------------------------------

    def item(self, post_id: int) -> QueueItem | None:
        with self.engine.connect() as conn:
            return self.item_in(conn, post_id)

    def item_in(self, conn: Any, post_id: int) -> QueueItem | None:
        """`item` on the caller's connection (an action reads it inside its transaction)."""
        row = conn.execute(views.base().where(posts.c.id == post_id)).mappings().first()
        return views.item_from_row(row, datetime.now(UTC)) if row else None

    def by_author(self, item: QueueItem, limit: int) -> list[QueueItem]:
        """Other decided posts with the item's author handle on its platform, newest first
        (`triage.queue.customer` decides which are the same person)."""
        author = item.post.author
        stmt = (
            views.base()
            .where(customers.by_author(item.post.source, author.handle), posts.c.id != item.post_id)
            .order_by(posts.c.created_at.desc(), posts.c.id.desc())
            .limit(limit)
        )
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            return [views.item_from_row(row, now) for row in conn.execute(stmt).mappings()]

    def items(self, post_ids: list[int]) -> list[QueueItem]:
        """Exactly these decided posts, in any state, newest first (an alert's driving posts:
        `/queue?ids=1,2,3`)."""
        if not post_ids:
            return []
        now = datetime.now(UTC)
        stmt = views.base().where(posts.c.id.in_(sorted(set(post_ids)))).order_by(posts.c.id.desc())
        with self.engine.connect() as conn:
            return [views.item_from_row(row, now) for row in conn.execute(stmt).mappings()]

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
                for r in conn.execute(
                    select(replies).where(replies.c.post_id == post_id).order_by(replies.c.id)
                ).mappings()
            )
            history = tuple(
                _audit(r)
                for r in conn.execute(
                    select(audit_log)
                    .where(audit_log.c.post_id == post_id)
                    .order_by(audit_log.c.id)
                    .limit(200)
                ).mappings()
            )
            case_row = (
                conn.execute(
                    select(cases.c.id, cases.c.status, cases.c.sink)
                    .where(cases.c.post_id == post_id)
                    .order_by(cases.c.id.desc())
                )
                .mappings()
                .first()
            )
            fixes = tuple(
                (r["field"], r["new_value"], r["author"])
                for r in conn.execute(
                    select(corrections)
                    .where(corrections.c.post_id == post_id)
                    .order_by(corrections.c.id)
                ).mappings()
            )
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
        stmt = (
            select(cases.c.id.label("case_id"), cases.c.sink.label("case_sink"), cases.c.post_id)
            .where(cases.c.status == "held")
            .order_by(cases.c.id)
            .limit(limit)
        )
        out: list[tuple[HeldCase, QueueItem]] = []
        with self.engine.connect() as conn:
            found = conn.execute(stmt).mappings().all()
            for c in found:
                row = (
                    conn.execute(views.base().where(posts.c.id == c["post_id"])).mappings().first()
                )
                if row is None:
                    continue
                out.append(
                    (
                        HeldCase(
                            case_id=c["case_id"],
                            post_id=c["post_id"],
                            status="held",
                            sink=c["case_sink"],
                        ),
                        views.item_from_row(row, now),
                    )
                )
        return out

    def audit(
        self, *, before: int | None = None, actor: str = "", limit: int = 100
    ) -> list[AuditEntry]:
        stmt = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before:
            stmt = stmt.where(audit_log.c.id < before)
        if actor:
            stmt = stmt.where(audit_log.c.actor == actor)
        with self.engine.connect() as conn:
            return [_audit(r) for r in conn.execute(stmt).mappings()]

    def work_by_person(self) -> list[dict[str, Any]]:
        """Claims held now and actions in the last 24 hours, per person (for leads)."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            claims: dict[str, int] = dict(
                conn.execute(
                    select(queue_items.c.claimed_by, func.count())
                    .where(queue_items.c.claim_expires_at > now)
                    .group_by(queue_items.c.claimed_by)
                ).all()
            )
            actions: dict[str, int] = dict(
                conn.execute(
                    select(audit_log.c.actor, func.count())
                    .where(audit_log.c.at > now - timedelta(hours=24))
                    .group_by(audit_log.c.actor)
                ).all()
            )
        people = sorted(set(claims) | set(actions))
        return [
            {"name": p, "claims": int(claims.get(p, 0)), "actions_24h": int(actions.get(p, 0))}
            for p in people
            if p
        ]

    def fetched_by(self, post_id: int) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(posts.c.fetched_by).where(posts.c.id == post_id)
            ).scalar_one_or_none()
        return str(value) if value is not None else None

    def filter_options(self) -> dict[str, list[str]]:
        """Values seen in the data, for the filter menus (cached like the counts)."""
        return self._cached("options", self._filter_options)

    def _filter_options(self) -> dict[str, list[str]]:
        with self.engine.connect() as conn:
            sources = [str(v) for v in conn.execute(select(posts.c.source).distinct()).scalars()]
            queries = [
                str(v)
                for v in conn.execute(
                    select(posts.c.query).where(posts.c.query.is_not(None)).distinct().limit(50)
                ).scalars()
            ]
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
        row = (
            conn.execute(
                select(posts).where(posts.c.source == post.source, posts.c.external_id == parent_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            break
        parent = stored_post_from_row(row).post
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
    """The counted views a row is in, as `views.view_condition` decides them: `state` is
    `views.item_status`, `recorded` the queue's own status (an ignored post the brand then
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
