"""Writing a page of posts: normalise, mask, insert, keep edits, quarantine what cannot be stored.

One bad item never fails its page: items that fail normalising go to `quarantine` straight
away, and when the page's insert fails anyway (a constraint the normaliser did not foresee) the
page is retried row by row, each row in its own savepoint, and only the rows that still fail are
quarantined. The page's cursor is stored in the same transaction either way, so the source moves
on. An item whose (source, external_id) is already stored with another text is an edit: the old
text goes to `post_revisions`, the post gets the new text and waits to be classified again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update
from sqlalchemy.exc import DBAPIError, StatementError

from classifiers.sensitive import detect
from kernel.normalise import Unstorable, clean_str, normalise_post, payload_text
from kernel.protect import protect_post
from kernel.scrub import db_error_line, scrub
from triage.storage.tables import post_revisions, posts, quarantine

log = logging.getLogger(__name__)


@dataclass
class PageResult:
    new: int = 0
    edited: int = 0
    quarantined: list[str] = field(default_factory=list)


def prepare(
    batch: Sequence[Any], fetched_by: str, now: datetime, result: PageResult, conn: Connection
) -> dict[tuple[str, str], list[Any]]:
    """Normalised and masked posts grouped by identity, in page order; bad ones quarantined."""
    by_key: dict[tuple[str, str], list[Any]] = {}
    for item in batch:
        try:
            post = protect_post(normalise_post(item, now=now), detect)
        except Unstorable as exc:
            add_quarantine(conn, fetched_by, item, str(exc), now, result)
            continue
        except Exception as exc:  # a detector or normaliser bug must not block the page
            reason = f"unexpected {type(exc).__name__} while normalising"
            add_quarantine(conn, fetched_by, item, reason, now, result)
            continue
        by_key.setdefault(post.key, []).append(post)
    return by_key


def add_quarantine(
    conn: Connection,
    fetched_by: str,
    item: Any,
    reason: str,
    now: datetime,
    result: PageResult,
    *,
    payload: str | None = None,
    external_id: str | None = None,
) -> None:
    external_id = getattr(item, "external_id", external_id)
    if payload is None and item is not None:
        try:
            payload = payload_text(_masked(item))
        except Exception:  # the payload is evidence, not a requirement
            payload = None
    conn.execute(
        quarantine.insert().values(
            source=fetched_by,
            external_id=None if external_id is None else clean_str(str(external_id))[:1000],
            reason=clean_str(scrub(reason) or "")[:2000],
            payload=payload,
            quarantined_at=now,
        )
    )
    result.quarantined.append(reason)
    log.warning(
        "%s: quarantined %s: %s",
        fetched_by,
        repr(str(external_id)[:80]) if external_id is not None else "an item",
        reason,
        extra={"source": fetched_by},
    )


def _masked(item: Any) -> Any:
    from kernel.models import Post
    from kernel.protect import mask_text

    if isinstance(item, Post):
        text = item.text if isinstance(item.text, str) else str(item.text)
        masked, _ = mask_text(clean_str(text), detect)
        author = item.author
        return {
            "source": str(item.source)[:200],
            "external_id": str(item.external_id)[:200],
            "author": str(getattr(author, "handle", ""))[:300],
            "text": masked,
        }
    if isinstance(item, str):
        return mask_text(clean_str(item), detect)[0]
    return item


def insert_rows(
    conn: Connection,
    stmt: Any,
    rows: list[dict[str, Any]],
    fetched_by: str,
    now: datetime,
    result: PageResult,
) -> list[Any]:
    """Insert-or-skip; returns (id, source, external_id) of the new rows. A failing batch is
    retried row by row and only the failing rows are quarantined."""
    if not rows:
        return []
    try:
        with conn.begin_nested():
            return list(conn.execute(stmt, rows).all())
    except (DBAPIError, StatementError) as exc:
        log.warning(
            "%s: a page of %d posts did not insert (%s); retrying row by row",
            fetched_by,
            len(rows),
            db_error_line(exc),
            extra={"source": fetched_by},
        )
    inserted: list[Any] = []
    for row in rows:
        try:
            with conn.begin_nested():
                inserted += conn.execute(stmt, [row]).all()
        except (DBAPIError, StatementError) as exc:
            add_quarantine(
                conn,
                fetched_by,
                None,
                f"database refused the post: {db_error_line(exc)}",
                now,
                result,
                payload=payload_text({k: row[k] for k in ("source", "external_id", "text")}),
                external_id=row["external_id"],
            )
    return inserted


def apply_edits(
    conn: Connection,
    latest: dict[tuple[str, str], Any],
    earlier: dict[tuple[str, str], list[Any]],
    new_keys: set[tuple[str, str]],
    now: datetime,
    result: PageResult,
) -> None:
    """Posts already stored with another text become revisions; in-page versions too."""
    # A post stored just now from a single version cannot be an edit: no lookup for it.
    keys = [key for key in latest if key not in new_keys or key in earlier]
    if not keys:
        return
    stored: dict[tuple[str, str], Any] = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        cond = or_(*(and_(posts.c.source == s, posts.c.external_id == e) for s, e in chunk))
        for row in conn.execute(
            select(
                posts.c.id, posts.c.source, posts.c.external_id, posts.c.text, posts.c.raw
            ).where(cond)
        ).mappings():
            stored[(row["source"], row["external_id"])] = row
    for key in keys:
        post = latest[key]
        found = stored.get(key)
        if found is None:  # quarantined by the row-by-row fallback
            continue
        row = found
        versions = earlier.get(key, [])
        if key in new_keys:
            # The page's last version was stored as the post; the earlier ones are revisions.
            history = [(v.text, v.raw) for v in versions]
        else:
            history = [(row["text"], row["raw"])] + [(v.text, v.raw) for v in versions]
        history = _distinct(history, post.text)
        if key in new_keys and not history:
            continue
        if not history and row["text"] == post.text:
            continue
        for text, raw in history:
            conn.execute(
                post_revisions.insert().values(
                    post_id=row["id"], text=text, raw=raw, replaced_at=now
                )
            )
        if row["text"] != post.text:
            conn.execute(
                update(posts)
                .where(posts.c.id == row["id"])
                .values(text=post.text, raw=post.raw, classified_at=None)
            )
            result.edited += 1
            log.info(
                "%s %s was edited: stored as a new revision, to be classified again",
                key[0],
                key[1],
                extra={"source": key[0], "post_id": row["id"]},
            )


def _distinct(history: list[tuple[str, Any]], final: str) -> list[tuple[str, Any]]:
    """Consecutive versions with the same text are one version; the final text is not a
    revision of itself."""
    out: list[tuple[str, Any]] = []
    for text, raw in history:
        if out and out[-1][0] == text:
            continue
        out.append((text, raw))
    while out and out[-1][0] == final:
        out.pop()
    return out
