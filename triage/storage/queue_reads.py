"""The review queue's reads as rows: pages of a view, counts per view, items by id or author,
and the values the filter menus offer.

What a view is (the current decisions with their posts and work state, the view's condition,
the filters) is `triage.storage.queue_views`; these functions take a view's name and what an
agent filtered it by, build the statement from there, order, page and run it, and the queue
turns the rows into its records. Pages are keyset pages, so a page never shifts while the
daemon adds posts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

from triage.storage import customers
from triage.storage.queue_views import (
    FilterValues,
    base,
    filter_conditions,
    item_status,
    view_condition,
)
from triage.storage.tables import decisions, posts, queue_items

#: The view `label_page` pages (`triage.queue.models.View.LABEL`).
LABEL = "label"


def _conditions(
    conn: Connection, view: str | None, filters: FilterValues | None, now: datetime
) -> list[ColumnElement[bool]]:
    """What puts a row of `base()` in `view` (None: any view) and past `filters` (None: no
    filter) at `now`."""
    where = filter_conditions(filters, now, conn.dialect.name) if filters is not None else []
    if view is not None:
        where.append(view_condition(view))
    return where


def label_page(
    conn: Connection,
    filters: FilterValues,
    now: datetime,
    *,
    after: tuple[float, int] | None,
    limit: int,
) -> list[RowMapping]:
    """Up to `limit` items of the label view that `filters` find, least confident first (then
    by decision id), after the (confidence, decision id) `after`."""
    # Ties broken by the decision's id, not the post's: PostgreSQL would swap
    # decisions.post_id for the joined posts.id and lose the index order. The page's decision
    # ids are chosen first without the work-state outer join, so the planner walks the
    # (superseded_at, confidence, id) index instead of sorting every item.
    order = (decisions.c.confidence, decisions.c.id)
    ids = (
        select(decisions.c.id)
        .select_from(decisions.join(posts, posts.c.id == decisions.c.post_id))
        .where(
            decisions.c.superseded_at.is_(None),
            posts.c.author_is_brand.is_(False),
            *_conditions(conn, LABEL, filters, now),
        )
        .order_by(*order)
        .limit(limit)
    )
    if after is not None:
        conf, last = after
        ids = ids.where(
            or_(
                decisions.c.confidence > conf,
                and_(decisions.c.confidence == conf, decisions.c.id > last),
            )
        )
    stmt = base().where(decisions.c.id.in_(ids.scalar_subquery())).order_by(*order).limit(limit)
    return list(conn.execute(stmt).mappings())


def newest_first(
    conn: Connection,
    view: str | None,
    filters: FilterValues,
    now: datetime,
    *,
    below: int | None = None,
    above: int | None = None,
    limit: int,
) -> list[RowMapping]:
    """Up to `limit` items of `view` (None: in any state) that `filters` find, newest post
    first, of posts with ids below `below` and above `above` (each if given)."""
    stmt = base().where(*_conditions(conn, view, filters, now))
    stmt = stmt.order_by(decisions.c.post_id.desc())
    if below is not None:
        stmt = stmt.where(decisions.c.post_id < below)
    if above is not None:
        stmt = stmt.where(decisions.c.post_id > above)
    return list(conn.execute(stmt.limit(limit)).mappings())


def count_groups(
    conn: Connection,
    late_since: Mapping[str, datetime],
    filters: FilterValues | None,
    now: datetime,
) -> list[tuple[str, bool, str, str | None, bool, int]]:
    """Items that `filters` find (None: every item), counted per (route, needs review, work
    state as `queue_views.item_status` has it, the recorded work status, late): late when the
    post is at or before its route's moment in `late_since` (a route without one is never
    late). One scan for every tab's count."""
    overdue: Any = literal(False)
    if late_since:
        overdue = or_(
            *(
                and_(decisions.c.route == route, posts.c.created_at <= moment)
                for route, moment in late_since.items()
            )
        )
    keys = (
        decisions.c.route.label("route"),
        decisions.c.needs_review.label("review"),
        item_status.label("state"),
        queue_items.c.status.label("recorded"),
        case((overdue, 1), else_=0).label("late"),
    )
    stmt = base().with_only_columns(*keys, func.count()).group_by(*keys)
    where = _conditions(conn, None, filters, now)
    if where:
        stmt = stmt.where(*where)
    return [
        (str(route), bool(review), str(st), recorded, bool(late), int(n))
        for route, review, st, recorded, late, n in conn.execute(stmt)
    ]


def of_post(conn: Connection, post_id: int) -> RowMapping | None:
    """The post's item row, if it is an item (decided, not the brand's own)."""
    return conn.execute(base().where(posts.c.id == post_id)).mappings().first()


def of_posts(conn: Connection, post_ids: Iterable[int]) -> list[RowMapping]:
    """These posts' item rows, newest first."""
    stmt = base().where(posts.c.id.in_(sorted(set(post_ids)))).order_by(posts.c.id.desc())
    return list(conn.execute(stmt).mappings())


def by_author(
    conn: Connection, source: str, handle: str, *, besides: int, limit: int
) -> list[RowMapping]:
    """Item rows whose post has this author handle on `source`, but post `besides`, newest
    first."""
    stmt = (
        base()
        .where(customers.by_author(source, handle), posts.c.id != besides)
        .order_by(posts.c.created_at.desc(), posts.c.id.desc())
        .limit(limit)
    )
    return list(conn.execute(stmt).mappings())


def sources(conn: Connection) -> list[str]:
    """Every source name a stored post has."""
    return [str(v) for v in conn.execute(select(posts.c.source).distinct()).scalars()]


def queries(conn: Connection, *, limit: int) -> list[str]:
    """Up to `limit` of the search queries stored posts were found by."""
    return [
        str(v)
        for v in conn.execute(
            select(posts.c.query).where(posts.c.query.is_not(None)).distinct().limit(limit)
        ).scalars()
    ]
