"""What a view of the review queue is, in SQL: the base select, views, filters and search.

A view is the current decisions joined with their posts and the work state in `queue_items`
(no row: open). The queue names its views and work states (`triage.queue.models.View`,
`ItemStatus`, string enums); these functions take those names and build the statements that
`triage.storage.queue_reads` orders, pages and runs.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, Select

from kernel.errors import InputError
from kernel.models import ItemStatus, Route
from kernel.vocab import INTENT_THRESHOLD
from triage.storage import search
from triage.storage.answers import answered_clause
from triage.storage.tables import corrections, decisions, posts, queue_items

# The work states as `queue_items.status` stores them.
OPEN = ItemStatus.OPEN.value
ANSWERED = ItemStatus.ANSWERED.value
IGNORED = ItemStatus.IGNORED.value
ESCALATED = ItemStatus.ESCALATED.value

#: Views that are one route's open items (a view of that route's name).
ROUTE_VIEWS = (Route.PUBLIC_REPLY.value, Route.PRIVATE_DM.value, Route.HELPDESK.value)


class FilterValues(Protocol):
    """What an agent narrowed a view to (`triage.queue.models.Filters`); "" means any."""

    @property
    def source(self) -> str: ...
    @property
    def query(self) -> str: ...
    @property
    def route(self) -> str: ...
    @property
    def sentiment(self) -> str: ...
    @property
    def intent(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def sensitive(self) -> str: ...
    @property
    def age(self) -> str: ...
    @property
    def search(self) -> str: ...


#: The work state: an escalation or ignore recorded by the queue, else answered when the brand
#: has a public reply to the post among the stored posts (sent from the queue or written on the
#: platform and read back by the listener: `triage.storage.answers`), else the queue's state.
item_status = case(
    (queue_items.c.status == ESCALATED, literal(ESCALATED)),
    (answered_clause(), literal(ANSWERED)),
    else_=func.coalesce(queue_items.c.status, literal(OPEN)),
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


def view_condition(view: str, route: ColumnElement[Any] | None = None) -> ColumnElement[bool]:
    """What puts an item in `view` (a `View`'s name). `route` stands for `decisions.route` in
    it: the sort by time left passes an expression SQLite cannot look up by index
    (`triage.queue.due`)."""
    # Work state as (NOT) EXISTS on queue_items, not a filter on the outer join: planners
    # then walk the decision indexes in page order and stop after one page.
    route_of = decisions.c.route if route is None else route

    def state(*statuses: str) -> ColumnElement[bool]:
        return exists().where(
            _state.c.post_id == decisions.c.post_id,
            _state.c.status.in_(list(statuses)),
        )

    # Answered publicly by the brand (a brand post replies to it): never in an open view.
    answered = answered_clause()
    is_open = and_(~state(ANSWERED, IGNORED, ESCALATED), ~answered)
    if view in ROUTE_VIEWS:
        return and_(route_of == str(view), is_open)
    if view == "review":
        return and_(decisions.c.needs_review.is_(True), is_open)
    if view == "ignored":
        return or_(
            and_(route_of == Route.IGNORE.value, is_open),
            state(IGNORED),
        )
    if view == "answered":
        return or_(state(ANSWERED, ESCALATED), answered)
    # LABEL: open items nobody has labelled yet.
    return and_(is_open, ~exists().where(corrections.c.post_id == decisions.c.post_id))


def filter_conditions(f: FilterValues, now: datetime, dialect: str) -> list[ColumnElement[bool]]:
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


# --- the sort by time left (`triage.queue.due`) --------------------------------------------------


def oldest_first(
    conn: Connection,
    view: str,
    route: str,
    *,
    walk: bool,
    filters: FilterValues | None,
    now: datetime,
    wanted: int,
) -> list[tuple[int, datetime]]:
    """(post id, created_at) of up to `wanted` of the route's items in `view` that `filters`
    find at `now` (None: no filter), oldest first; `walk`: walk the posts in order (see
    `unindexed`)."""
    where = filter_conditions(filters, now, conn.dialect.name) if filters is not None else []
    stmt = _oldest_first(view, route, walk, *where) if where else _unfiltered(view, route, walk)
    return [
        (int(post_id), created_at) for post_id, created_at in conn.execute(stmt, {"wanted": wanted})
    ]


def _oldest_first(view: str, route: str, walk: bool, *where: Any) -> Select[Any]:
    route_of = unindexed(decisions.c.route) if walk else decisions.c.route
    return (
        base(walk_posts=walk)
        .with_only_columns(posts.c.id, posts.c.created_at)
        .where(view_condition(view, route_of), route_of == route, *where)
        .order_by(posts.c.created_at, posts.c.id)
        .limit(bindparam("wanted", type_=Integer))
    )


@functools.cache
def _unfiltered(view: str, route: str, walk: bool) -> Select[Any]:
    """`_oldest_first` without filters, built once (building it cost more than running it)."""
    return _oldest_first(view, route, walk)


def route_sizes(conn: Connection) -> dict[str, int]:
    """Current decisions per route (a count over the route index: about a millisecond for
    10,000 posts)."""
    stmt = (
        select(decisions.c.route, func.count())
        .where(decisions.c.superseded_at.is_(None))
        .group_by(decisions.c.route)
    )
    return {str(route): int(n) for route, n in conn.execute(stmt)}
