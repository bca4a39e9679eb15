"""What the brand did for an author's posts: its answers (from the queue, or written on the
platform) and the helpdesk cases, for the item page's "This customer" (`triage.queue.customer`).

An author is found by handle on one platform (`by_author`, the `posts_fts_author` index);
whether two posts with that handle are one person is `triage.queue.customer.same_person`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, false, func, select, true

from triage.storage.tables import cases, posts, replies


@dataclass(frozen=True, kw_only=True, slots=True)
class PastAnswer:
    post_id: int
    #: `reply` or `dm` (sent from the queue), `platform` (the brand wrote it on the platform).
    channel: str
    text: str
    #: The agent, or the brand handle that wrote it on the platform.
    by: str
    at: datetime
    dry_run: bool = False
    url: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PastCase:
    id: int
    post_id: int
    status: str
    sink: str
    ticket_id: str | None
    ticket_url: str | None
    created_at: datetime


def by_author(source: str, handle: str) -> ColumnElement[bool]:
    """Posts by this handle (any case) on this platform, not the brand's own."""
    return and_(
        func.lower(posts.c.author_handle) == handle.lower(),
        posts.c.source == source,
        posts.c.author_is_brand == false(),
    )


def answers_to(conn: Connection, post_ids: list[int]) -> dict[int, list[PastAnswer]]:
    """Per post, oldest first: what the queue sent, and the brand's public replies that the
    queue did not send (a published queue reply is both; it is listed once, as sent)."""
    found: dict[int, list[PastAnswer]] = defaultdict(list)
    if not post_ids:
        return found
    published: set[str] = set()
    for r in conn.execute(
        select(replies).where(replies.c.post_id.in_(post_ids)).order_by(replies.c.id)
    ).mappings():
        if r["external_id"]:
            published.add(str(r["external_id"]))
        found[r["post_id"]].append(
            PastAnswer(
                post_id=r["post_id"],
                channel=r["channel"],
                text=r["text"],
                by=r["sent_by"],
                at=r["sent_at"],
                dry_run=r["dry_run"],
                url=r["url"],
            )
        )
    parent = posts.alias("answered")
    brand = (
        select(parent.c.id.label("parent"), posts)
        .join(
            parent,
            and_(parent.c.source == posts.c.source, parent.c.external_id == posts.c.parent_id),
        )
        .where(parent.c.id.in_(post_ids), posts.c.author_is_brand == true())
        .order_by(posts.c.created_at, posts.c.id)
    )
    for r in conn.execute(brand).mappings():
        if r["external_id"] in published:
            continue
        found[r["parent"]].append(
            PastAnswer(
                post_id=r["parent"],
                channel="platform",
                text=r["text"],
                by=r["author_handle"],
                at=r["created_at"],
                url=r["url"],
            )
        )
    for answers in found.values():
        answers.sort(key=lambda a: a.at)
    return found


def cases_of(conn: Connection, post_ids: list[int]) -> dict[int, list[PastCase]]:
    """Per post, the helpdesk cases made of it, oldest first."""
    found: dict[int, list[PastCase]] = defaultdict(list)
    if not post_ids:
        return found
    stmt = select(cases).where(cases.c.post_id.in_(post_ids)).order_by(cases.c.id)
    for r in conn.execute(stmt).mappings():
        found[r["post_id"]].append(
            PastCase(
                id=r["id"],
                post_id=r["post_id"],
                status=r["status"],
                sink=r["sink"],
                ticket_id=r["ticket_id"],
                ticket_url=r["ticket_url"],
                created_at=r["created_at"],
            )
        )
    return found
