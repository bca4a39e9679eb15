"""Mastodon statuses (as Mastodon.py returns them) to `Post`s.

The HTML `content` becomes the text a person reads (`listener.html_text`): paragraphs and
`<br>` as line breaks, mentions as `@user`, links in full (Mastodon hides part of a long link
in invisible spans, which are kept). A content warning leads the text, and each attachment's
description (its alt text) follows it, so the classifier sees what the author wrote about them.
Handles are stored fully qualified (`user@instance`): a local account's `acct` has no instance,
and the same name on two instances is two people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kernel.errors import MalformedPayload
from kernel.models import Author, Post, PostKind
from listener.common import clean_text, obj, parent_context, parse_time
from listener.html_text import html_to_text
from listener.mastodon.client import plain


@dataclass(frozen=True, kw_only=True, slots=True)
class Brand:
    #: The instance the source reads from (local accounts' `acct` lacks it).
    host: str
    #: Brand handles, lower case, bare (`acme`) or qualified (`acme@mastodon.social`).
    handles: frozenset[str] = frozenset()

    def qualify(self, acct: str) -> str:
        acct = acct.lstrip("@")
        return acct if "@" in acct else f"{acct}@{self.host}"

    def owns(self, acct: str) -> bool:
        qualified = self.qualify(acct).lower()
        return qualified in self.handles or qualified.split("@")[0] in self.handles


def status_text(status: dict[str, Any]) -> str:
    text = html_to_text(str(status.get("content") or ""))
    warning = str(status.get("spoiler_text") or "").strip()
    if warning:
        text = f"CW: {warning}\n\n{text}"
    media_list = status.get("media_attachments")
    for media in media_list if isinstance(media_list, list) else []:
        description = str(obj(media).get("description") or "").strip()
        if description:
            text += f"\n[{obj(media).get('type') or 'media'}: {description}]"
    return text.strip()


def parse_status(
    status: Any, *, brand: Brand, query: str, where: str, parent: Any | None = None
) -> Post | None:
    """The post for one status; None for a boost (its original is the post). Raises
    `MalformedPayload` naming the status when a field the post needs is missing."""
    raw = plain(status)
    if not isinstance(raw, dict):
        raise MalformedPayload(f"{where}: a status is not an object")
    status_id = raw.get("id")
    account = raw.get("account")
    here = f"{where}: status {status_id or '?'}"
    if not status_id or not isinstance(account, dict) or not account.get("acct"):
        raise MalformedPayload(f"{here}: no id or account")
    if raw.get("reblog"):
        return None
    created_at = parse_time(raw.get("created_at"), where=here)
    text, notes = clean_text(status_text(raw), where=here)
    handle = brand.qualify(str(account["acct"]))
    followers = account.get("followers_count")
    raw.update(notes)
    parent_id = raw.get("in_reply_to_id")
    if parent is not None:
        parent_raw = plain(parent)
        parent_raw = obj(parent_raw)
        parent_account = obj(parent_raw.get("account"))
        raw["parent"] = parent_context(
            external_id=str(parent_raw.get("id")),
            text=status_text(parent_raw),
            handle=brand.qualify(str(parent_account.get("acct") or "")) or None,
            created_at=parse_time(parent_raw.get("created_at"), where=here),
            url=parent_raw.get("url"),
        )
    return Post(
        source="mastodon",
        external_id=str(status_id),
        text=text,
        created_at=created_at,
        url=raw.get("url") or raw.get("uri"),
        author=Author(
            handle=handle,
            name=account.get("display_name") or None,
            followers=followers if isinstance(followers, int) else None,
            external_id=str(account.get("id")) if account.get("id") else None,
            is_brand=brand.owns(handle),
        ),
        lang=raw.get("language") or None,
        parent_id=str(parent_id) if parent_id else None,
        kind=PostKind.REPLY if parent_id else PostKind.POST,
        query=query,
        raw=raw,
    )


def newest_id(ids: list[str]) -> str | None:
    """The largest of Mastodon's numeric string ids (longer is larger)."""
    return max(ids, key=lambda i: (len(i), i)) if ids else None
