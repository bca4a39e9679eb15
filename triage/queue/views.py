"""What a view of the review queue is, in SQL: the base select, views, filters and search.

A view is the current decisions joined with their posts and the work state in `queue_items`
(no row: open). These build statements and read rows; `triage.queue.store` runs them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, Select

from kernel.errors import InputError
from kernel.models import Route
from triage.queue.models import Claim, Filters, ItemStatus, QueueItem, View
from triage.storage import search
from triage.storage.answers import answered_clause
from triage.storage.codec import decision_from_row, signals_from_json
from triage.storage.store import stored_post_from_row
from triage.storage.tables import corrections, decisions, posts, queue_items

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


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`column || ''`: the same value (NULL stays NULL), which SQLite cannot look up by index;
    the sort by time left uses it to make SQLite walk the posts in order (`triage.queue.due`)."""
    return column.op("||")(literal(""))


def base(*, walk_posts: bool = False) -> Select[Any]:
    """Current decisions with their posts and work state; the brand's own posts are not items.
    `walk_posts`: the decisions are only looked up by post (see `unindexed`)."""
    current = decisions.c.superseded_at
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
                and_(
                    decisions.c.post_id == posts.c.id,
                    (unindexed(current) if walk_posts else current).is_(None),
                ),
            ).outerjoin(queue_items, queue_items.c.post_id == posts.c.id)
        )
        .where(posts.c.author_is_brand.is_(False))
    )


def view_condition(view: View, route: ColumnElement[Any] | None = None) -> ColumnElement[bool]:
    """What puts an item in `view`. `route` stands for `decisions.route` in it: the sort by
    time left passes an expression SQLite cannot look up by index (`triage.queue.due`)."""
    # Work state as (NOT) EXISTS on queue_items, not a filter on the outer join: planners
    # then walk the decision indexes in page order and stop after one page.
    route_of = decisions.c.route if route is None else route

    def state(*statuses: ItemStatus) -> ColumnElement[bool]:
        return exists().where(
            _state.c.post_id == decisions.c.post_id,
            _state.c.status.in_([s.value for s in statuses]),
        )

    # Answered publicly by the brand (a brand post replies to it): never in an open view.
    answered = answered_clause()
    is_open = and_(~state(ItemStatus.ANSWERED, ItemStatus.IGNORED, ItemStatus.ESCALATED), ~answered)
    if view in (View.PUBLIC_REPLY, View.PRIVATE_DM, View.HELPDESK):
        return and_(route_of == view.value, is_open)
    if view is View.REVIEW:
        return and_(decisions.c.needs_review.is_(True), is_open)
    if view is View.IGNORED:
        return or_(
            and_(route_of == Route.IGNORE.value, is_open),
            state(ItemStatus.IGNORED),
        )
    if view is View.ANSWERED:
        return or_(state(ItemStatus.ANSWERED, ItemStatus.ESCALATED), answered)
    # LABEL: open items nobody has labelled yet.
    return and_(is_open, ~exists().where(corrections.c.post_id == decisions.c.post_id))


def filter_conditions(f: Filters, now: datetime, dialect: str) -> list[ColumnElement[bool]]:
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
        if dialect == "postgresql":
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
        found = search.matches(f.search, dialect)
        if found is not None:
            where.append(found)
    return where


def item_from_row(row: Any, now: datetime) -> QueueItem:
    """A row of `base()` as the queue's record (a claim past its time is no claim)."""
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


def _redact(text: str) -> str:
    from classifiers.sensitive import redact

    return redact(text)
