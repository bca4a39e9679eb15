"""The review queue's send log: every reply and DM sent from the queue, dry runs included.

A row is reserved before the platform is asked (`reserve`), with the form's idempotency key
unique, so a second submit of one form sends nothing; it is completed with what the platform
said (`complete`) or dropped when the platform refused (`drop`). Every function runs in the
caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, select, update

from kernel.models import SentMessage
from triage.storage.tables import replies


def exists_for(conn: Connection, post_id: int) -> bool:
    """A reply or DM to the post is in the log (sent, dry run, or being sent now)."""
    found = conn.execute(select(replies.c.id).where(replies.c.post_id == post_id).limit(1)).first()
    return found is not None


def reserve(
    conn: Connection,
    post_id: int,
    *,
    channel: str,
    text: str,
    dry_run: bool,
    by: str,
    key: str | None,
    now: datetime,
) -> int:
    """The log's row before sending; returns its id (`IntegrityError` when `key` is taken)."""
    return int(
        conn.execute(
            replies.insert()
            .values(
                post_id=post_id,
                channel=channel,
                text=text,
                dry_run=dry_run,
                sent_by=by,
                sent_at=now,
                idempotency_key=key,
            )
            .returning(replies.c.id)
        ).scalar_one()
    )


def complete(conn: Connection, reply_id: int, sent: SentMessage, now: datetime) -> None:
    """What the platform sent, at `now`."""
    conn.execute(
        update(replies)
        .where(replies.c.id == reply_id)
        .values(
            text=sent.text,
            dry_run=sent.dry_run,
            external_id=sent.external_id,
            url=sent.url,
            sent_at=now,
        )
    )


def drop(conn: Connection, reply_id: int) -> None:
    conn.execute(delete(replies).where(replies.c.id == reply_id))


def sent_with(conn: Connection, key: str) -> SentMessage | None:
    """What the reply with this idempotency key sent."""
    row = conn.execute(select(replies).where(replies.c.idempotency_key == key)).mappings().first()
    if row is None:
        return None
    return SentMessage(
        channel=row["channel"],
        text=row["text"],
        external_id=row["external_id"],
        url=row["url"],
        dry_run=row["dry_run"],
    )


def add(conn: Connection, post_id: int, sent: SentMessage, *, by: str, now: datetime) -> None:
    """A reply sent already, logged in one go."""
    conn.execute(
        replies.insert().values(
            post_id=post_id,
            channel=sent.channel,
            text=sent.text,
            dry_run=sent.dry_run,
            external_id=sent.external_id,
            url=sent.url,
            sent_by=by,
            sent_at=now,
        )
    )


def of_post(conn: Connection, post_id: int) -> list[RowMapping]:
    """The post's log rows, oldest first."""
    return list(
        conn.execute(
            select(replies).where(replies.c.post_id == post_id).order_by(replies.c.id)
        ).mappings()
    )
