"""Which posts the brand has answered in public: no self-echo, nothing answered queued again.

A post is answered when a post of the brand's own (`author_is_brand`) on the same platform has
it as its parent (`parent_id` = the post's `external_id`): an X reply by a brand handle whose
`in_reply_to` is the post, a Reddit comment by the brand account whose parent is the post's
fullname. Such a reply arrives two ways, and both end as the same row:

- `record_sent` stores the reply an agent just sent (its platform id from `SentMessage`) as a
  brand post at once, so the item shows answered before the listener sees the reply;
- the listener stores it when it comes back in mentions or a subreddit listing; insert-or-skip
  on (source, external_id) keeps the row `record_sent` wrote, so it is never stored twice.

Either way the stored reply is classified like any post, and the `brand-own-posts` rule routes
it to `ignore`. Replies a brand account wrote on the platform itself count too. Dry runs and
DMs are not public answers and are not recorded here (the queue's action log keeps them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, exists, select, true

from kernel.abc import Responder
from kernel.models import Author, Post, PostKind, SentMessage, StoredPost
from triage.storage.store import Store, stored_post_from_row
from triage.storage.tables import posts

_reply = posts.alias("brand_reply")


def answered_clause() -> ColumnElement[bool]:
    """A WHERE condition on the `posts` table, true for the rows the brand has answered.

    For queue queries: ``select(posts).where(~answered_clause())`` lists the unanswered ones.
    Served by the (source, parent_id) index.
    """
    return exists().where(
        _reply.c.source == posts.c.source,
        _reply.c.parent_id == posts.c.external_id,
        _reply.c.author_is_brand == true(),
    )


def answered_post_ids(store: Store, post_ids: Iterable[int]) -> set[int]:
    """The ids among `post_ids` whose post the brand has answered in public."""
    ids = sorted(set(post_ids))
    found: set[int] = set()
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            stmt = select(posts.c.id).where(posts.c.id.in_(chunk), answered_clause())
            found.update(int(row) for row in conn.execute(stmt).scalars())
    return found


def is_answered(store: Store, post_id: int) -> bool:
    return post_id in answered_post_ids(store, [post_id])


def brand_answers(store: Store, post_id: int) -> list[StoredPost]:
    """The brand's public replies to a post, oldest first (for the thread on a post card)."""
    with store.engine.connect() as conn:
        return brand_answers_in(conn, post_id)


def brand_answers_in(conn: Connection, post_id: int) -> list[StoredPost]:
    """`brand_answers` on an open connection (the queue reads an item in one)."""
    parent = posts.alias("parent")
    stmt = (
        select(posts)
        .join(
            parent,
            (parent.c.source == posts.c.source) & (parent.c.external_id == posts.c.parent_id),
        )
        .where(parent.c.id == post_id, posts.c.author_is_brand == true())
        .order_by(posts.c.created_at, posts.c.id)
    )
    return [stored_post_from_row(row) for row in conn.execute(stmt).mappings()]


def record_sent(
    store: Store,
    answered: StoredPost,
    sent: SentMessage,
    *,
    author_handle: str,
    now: datetime | None = None,
) -> StoredPost | None:
    """Store a public reply the brand just sent, as the brand's post answering `answered`.

    `author_handle` is the account that posted it (the source's brand account). Returns the
    stored reply, or None when there is nothing to record (a dry run, a DM, or a platform that
    gave no id). Idempotent: recording the same reply again, or after the listener stored it,
    changes nothing.
    """
    if sent.dry_run or sent.channel != "reply" or not sent.external_id:
        return None
    post = answered.post
    reply = Post(
        source=post.source,
        external_id=sent.external_id,
        text=sent.text,
        created_at=now or datetime.now(UTC),
        url=sent.url,
        author=Author(handle=author_handle.lstrip("@"), is_brand=True),
        conversation_id=post.conversation_id,
        parent_id=post.external_id,
        kind=PostKind.COMMENT if post.source == "reddit" else PostKind.REPLY,
        raw={"sent_by": "social-triage", "channel": sent.channel},
    )
    with store.engine.begin() as conn:
        fetched_by = conn.execute(
            select(posts.c.fetched_by).where(posts.c.id == answered.id)
        ).scalar_one()
        store.insert_posts(conn, [reply], fetched_by=str(fetched_by))
    return store.find_post(reply.source, reply.external_id)


def fetched_by(store: Store, post_id: int) -> str | None:
    """The configured source that stored the post: whose responder answers it."""
    with store.engine.connect() as conn:
        return fetched_by_in(conn, post_id)


def fetched_by_in(conn: Connection, post_id: int) -> str | None:
    """`fetched_by` on the caller's connection."""
    value = conn.execute(select(posts.c.fetched_by).where(posts.c.id == post_id)).scalar()
    return str(value) if value is not None else None


def send(
    store: Store,
    responder: Responder,
    answered: StoredPost,
    text: str,
    *,
    channel: str,
    brand_handle: str,
) -> SentMessage:
    """Send `text` as a public reply (`channel="reply"`) or DM (`"dm"`) and record a published
    reply at once (`record_sent`). `brand_handle` names the posting account when the responder
    does not know it. Raises `ReplyError` (one line for the agent); nothing is recorded then."""
    if channel == "reply":
        sent = responder.reply(answered.post, text)
    elif channel == "dm":
        sent = responder.direct_message(answered.post, text)
    else:
        raise ValueError(f"channel must be reply or dm, not {channel!r}")
    record_sent(store, answered, sent, author_handle=responder.account or brand_handle)
    return sent
