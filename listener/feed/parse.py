"""Feed entries (as feedparser returns them) to `Post`s, and whether a feed body was cut short.

An entry's identity is its id/guid, else its link, else a hash of its content (`entry_id`). Its
text is the title and the fullest body it has, HTML made readable (`listener.html_text`). A
Discourse entry carries its thread: a topic is its own conversation, a reply's parent is the
topic entry (`_thread`). Apart from `FeedSource` so the mapping reads on its own, as each other
platform's `parse` module does; the source keeps the fetching, the cursor and the backoff.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from kernel.models import MAX_TEXT_CHARS, Author, Post, PostKind
from listener.common import clean_text, is_brand
from listener.html_text import html_to_text, tidy

UNKNOWN_AUTHOR = Author(handle="unknown")

_DISCOURSE_TOPIC = re.compile(r"^[\w.-]+-topic-(\d+)$")
_DISCOURSE_POST = re.compile(r"^[\w.-]+-post-\d+")
_DISCOURSE_LINK = re.compile(r"/t/[^/]+/(\d+)(?:/(\d+))?/?$")
#: Discourse's `dc:creator` in posts feeds: "@handle Full Name" (or just "@handle").
_HANDLE_AND_NAME = re.compile(r"^@([\w.-]+)(?:\s+(.+))?$")
#: The closing tag each kind of feed document (feedparser's `version` prefix) must end with;
#: a body without it was cut short. RSS 0.90 and 1.0 are RDF documents.
_CLOSING = (("atom", b"</feed>"), ("rss090", b"</rdf:RDF>"), ("rss10", b"</rdf:RDF>"))


def parse_entry(
    item: Any,
    external_id: str,
    *,
    feed_url: str,
    feed_lang: Any,
    platform: str,
    brand_handles: frozenset[str],
    where: str,
) -> Post:
    """One entry as a post of `platform`: title and body as its text, the Discourse thread
    (`_thread`), the entry's own language before the feed's; `MalformedPayload` naming `where`
    when its text cannot be stored."""
    title = _field_text(item, "title")
    body = _body_text(item)
    parts = [p for p in (title, body) if p]
    if len(parts) == 2 and body.startswith(title):
        parts = [body]  # feeds whose description repeats the title
    text, notes = clean_text("\n\n".join(parts), where=where)
    link = item.get("link")
    handle, name = _author(item)
    author = (
        Author(handle=handle, name=name, is_brand=is_brand(handle, brand_handles))
        if handle
        else UNKNOWN_AUTHOR
    )
    lang = (item.get("content") or [{}])[0].get("language") or feed_lang
    conversation_id, parent_id = _thread(external_id, link)
    return Post(
        source=platform,
        external_id=external_id,
        text=text,
        created_at=_created_at(item),
        url=urljoin(feed_url, link) if isinstance(link, str) and link else None,
        author=author,
        lang=lang if isinstance(lang, str) and lang else None,
        conversation_id=conversation_id,
        parent_id=parent_id,
        kind=PostKind.REPLY if parent_id else PostKind.POST,
        query=feed_url,
        raw={**_jsonable(item), "_feed_url": feed_url, **notes},
    )


def _field_text(item: Any, key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        return ""
    detail = item.get(f"{key}_detail") or {}
    return html_to_text(value) if "html" in str(detail.get("type", "")) else tidy(value)


def _body_text(item: Any) -> str:
    """The fullest body the entry has: Atom content / content:encoded, else the summary."""
    for content in item.get("content") or []:
        value = content.get("value")
        if isinstance(value, str) and value.strip():
            return html_to_text(value) if "html" in str(content.get("type", "")) else tidy(value)
    return _field_text(item, "summary")


def entry_id(item: Any) -> str:
    """The entry's identity: its id/guid, else its link, else a hash of its content."""
    for key in ("id", "link"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    # No guid and no link: the content is all there is to recognise the entry by.
    basis = "\x1f".join(str(item.get(k) or "") for k in ("title", "summary", "published"))
    return "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()


def _author(item: Any) -> tuple[str | None, str | None]:
    """(handle, display name) of the entry's author."""
    detail = item.get("author_detail") or {}
    # An RSS <author> is "email (Name)"; the name is the handle, the address is not.
    for value in (detail.get("name"), item.get("author")):
        if isinstance(value, str) and value.strip():
            value = value.strip()
            split = _HANDLE_AND_NAME.match(value)
            if split:  # Discourse: "@handle Full Name"
                return split.group(1), (split.group(2) or "").strip() or split.group(1)
            return value, value
    return None, None


def truncated(body: bytes, version: str) -> bool:
    """True when the document lacks the closing tag of its root element (cut in transit)."""
    closing = next((tag for prefix, tag in _CLOSING if version.startswith(prefix)), None)
    if closing is None:
        if not version.startswith("rss"):
            return False
        closing = b"</rss>"
    return not body.rstrip().lower().endswith(closing.lower())


def _created_at(item: Any) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = item.get(key)
        if value:  # feedparser normalises every date to a UTC struct_time
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return datetime.now(UTC)


def _thread(external_id: str, link: Any) -> tuple[str, str | None]:
    """(conversation id, parent id): the Discourse topic, and for a reply its topic entry.

    A Discourse post's link is /t/slug/TOPIC/NUMBER; a NUMBER above 1 is a reply in the topic,
    whose parent is the topic entry (`HOST-topic-TOPIC`, the id /latest.rss gives it). Other
    feeds have no threads: the entry is its own conversation.
    """
    topic = _DISCOURSE_TOPIC.match(external_id)
    if topic:
        return topic.group(1), None
    post = _DISCOURSE_POST.match(external_id)
    if post and isinstance(link, str):
        in_link = _DISCOURSE_LINK.search(urlsplit(link).path)
        if in_link:
            number = int(in_link.group(2) or 1)
            host = external_id[: external_id.rindex("-post-")]
            parent = f"{host}-topic-{in_link.group(1)}" if number > 1 else None
            return in_link.group(1), parent
    return external_id, None


def _jsonable(value: Any) -> Any:
    """The entry as plain JSON, without feedparser's parsed times and per-field details."""
    if isinstance(value, dict):
        return {
            str(k): _jsonable(v)
            for k, v in value.items()
            if k == "author_detail" or not str(k).endswith(("_parsed", "_detail", "islink"))
        }
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return value[:MAX_TEXT_CHARS]
    return value if value is None or isinstance(value, bool | int | float) else str(value)
