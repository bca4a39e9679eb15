"""Reads of the review queue: views with filters, search and keyset pages; one item in full.

A view is the current decisions joined with their posts and the work state in `queue_items`
(no row: open). Pages are keyset pages (`posts.id < cursor`, newest first; the "label these"
view goes by confidence then id), so a page never shifts while the daemon adds posts.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.sql import ColumnElement, Select

from triage.errors import InputError
from triage.models import Post, Route
from triage.queue.models import (
    AuditEntry,
    Claim,
    Filters,
    HeldCase,
    ItemDetail,
    ItemPage,
    ItemStatus,
    QueueItem,
    SentReply,
    View,
)
from triage.storage.answers import answered_clause, brand_answers_in
from triage.storage.codec import decision_from_row, signals_from_json
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
#: An intent counts as present from this score on (the heads' own threshold).
INTENT_THRESHOLD = 0.5

#: The work state: an escalation or ignore recorded by the queue, else answered when the brand
#: has a public reply to the post among the stored posts (sent from the queue or written on the
#: platform and read back by the listener: `triage.storage.answers`), else the queue's state.
item_status = case(
    (queue_items.c.status == ItemStatus.ESCALATED.value, literal(ItemStatus.ESCALATED.value)),
    (answered_clause(), literal(ItemStatus.ANSWERED.value)),
    else_=func.coalesce(queue_items.c.status, literal(ItemStatus.OPEN.value)),
)
#: queue_items again, for the (NOT) EXISTS of a view (the outer join has the table itself).
_state = queue_items.alias("item_state")
_DECISION_COLUMNS = [c for c in decisions.c if c.name != "id"]


def _redact(text: str) -> str:
    from classifiers.sensitive import redact

    return redact(text)


#: Seconds the tab counts and filter menus may be stale: each costs a scan of every open item.
SUMMARY_TTL = 5.0


class QueueStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
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

    def _base(self) -> Select[Any]:
        return (
            select(
                posts,
                *_DECISION_COLUMNS,
                decisions.c.id.label("decision_id"),
                item_status.label("item_status"),
                queue_items.c.claimed_by,
                queue_items.c.claim_expires_at,
                queue_items.c.assigned_to,
            )
            .select_from(
                posts.join(
                    decisions,
                    and_(decisions.c.post_id == posts.c.id, decisions.c.superseded_at.is_(None)),
                ).outerjoin(queue_items, queue_items.c.post_id == posts.c.id)
            )
            .where(posts.c.author_is_brand.is_(False))
        )

    def view_condition(self, view: View) -> ColumnElement[bool]:
        # Work state as (NOT) EXISTS on queue_items, not a filter on the outer join: planners
        # then walk the decision indexes in page order and stop after one page.
        def state(*statuses: ItemStatus) -> ColumnElement[bool]:
            return exists().where(
                _state.c.post_id == decisions.c.post_id,
                _state.c.status.in_([s.value for s in statuses]),
            )

        # Answered publicly by the brand (a brand post replies to it): never in an open view.
        answered = answered_clause()
        is_open = and_(
            ~state(ItemStatus.ANSWERED, ItemStatus.IGNORED, ItemStatus.ESCALATED), ~answered
        )
        if view in (View.PUBLIC_REPLY, View.PRIVATE_DM, View.HELPDESK):
            return and_(decisions.c.route == view.value, is_open)
        if view is View.REVIEW:
            return and_(decisions.c.needs_review.is_(True), is_open)
        if view is View.IGNORED:
            return or_(
                and_(decisions.c.route == Route.IGNORE.value, is_open),
                state(ItemStatus.IGNORED),
            )
        if view is View.ANSWERED:
            return or_(state(ItemStatus.ANSWERED, ItemStatus.ESCALATED), answered)
        # LABEL: open items nobody has labelled yet.
        return and_(is_open, ~exists().where(corrections.c.post_id == decisions.c.post_id))

    def filter_conditions(self, f: Filters, now: datetime) -> list[ColumnElement[bool]]:
        signals = decisions.c.signals
        where: list[ColumnElement[bool]] = []
        if f.source:
            where.append(posts.c.source == f.source)
        if f.query:
            where.append(posts.c.query == f.query)
        if f.route:
            where.append(decisions.c.route == f.route)
        if f.sentiment:
            where.append(signals["sentiment"].as_string() == f.sentiment)
        if f.language:
            where.append(signals["language"].as_string() == f.language)
        if f.intent:
            where.append(signals[("intents", f.intent)].as_float() >= INTENT_THRESHOLD)
        if f.sensitive in ("yes", "no"):
            if self.dialect == "postgresql":
                count = func.json_array_length(signals["sensitive"])
            else:
                count = func.json_array_length(signals, "$.sensitive")
            has = func.coalesce(count, 0) > 0
            where.append(has if f.sensitive == "yes" else ~has)
        if f.age:
            limits = {"1h": timedelta(hours=1), "24h": timedelta(hours=24)}
            if f.age in limits:
                where.append(posts.c.created_at >= now - limits[f.age])
            elif f.age == "older":
                where.append(posts.c.created_at < now - timedelta(hours=24))
            else:
                raise InputError(f"age: {f.age!r} is not one of 1h, 24h, older")
        if f.search.strip():
            where.append(self.search_condition(f.search))
        return where

    def search_condition(self, search: str) -> ColumnElement[bool]:
        """Words of `search`, all present: SQLite FTS5 (case- and accent-insensitive, prefix
        match on each word), PostgreSQL `tsvector` (case-insensitive, GIN-indexed)."""
        if self.dialect == "postgresql":
            vector = func.to_tsvector(literal_column("'simple'"), posts.c.text)
            query = func.plainto_tsquery(literal_column("'simple'"), search.strip())
            return vector.bool_op("@@")(query)
        words = [w for w in search.replace('"', " ").split() if w][:20]
        match = " ".join(f'"{w}"*' for w in words)
        fts = text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :match").bindparams(
            match=match
        )
        return posts.c.id.in_(fts.columns(column("rowid")))

    def page(
        self, view: View, filters: Filters, *, cursor: str | None = None, limit: int = 25
    ) -> ItemPage:
        now = datetime.now(UTC)
        stmt = self._base().where(self.view_condition(view), *self.filter_conditions(filters, now))
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
                    self.view_condition(view),
                    *self.filter_conditions(filters, now),
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
            stmt = self._base().where(decisions.c.id.in_(ids.scalar_subquery())).order_by(*order)
        else:
            stmt = stmt.order_by(decisions.c.post_id.desc())
            if cursor:
                stmt = stmt.where(decisions.c.post_id < _int_cursor(cursor))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt.limit(limit + 1)).mappings().all()
        items = tuple(_item(row, now) for row in rows[:limit])
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
            self._base()
            .where(self.view_condition(view), decisions.c.post_id > after)
            .where(*self.filter_conditions(filters, now))
            .order_by(decisions.c.post_id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_item(row, now) for row in conn.execute(stmt).mappings()]

    def counts(self) -> dict[View, int]:
        """Open items per view (at most `SUMMARY_TTL` seconds old)."""
        return self._cached("counts", self._counts)

    def _counts(self) -> dict[View, int]:
        cols = [
            func.coalesce(func.sum(case((self.view_condition(v), 1), else_=0)), 0).label(v.value)
            for v in View
            if v is not View.LABEL
        ]
        stmt = self._base().with_only_columns(*cols)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).mappings().one()
        return {View(k): int(v) for k, v in row.items()}

    # --- one item -----------------------------------------------------------------------------

    def item(self, post_id: int) -> QueueItem | None:
        with self.engine.connect() as conn:
            row = conn.execute(self._base().where(posts.c.id == post_id)).mappings().first()
        return _item(row, datetime.now(UTC)) if row else None

    def items(self, post_ids: list[int]) -> list[QueueItem]:
        """Exactly these decided posts, in any state, newest first (an alert's driving posts:
        `/queue?ids=1,2,3`)."""
        if not post_ids:
            return []
        now = datetime.now(UTC)
        stmt = self._base().where(posts.c.id.in_(sorted(set(post_ids)))).order_by(posts.c.id.desc())
        with self.engine.connect() as conn:
            return [_item(row, now) for row in conn.execute(stmt).mappings()]

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
                    conn.execute(self._base().where(posts.c.id == c["post_id"])).mappings().first()
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
                        _item(row, now),
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
    if not (cursor.isascii() and cursor.isdigit()):
        raise InputError(f"cursor: {cursor!r} is not a page cursor")
    return int(cursor)


def _label_cursor(cursor: str) -> tuple[float, int]:
    conf, _, last = cursor.partition(":")
    try:
        return float(conf), int(last)
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


def _item(row: Any, now: datetime) -> QueueItem:
    stored = stored_post_from_row(row)
    claim = None
    if row["claimed_by"] and row["claim_expires_at"] and row["claim_expires_at"] > now:
        claim = Claim(by=row["claimed_by"], until=row["claim_expires_at"])
    return QueueItem(
        post_id=stored.id,
        post=stored.post,
        fetched_by=row["fetched_by"],
        decision_id=row["decision_id"],
        decision=decision_from_row(row),
        signals=signals_from_json(row["signals"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        status=ItemStatus(row["item_status"]),
        claim=claim,
        assigned_to=row["assigned_to"],
        text=_redact(stored.post.text),
    )


def _audit(r: Any) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        at=r["at"],
        actor=r["actor"],
        action=r["action"],
        post_id=r["post_id"],
        detail=r["detail"],
    )
