"""A view sorted by time left: the item whose first-response target falls first comes first.

Business hours make a deadline something SQL cannot compute, but within one route it never
decreases with the post's age: so each route's open items are read oldest first (`posts.
created_at, posts.id`), only as many as the pages so far need, and merged on (due, created_at,
id). Items of a route without a target come last. Pages are numbered (a page can shift when
an item above it is answered, never when a post arrives: a new post is due last in its route).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kernel.errors import InputError
from kernel.models import Route
from triage.queue import views
from triage.queue.models import Filters, ItemPage, QueueItem, View
from triage.storage.tables import decisions, posts

if TYPE_CHECKING:
    from triage.queue.service import QueueService

#: Views whose items are open, where time left means something.
DUE_VIEWS = (View.PUBLIC_REPLY, View.PRIVATE_DM, View.HELPDESK, View.REVIEW, View.LABEL)
#: Pages of a view sorted by time left (each reads up to page x size rows per route).
MAX_PAGES = 40
_LAST = datetime.max.replace(tzinfo=UTC)


def due_page(
    service: QueueService, view: View, filters: Filters, *, page: int, limit: int
) -> ItemPage:
    if view not in DUE_VIEWS:
        raise InputError(f"sort: {view.value} is not a view of open posts; time left is not kept")
    if not 0 <= page < MAX_PAGES:
        raise InputError(f"page: {page} is not between 0 and {MAX_PAGES - 1}")
    now = datetime.now(UTC)
    reads = service.reads
    wanted = (page + 1) * limit + 1
    found: list[QueueItem] = []
    with reads.engine.connect() as conn:
        for route in Route:
            stmt = (
                views.base()
                .where(
                    views.view_condition(view),
                    decisions.c.route == route.value,
                    *views.filter_conditions(filters, now, reads.dialect),
                )
                .order_by(posts.c.created_at, posts.c.id)
                .limit(wanted)
            )
            found.extend(views.item_from_row(row, now) for row in conn.execute(stmt).mappings())

    def key(item: QueueItem) -> tuple[datetime, datetime, int]:
        target = service.clock.target(item.decision.route.value)
        due = service.clock.due(item.post.created_at, target) if target else None
        return due or _LAST, item.post.created_at, item.post_id

    found.sort(key=key)
    shown = tuple(found[page * limit : (page + 1) * limit])
    more = len(found) > (page + 1) * limit and page + 1 < MAX_PAGES
    return ItemPage(items=shown, next_cursor=str(page + 1) if more else None)
