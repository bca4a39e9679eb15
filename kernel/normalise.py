"""The storage boundary: every post is checked and normalised here before it is written.

Sources try to hand over clean posts, but a platform (or a replay file) can send anything: an
object where a string belongs, `verified: "maybe"`, follower counts past 2**63, NUL bytes that
PostgreSQL refuses, values longer than their column, payloads nested thousands of levels deep.
`normalise_post` repairs what can be repaired without changing what the post means (strips NUL
bytes, drops a value of the wrong type, cuts a display name, bounds the raw payload) and raises
`Unstorable` for what cannot (no usable identity), so the store can quarantine that one item
and keep the rest of its page. A post dated more than an hour ahead of the clock is stored with
the time it was read (the given time kept in `raw["_normalised"]`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from kernel.errors import Unstorable
from kernel.models import MAX_TEXT_CHARS, Author, Post, PostKind

#: Column limits (triage/storage/tables.py); identity values past them are refused.
SOURCE_MAX = 64
EXTERNAL_ID_MAX = 191
HANDLE_MAX = 255
NAME_MAX = 255
LANG_MAX = 16
#: Largest value a BIGINT column holds.
BIGINT_MAX = 2**63 - 1
#: Raw payloads deeper than this are cut there (platform payloads are < 10 levels deep).
MAX_DEPTH = 32
#: Raw payloads larger than this (as JSON) are replaced by a note.
MAX_RAW_BYTES = 256 * 1024
#: Posts dated later than this past the clock are clamped to the time they were read.
FUTURE_TOLERANCE = timedelta(hours=1)


def normalise_post(post: Post, *, now: datetime | None = None) -> Post:
    """`post` made safe for every column of every engine, or `Unstorable`."""
    notes: list[str] = []
    source = _identity(post.source, "source", SOURCE_MAX)
    external_id = _identity(post.external_id, "external_id", EXTERNAL_ID_MAX)
    if not isinstance(post.text, str):
        raise Unstorable(f"text is {type(post.text).__name__}, not a string")
    text = clean_str(post.text)
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        notes.append(f"text cut to {MAX_TEXT_CHARS} characters")
    created_at = post.created_at
    if not isinstance(created_at, datetime):
        raise Unstorable(f"created_at is {type(created_at).__name__}, not a time")
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if created_at > now + FUTURE_TOLERANCE:
        # A post from the future (a bad clock, year 9999) would sort first in every list:
        # stored as the time it was read, the given time kept in the note.
        notes.append(f"created_at {created_at.isoformat()} is in the future: stored as read time")
        created_at = now
    try:
        kind = PostKind(post.kind)
    except ValueError as exc:
        raise Unstorable(f"kind {str(post.kind)[:40]!r} is not post, comment or reply") from exc
    raw, raw_notes = bound_payload(post.raw)
    notes += raw_notes
    clean = Post(
        source=source,
        external_id=external_id,
        text=text,
        created_at=created_at,
        url=_opt_text(post.url, "url", None, notes),
        author=_author(post.author, notes),
        lang=_opt_text(post.lang, "lang", LANG_MAX, notes, drop_if_long=True),
        conversation_id=_opt_id(post.conversation_id, "conversation_id", notes),
        parent_id=_opt_id(post.parent_id, "parent_id", notes),
        kind=kind,
        query=_opt_text(post.query, "query", None, notes),
        raw=raw,
        brand=post.brand,
    )
    if notes:
        clean = dataclasses.replace(clean, raw={**clean.raw, "_normalised": notes})
    return clean


def clean_str(value: str) -> str:
    """No NUL bytes (PostgreSQL refuses them) and no lone surrogates (not valid UTF-8)."""
    value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _identity(value: Any, name: str, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Unstorable(f"{name} is {type(value).__name__}, not a string")
    text = clean_str(str(value)).strip()
    if not text:
        raise Unstorable(f"{name} is empty")
    if len(text) > limit:
        raise Unstorable(f"{name} is {len(text)} characters long (at most {limit})")
    return text


def _opt_text(
    value: Any,
    name: str,
    limit: int | None,
    notes: list[str],
    *,
    drop_if_long: bool = False,
) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        notes.append(f"{name} dropped: a {type(value).__name__}, not a string")
        return None
    text = clean_str(value)
    if limit is not None and len(text) > limit:
        if drop_if_long:
            notes.append(f"{name} dropped: longer than {limit} characters")
            return None
        notes.append(f"{name} cut to {limit} characters")
        text = text[:limit]
    return text


def _opt_id(value: Any, name: str, notes: list[str]) -> str | None:
    """Ids cut short would point at another post: a bad one is dropped, not cut."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _opt_text(value, name, EXTERNAL_ID_MAX, notes, drop_if_long=True)


def _author(author: Any, notes: list[str]) -> Author:
    if not isinstance(author, Author):
        notes.append("author dropped: not an author record")
        return Author(handle="unknown")
    handle = _opt_text(author.handle, "author.handle", HANDLE_MAX, notes) or "unknown"
    followers = author.followers
    if followers is not None and (
        isinstance(followers, bool)
        or not isinstance(followers, int)
        or not 0 <= followers <= BIGINT_MAX
    ):
        notes.append("author.followers dropped: not a count between 0 and 2**63-1")
        followers = None
    verified = author.verified
    if verified is not None and not isinstance(verified, bool):
        notes.append("author.verified dropped: not true or false")
        verified = None
    return Author(
        handle=handle,
        name=_opt_text(author.name, "author.name", NAME_MAX, notes),
        followers=followers,
        verified=verified,
        external_id=_opt_id(author.external_id, "author.external_id", notes),
        is_brand=author.is_brand is True,
    )


def bound_payload(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """The raw payload as plain JSON: string keys, no NUL bytes, no NaN, at most `MAX_DEPTH`
    levels and `MAX_RAW_BYTES` bytes. Never recurses past `MAX_DEPTH`, whatever it is given."""
    notes: list[str] = []
    if not isinstance(raw, dict):
        notes.append(f"raw payload was a {type(raw).__name__}, kept as text")
        raw = {"value": raw}
    cut = [False]
    value = _plain(raw, 0, cut)
    if cut[0]:
        notes.append(f"raw payload cut at {MAX_DEPTH} levels of nesting")
    size = len(json.dumps(value, ensure_ascii=False).encode("utf-8", "replace"))
    if size > MAX_RAW_BYTES:
        notes.append(f"raw payload of {size} bytes dropped (at most {MAX_RAW_BYTES})")
        value = {}
    assert isinstance(value, dict)
    return value, notes


def _plain(value: Any, depth: int, cut: list[bool]) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return clean_str(value)
    if isinstance(value, int):
        return value if -BIGINT_MAX - 1 <= value <= BIGINT_MAX else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth >= MAX_DEPTH:
        cut[0] = True
        return "[cut: nested too deep]"
    if isinstance(value, dict):
        return {clean_str(str(k)): _plain(v, depth + 1, cut) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1, cut) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return clean_str(str(value))[:1000]


def payload_text(value: Any, limit: int = 64 * 1024) -> str:
    """Any item (a post, a dict, a string) as bounded JSON text for the quarantine table."""
    if isinstance(value, Post):
        value = {
            "source": value.source,
            "external_id": value.external_id,
            "text": value.text,
            "raw": value.raw,
        }
    plain = _plain(value, 0, [False])
    return json.dumps(plain, ensure_ascii=False, default=str)[:limit]
