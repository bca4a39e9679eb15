"""Bluesky posts (post views and notifications, as JSON dicts) to `Post`s.

A post's text is what the Bluesky app shows, made readable where the app relies on markup:
link facets whose visible text is shortened (`example.com/orders/12...`) are written as their
full URL, mentions stay `@handle` (their DIDs are in the record's facets, kept in `raw`), tags
`#tag`. Facet offsets are UTF-8 byte offsets, so the text is cut as bytes. Each image's (and a
video's) alt text follows the text as `[image: ...]`, a link card as `[link: title url]`; a
quoted post is kept as `raw["quoted"]`, not mixed into the author's words.

Identity is the post's AT URI (`at://did/app.bsky.feed.post/rkey`); the thread's root is its
`conversation_id` and the post it answers its `parent_id`, both AT URIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kernel.errors import MalformedPayload
from kernel.models import Author, Post, PostKind
from listener.common import clean_text, obj, parent_context, parse_time

LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"


@dataclass(frozen=True, kw_only=True, slots=True)
class Brand:
    #: Handles (lower case, no `@`) and DIDs of the brand's accounts.
    handles: frozenset[str] = frozenset()
    dids: frozenset[str] = frozenset()

    def owns(self, handle: str, did: str) -> bool:
        return handle.lower() in self.handles or did in self.dids


def facet_text(text: str, facets: Any) -> str:
    """`text` with shortened link facets written out in full (byte offsets, in order)."""
    if not isinstance(facets, list) or not facets:
        return text
    data = text.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for facet in facets:
        index = facet.get("index") if isinstance(facet, dict) else None
        features = facet.get("features") if isinstance(facet, dict) else None
        if not isinstance(index, dict) or not isinstance(features, list):
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data)):
            continue
        shown = data[start:end].decode("utf-8", errors="replace")
        for feature in features:
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if kind == LINK and isinstance(feature.get("uri"), str):
                if shown != feature["uri"]:
                    spans.append((start, end, feature["uri"]))
            elif (
                kind == TAG
                and isinstance(feature.get("tag"), str)
                and not shown.startswith(("#", "\uff03"))  # ASCII or full-width number sign
            ):
                spans.append((start, end, f"#{feature['tag']}"))
    result, at = [], 0
    for start, end, replacement in sorted(spans):
        if start < at:
            continue  # overlapping facets: keep the first
        result.append(data[at:start].decode("utf-8", errors="replace"))
        result.append(replacement)
        at = end
    result.append(data[at:].decode("utf-8", errors="replace"))
    return "".join(result)


def embed_lines(embed: Any) -> list[str]:
    """Alt text of images and video, and a link card, from a record's `embed`."""
    if not isinstance(embed, dict):
        return []
    kind = str(embed.get("$type") or "").split("#")[0]
    if kind == "app.bsky.embed.recordWithMedia":
        return embed_lines(embed.get("media"))
    lines: list[str] = []
    if kind == "app.bsky.embed.images":
        for image in embed.get("images") or []:
            alt = str(obj(image).get("alt") or "").strip()
            if alt:
                lines.append(f"[image: {alt}]")
    elif kind == "app.bsky.embed.video":
        alt = str(embed.get("alt") or "").strip()
        if alt:
            lines.append(f"[video: {alt}]")
    elif kind == "app.bsky.embed.external":
        card = embed.get("external") or {}
        title, uri = str(card.get("title") or "").strip(), str(card.get("uri") or "")
        if uri:
            lines.append(f"[link: {title} {uri}]" if title else f"[link: {uri}]")
    return lines


def record_text(record: dict[str, Any]) -> str:
    text = facet_text(str(record.get("text") or ""), record.get("facets"))
    return "\n".join([text.strip(), *embed_lines(record.get("embed"))]).strip()


def web_url(uri: str, handle: str) -> str | None:
    """The bsky.app address of a post's AT URI."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"


def context(view: dict[str, Any], *, where: str) -> dict[str, str | None]:
    """A post view as `raw["parent"]` / `raw["root"]` (see `listener.common.parent_context`)."""
    author = view.get("author") or {}
    record = view.get("record") or view.get("value") or {}
    handle = str(author.get("handle") or "")
    uri = str(view.get("uri") or "")
    return parent_context(
        external_id=uri,
        text=record_text(record),
        handle=handle or None,
        created_at=parse_time(record.get("createdAt") or view.get("indexedAt"), where=where),
        url=web_url(uri, handle),
    )


def parse_post(
    view: dict[str, Any],
    *,
    brand: Brand,
    query: str,
    where: str,
    thread: dict[str, dict[str, Any]] | None = None,
) -> Post:
    """The post for a post view or a notification (both have uri, cid, author and record).
    Raises `MalformedPayload` naming the post when a field the post needs is missing."""
    uri, author, record = view.get("uri"), view.get("author"), view.get("record")
    here = f"{where}: post {uri or '?'}"
    if not isinstance(uri, str) or not uri or not view.get("cid"):
        raise MalformedPayload(f"{here}: no uri or cid")
    if not isinstance(author, dict) or not author.get("did") or not author.get("handle"):
        raise MalformedPayload(f"{here}: no author did and handle")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise MalformedPayload(f"{here}: no post record")
    handle, did = str(author["handle"]), str(author["did"])
    text, notes = clean_text(record_text(record), where=here)
    raw = dict(view)
    raw.update(notes)
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else None
    parent_uri = obj(obj(reply).get("parent")).get("uri")
    root_uri = obj(obj(reply).get("root")).get("uri")
    for key, found in (("parent", parent_uri), ("root", root_uri)):
        if found and thread and found in thread:
            raw[key] = context(thread[found], where=here)
    quoted = _quoted(view.get("embed")) or (thread or {}).get(quoted_uri(record) or "")
    if quoted is not None:
        raw["quoted"] = context(quoted, where=here)
    langs = record.get("langs")
    created = record.get("createdAt") or view.get("indexedAt")
    return Post(
        source="bluesky",
        external_id=uri,
        text=text,
        created_at=parse_time(created, where=here),
        url=web_url(uri, handle),
        author=Author(
            handle=handle,
            name=author.get("displayName") or None,
            external_id=did,
            is_brand=brand.owns(handle, did),
        ),
        lang=str(langs[0]).split("-")[0].lower() if isinstance(langs, list) and langs else None,
        conversation_id=str(root_uri or uri),
        parent_id=str(parent_uri) if parent_uri else None,
        kind=PostKind.REPLY if parent_uri else PostKind.POST,
        query=query,
        raw=raw,
    )


def quoted_uri(record: dict[str, Any]) -> str | None:
    """The post a record quotes (`app.bsky.embed.record`, alone or with media)."""
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
        inner = inner["record"]  # recordWithMedia wraps the record embed
    uri = inner.get("uri") if isinstance(inner, dict) else None
    return uri if isinstance(uri, str) and "/app.bsky.feed.post/" in uri else None


def thread_uris(views: list[dict[str, Any]]) -> set[str]:
    """The parents and roots these posts answer, and the posts they quote without showing."""
    found: set[str] = set()
    for view in views:
        quoted = quoted_uri(obj(view.get("record")))
        if quoted and _quoted(view.get("embed")) is None:
            found.add(quoted)
        reply = obj(obj(view.get("record")).get("reply"))
        for key in ("parent", "root"):
            uri = obj(reply.get(key)).get("uri")
            if isinstance(uri, str) and uri:
                found.add(uri)
    return found


def _quoted(embed: Any) -> dict[str, Any] | None:
    """The quoted post's view, from a post view's `embed` (record or recordWithMedia)."""
    if not isinstance(embed, dict):
        return None
    record = embed.get("record")
    if isinstance(record, dict) and isinstance(record.get("record"), dict):
        record = record["record"]  # recordWithMedia#view wraps the record#view
    if isinstance(record, dict) and str(record.get("$type", "")).endswith("#viewRecord"):
        return record
    return None


def sort_time(view: dict[str, Any], *, search: bool, where: str) -> datetime:
    """Where the item sorts: notifications by `indexedAt`; searches (`sort=latest`) by the
    earlier of `indexedAt` and the record's `createdAt`, as Bluesky's `sortAt`."""
    indexed = parse_time(view.get("indexedAt"), where=where)
    created = obj(view.get("record")).get("createdAt")
    if not search or not created:
        return indexed
    try:
        return min(indexed, parse_time(created, where=where))
    except MalformedPayload:
        return indexed
