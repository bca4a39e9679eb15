"""A view sorted by time left: the item whose first-response target falls first comes first.

Business hours make a deadline something SQL cannot compute, but within one route it never
decreases with the post's age: so each route's open items are read oldest first (`posts.
created_at, posts.id`), only as many as the pages so far need, and merged on (due, created_at,
id). Items of a route without a target come last. Pages are numbered (a page can shift when
an item above it is answered, never when a post arrives: a new post is due last in its route).

Reading a route oldest first can go two ways: walk `ix_posts_created_at_id` and stop after
the page (cheap when the route holds a good share of the posts), or take the route's current
decisions by their index and sort them (cheap when it holds few). PostgreSQL's planner weighs
that from its statistics. SQLite takes a decisions index and sorts (with or without `ANALYZE`),
so on SQLite the route and `superseded_at` are compared through an expression it cannot look
up by index (`triage.storage.queue_views.unindexed`) when the walk is expected to read fewer
rows than the route has: the view has no condition of its own but route and open-ness, no
filter is set, and pages x size x posts / route <= route.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kernel.errors import InputError
from kernel.models import Route
from triage.queue import views
from triage.queue.models import Filters, ItemPage, View
from triage.storage import queue_reads, queue_views

if TYPE_CHECKING:
    from triage.queue.sla import SlaClock
    from triage.queue.store import QueueStore

#: Views whose items are open, where time left means something.
DUE_VIEWS = (View.PUBLIC_REPLY, View.PRIVATE_DM, View.HELPDESK, View.REVIEW, View.LABEL)
#: Pages of a view sorted by time left (each reads up to page x size rows per route).
MAX_PAGES = 40
#: Views that are one route's open items.
_ROUTE_VIEWS = (View.PUBLIC_REPLY, View.PRIVATE_DM, View.HELPDESK)
#: Views whose only conditions are the route and being open (and not yet labelled).
_PLAIN_VIEWS = (*_ROUTE_VIEWS, View.LABEL)
_LAST = datetime.max.replace(tzinfo=UTC)


def due_page(
    reads: QueueStore, clock: SlaClock, view: View, filters: Filters, *, page: int, limit: int
) -> ItemPage:
    """A page of `view`'s open items, the least time left on `clock` first."""
    if view not in DUE_VIEWS:
        raise InputError(f"sort: {view.value} is not a view of open posts; time left is not kept")
    if not 0 <= page < MAX_PAGES:
        raise InputError(f"page: {page} is not between 0 and {MAX_PAGES - 1}")
    now = datetime.now(UTC)
    wanted = (page + 1) * limit + 1
    # First only (id, written, route) per route, merged on the due time; then the page's
    # items in full (reading and masking every candidate in full would cost ten times more).
    found: list[tuple[datetime, datetime, int]] = []
    # A route view holds one route: the others need no query.
    routes = [r for r in Route if view not in _ROUTE_VIEWS or r.value == view.value]
    with reads.engine.connect() as conn:
        sizes = queue_views.route_sizes(conn) if reads.dialect == "sqlite" else {}
        for route in routes:
            target = clock.target(route.value)
            walk = bool(sizes) and _walk(view, filters, wanted, route.value, sizes)
            for post_id, created_at in queue_views.oldest_first(
                conn,
                view,
                route.value,
                walk=walk,
                filters=filters if filters.active() else None,
                now=now,
                wanted=wanted,
            ):
                due = clock.due(created_at, target) if target else None
                found.append((due or _LAST, created_at, post_id))
        found.sort()
        ids = [post_id for _due, _created, post_id in found[page * limit : (page + 1) * limit]]
        rows = queue_reads.of_posts(conn, ids) if ids else []
    by_id = {row["id"]: views.item_from_row(row, now) for row in rows}
    shown = tuple(by_id[i] for i in ids if i in by_id)
    more = len(found) > (page + 1) * limit and page + 1 < MAX_PAGES
    return ItemPage(items=shown, next_cursor=str(page + 1) if more else None)


def _walk(view: View, filters: Filters, wanted: int, route: str, sizes: dict[str, int]) -> bool:
    """Whether walking the posts oldest first reads fewer rows than sorting the route."""
    size = sizes.get(route, 0)
    if view not in _PLAIN_VIEWS or filters.active() or size == 0:
        return False
    return wanted * sum(sizes.values()) <= size * size
