"""Replies the queue actually sent, with the text of the post each answered: the history that
tells the help-article suggestions which articles agents send for which posts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from triage.storage.store import Store
from triage.storage.tables import posts, replies


@dataclass(frozen=True, kw_only=True, slots=True)
class SentReply:
    id: int
    text: str
    post_text: str


def sent_replies(store: Store, *, after_id: int = 0, limit: int = 2_000) -> list[SentReply]:
    """Up to `limit` sent replies and DMs with an id above `after_id`, the newest ones when
    there are more, oldest first. Dry runs and sends still under way (no platform id yet) are
    left out: only what reached a customer counts."""
    stmt = (
        select(replies.c.id, replies.c.text, posts.c.text.label("post_text"))
        .join(posts, posts.c.id == replies.c.post_id)
        .where(
            replies.c.id > after_id,
            replies.c.dry_run.is_(False),
            replies.c.external_id.is_not(None),
        )
        .order_by(replies.c.id.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [SentReply(id=int(r.id), text=r.text, post_text=r.post_text) for r in reversed(rows)]
