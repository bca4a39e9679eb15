"""Turn one Reddit listing child (`{"kind": "t3"|"t1", "data": {...}}`) into a `Post`.

Removed and deleted bodies are skipped, not stored: a submission whose `selftext` is
"[removed]"/"[deleted]" (or that carries a `removed_by_category`) and a comment whose `body` is
"[removed]"/"[deleted]" are no longer public, so there is nothing the care team can answer. They
still count as seen, so the next poll does not reconsider them, and the reason goes to
`Page.skipped`. A post whose author deleted their account but whose text is still there is kept,
with `DELETED_AUTHOR`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kernel.errors import MalformedPayload
from kernel.models import DELETED_AUTHOR, Author, Post, PostKind
from listener.common import clean_text, is_brand, parent_context, parse_time

#: Posts link to the public site, whatever API host or gateway the source talks to.
WEB_URL = "https://www.reddit.com"
REMOVED_BODIES = frozenset({"[removed]", "[deleted]"})
_KINDS = {"t3": PostKind.POST, "t1": PostKind.COMMENT}


@dataclass(frozen=True, kw_only=True, slots=True)
class Item:
    """A listing child placed in its stream: a post to emit, or the reason it was skipped."""

    fullname: str
    created_utc: float
    post: Post | None = None
    skipped: str | None = None


def parse_child(
    child: Any, *, query: str, brand: frozenset[str], where: str, search: bool = False
) -> Item:
    """The item for one child; `MalformedPayload` (naming `where`) when it cannot be placed.

    The post's `query` is its own subreddit ("r/acme"), whatever listing (r/popular, r/all)
    surfaced it; for a search it is followed by the search ("r/acme search: refund").
    """
    if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
        raise MalformedPayload(f"{where}: listing child is not an object with data")
    kind, data = child.get("kind"), child["data"]
    if kind not in _KINDS:
        raise MalformedPayload(f"{where}: unexpected listing child kind {kind!r}")
    fullname = data.get("name") or (f"{kind}_{data['id']}" if data.get("id") else None)
    if not isinstance(fullname, str) or not fullname.startswith(f"{kind}_"):
        raise MalformedPayload(f"{where}: {kind} child without a fullname")
    where = f"{where} {fullname}"
    created = parse_time(data.get("created_utc"), where=where)
    created_utc = created.timestamp()

    removed = _removed_reason(kind, data)
    if removed:
        return Item(fullname=fullname, created_utc=created_utc, skipped=f"{where}: {removed}")
    text, notes = clean_text(_text(kind, data, where), where=where)
    if not text.strip():
        return Item(fullname=fullname, created_utc=created_utc, skipped=f"{where}: empty text")
    raw = {**data, **notes} if notes else data
    parent = _parent(kind, data, where)
    if parent is not None:
        raw = {**raw, "parent": parent}
    post = Post(
        source="reddit",
        external_id=fullname,
        text=text,
        created_at=created,
        url=_url(kind, data),
        author=_author(data, brand),
        lang=None,
        conversation_id=fullname if kind == "t3" else _opt_str(data.get("link_id")),
        parent_id=_opt_str(data.get("parent_id")) if kind == "t1" else None,
        kind=_KINDS[kind],
        query=_query(data, query, search=search),
        raw=raw,
    )
    return Item(fullname=fullname, created_utc=created_utc, post=post)


def _parent(kind: str, data: dict[str, Any], where: str) -> dict[str, str | None] | None:
    """A top-level comment answers its submission, whose title and author the listing carries."""
    parent, title = data.get("parent_id"), data.get("link_title")
    if kind != "t1" or not isinstance(parent, str) or not parent.startswith("t3_"):
        return None
    if not isinstance(title, str) or not title:
        return None
    author = data.get("link_author")
    permalink = data.get("link_permalink")
    return parent_context(
        external_id=parent,
        text=clean_text(title, where=f"{where} parent")[0],
        handle=author if isinstance(author, str) and author != "[deleted]" else None,
        created_at=parse_time(data.get("created_utc"), where=where),
        url=permalink if isinstance(permalink, str) else None,
    )


def _removed_reason(kind: str, data: dict[str, Any]) -> str | None:
    body = data.get("selftext") if kind == "t3" else data.get("body")
    if isinstance(body, str) and body in REMOVED_BODIES:
        return f"body {body} (removed or deleted), skipped"
    if kind == "t3" and data.get("removed_by_category"):
        return f"removed by {data['removed_by_category']}, skipped"
    return None


def _text(kind: str, data: dict[str, Any], where: str) -> str:
    if kind == "t1":
        body = data.get("body")
        if not isinstance(body, str):
            raise MalformedPayload(f"{where}: comment without a body")
        return body
    title, selftext = data.get("title"), data.get("selftext") or ""
    if not isinstance(title, str) or not isinstance(selftext, str):
        raise MalformedPayload(f"{where}: submission without a title")
    # The title, the body; a link post's body is the page it links to, so its URL follows;
    # the flair Reddit shows beside the title is the last line (no dangling "\n\n" ever).
    parts = [title, selftext]
    link = data.get("url")
    own_page = WEB_URL + str(data.get("permalink") or "\0")
    linked = isinstance(link, str) and link.startswith("http") and not link.startswith(own_page)
    if linked and not data.get("is_self"):
        parts.append(str(link))
    flair = data.get("link_flair_text")
    if isinstance(flair, str) and flair.strip():
        parts.append(f"Flair: {flair.strip()}")
    return "\n\n".join(p for p in parts if p)


def _url(kind: str, data: dict[str, Any]) -> str | None:
    permalink = data.get("permalink")
    if isinstance(permalink, str) and permalink.startswith("/"):
        return WEB_URL + permalink
    link_id = data.get("link_id")  # older comment payloads carry no permalink
    if kind == "t1" and isinstance(link_id, str) and data.get("id"):
        return f"{WEB_URL}/comments/{link_id.removeprefix('t3_')}/_/{data['id']}/"
    return None


def _author(data: dict[str, Any], brand: frozenset[str]) -> Author:
    handle = data.get("author")
    if not isinstance(handle, str) or handle in ("", "[deleted]"):
        return DELETED_AUTHOR
    external_id = data.get("author_fullname")
    return Author(
        handle=handle,
        external_id=external_id if isinstance(external_id, str) else None,
        is_brand=is_brand(handle, brand),
    )


def _query(data: dict[str, Any], query: str, *, search: bool) -> str:
    sub = data.get("subreddit")
    if not isinstance(sub, str) or not sub:
        return query
    return f"r/{sub} search: {query}" if search else f"r/{sub}"


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
