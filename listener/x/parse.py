"""X API v2 list pages to `Post`s: pure functions over the JSON, no I/O.

Shapes handled on purpose (see tests/fixtures/x/README.md for where each was recorded):
zero-result pages are `{"meta": {"result_count": 0}}` with no `data` key; a 200 may carry
top-level `errors[]` next to its data (partial errors); `public_metrics` uses
`retweet_count`/`tweet_count` in recorded responses and `repost_count`/`post_count` in the
current spec; a response without the requested `created_at` still has the time in the id.
Bodies, error bodies and rate-limit headers of any X response are `listener/x/response.py`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kernel.errors import MalformedPayload
from kernel.models import Author, Post, PostKind
from listener.common import clean_text, is_brand, obj, parent_context, parse_time
from listener.x.response import partial_errors

SOURCE = "x"
#: X's `lang` codes that are not a language: undetermined, no text, only media/hashtags/etc.
NO_LANGUAGE = frozenset({"und", "zxx", "qme", "qht", "qam", "qct", "qst"})
#: X's private-use codes (qaa-qtz: "only media", "only hashtags", ...) are not languages either.
_PRIVATE_USE = re.compile(r"q[a-t][a-z]")
#: Codes X still sends that ISO 639-1 withdrew, to the codes everyone else uses.
_OLD_CODES = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv"}
#: Snowflake ids carry their creation time: milliseconds since this epoch, shifted left 22 bits.
_SNOWFLAKE_EPOCH_MS = 1_288_834_974_657
#: Older public_metrics names -> the names of the current spec (2.167).
_METRIC_RENAMES = {"retweet_count": "repost_count", "tweet_count": "post_count"}


@dataclass(frozen=True, kw_only=True, slots=True)
class Brand:
    """Who the brand is on X, to mark its own posts (no self-echo)."""

    user_id: str | None = None
    handles: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True, slots=True)
class ParsedPage:
    posts: tuple[Post, ...]
    #: Items that could not be turned into posts, one line each (reported, not stored).
    skipped: tuple[str, ...]
    retweets_skipped: int
    next_token: str | None
    #: The newest tweet id on this page (from `meta.newest_id`, else the data itself).
    newest_id: str | None
    #: Top-level `errors[]` of a 200 response, one line each.
    partial_errors: tuple[str, ...]


def parse_page(
    body: dict[str, Any], *, where: str, query: str, brand: Brand, include_retweets: bool
) -> ParsedPage:
    """Posts of one mentions or recent-search page; raises `MalformedPayload` on a bad shape."""
    if "data" not in body and "meta" not in body:
        errors = partial_errors(body)
        hint = f" (errors: {errors[0]})" if errors else ""
        raise MalformedPayload(f"{where}: response has neither data nor meta{hint}")
    data = body.get("data") or []
    meta = body.get("meta") or {}
    includes = body.get("includes") or {}
    if not isinstance(data, list):
        raise MalformedPayload(f"{where}: data is {type(data).__name__}, expected a list")
    if not isinstance(meta, dict):
        raise MalformedPayload(f"{where}: meta is {type(meta).__name__}, expected an object")
    if not isinstance(includes, dict):
        raise MalformedPayload(f"{where}: includes is not an object")
    next_token = meta.get("next_token")
    if next_token is not None and not isinstance(next_token, str):
        raise MalformedPayload(f"{where}: meta.next_token is not a string")
    users = _by_id(includes.get("users"), where=where, field="includes.users")
    referenced = _by_id(includes.get("tweets"), where=where, field="includes.tweets")
    media = _by_key(includes.get("media"))

    posts: list[Post] = []
    skipped: list[str] = []
    retweets = 0
    for index, tweet in enumerate(data):
        if not isinstance(tweet, dict) or not tweet.get("id"):
            skipped.append(f"{where}: data[{index}] is not a tweet with an id")
            continue
        retweeted = referenced_id(tweet, "retweeted")
        if retweeted and (not include_retweets or _by_brand(referenced.get(retweeted), brand)):
            retweets += 1  # a retweet of the brand's own post is only its echo
            continue
        try:
            posts.append(
                to_post(tweet, users, referenced, media, query=query, brand=brand, where=where)
            )
        except MalformedPayload as exc:
            skipped.append(str(exc))
    newest = meta.get("newest_id") or _newest_id(data)
    return ParsedPage(
        posts=tuple(posts),
        skipped=tuple(skipped),
        retweets_skipped=retweets,
        next_token=next_token or None,
        newest_id=str(newest) if newest else None,
        partial_errors=partial_errors(body),
    )


def to_post(
    tweet: dict[str, Any],
    users: Mapping[str, dict[str, Any]],
    referenced: Mapping[str, dict[str, Any]],
    media: Mapping[str, dict[str, Any]] | None = None,
    *,
    query: str,
    brand: Brand,
    where: str,
) -> Post:
    tweet_id = str(tweet["id"])
    here = f"{where} tweet {tweet_id}"
    text = full_text(tweet)
    if text is None:
        raise MalformedPayload(f"{here}: text is missing")
    original = referenced.get(referenced_id(tweet, "retweeted") or "")
    if original is not None and full_text(original) is not None:
        # "RT @user: ..." is cut at 280 characters; the original in includes.tweets is whole.
        who = (users.get(str(original.get("author_id"))) or {}).get("username")
        text = f"RT @{who}: {full_text(original)}" if who else str(full_text(original))
    text, notes = clean_text(text, where=here)
    author_id = _opt_str(tweet.get("author_id"))
    user = users.get(author_id) if author_id else None
    author = to_author(user, author_id, brand)
    parent_id = referenced_id(tweet, "replied_to")
    raw: dict[str, Any] = {
        "tweet": tweet,
        "author": user,
        "metrics": metrics(tweet.get("public_metrics")),
        **notes,
    }
    context = [referenced[ref] for ref in _reference_ids(tweet) if ref in referenced]
    if context:
        raw["referenced"] = context
    parent = referenced.get(parent_id or "")
    parent_text = full_text(parent) if parent is not None else None
    if parent is not None and parent_id and parent_text is not None:
        parent_user = users.get(str(parent.get("author_id"))) or {}
        parent_handle = parent_user.get("username")
        raw["parent"] = parent_context(
            external_id=parent_id,
            text=clean_text(parent_text, where=f"{here} parent")[0],
            handle=parent_handle,
            created_at=_created_at(parent, parent_id, f"{here} parent"),
            url=f"https://x.com/{parent_handle or 'i/web'}/status/{parent_id}",
        )
    quoted = referenced.get(referenced_id(tweet, "quoted") or "")
    if quoted is not None and _by_brand(quoted, brand):
        raw["quotes_brand"] = True  # the brand's own words are in raw["referenced"], not text
    attached = _media(tweet, original, media or {})
    if attached:
        raw["media"] = attached
    handle = user.get("username") if user else None
    return Post(
        source=SOURCE,
        external_id=tweet_id,
        text=text,
        created_at=_created_at(tweet, tweet_id, here),
        url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
        author=author,
        lang=language(tweet.get("lang")),
        conversation_id=_opt_str(tweet.get("conversation_id")),
        parent_id=parent_id,
        kind=PostKind.REPLY if parent_id or tweet.get("in_reply_to_user_id") else PostKind.POST,
        query=query,
        raw=raw,
    )


def full_text(tweet: dict[str, Any]) -> str | None:
    """What a reader sees: the whole `note_tweet` of a long post, with X's HTML escapes undone.

    X v2 escapes `&`, `<` and `>` in `text` (and `note_tweet.text`) as HTML entities.
    """
    note = tweet.get("note_tweet")
    text = note.get("text") if isinstance(note, dict) else None
    if not isinstance(text, str) or not text:
        text = tweet.get("text")
    return html.unescape(text) if isinstance(text, str) else None


def language(code: Any) -> str | None:
    """X's `lang` as an ISO 639-1 code; None for "undetermined" and X's private-use codes."""
    if not isinstance(code, str) or not code.strip():
        return None
    code = code.strip().lower()
    if code in NO_LANGUAGE or _PRIVATE_USE.fullmatch(code):
        return None
    return _OLD_CODES.get(code, code)


def to_author(user: dict[str, Any] | None, author_id: str | None, brand: Brand) -> Author:
    own = author_id is not None and author_id == brand.user_id
    if user is None:
        # The author was not expanded (suspended, withheld, or not requested).
        return Author(handle="unknown", external_id=author_id, is_brand=own)
    handle = str(user.get("username") or "unknown")
    followers = obj(user.get("public_metrics")).get("followers_count")
    verified = user.get("verified")
    if not isinstance(verified, bool):
        verified_type = user.get("verified_type")
        verified = verified_type != "none" if isinstance(verified_type, str) else None
    return Author(
        handle=handle,
        name=_opt_str(user.get("name")),
        followers=followers
        if isinstance(followers, int) and not isinstance(followers, bool)
        else None,
        verified=verified,
        external_id=author_id or _opt_str(user.get("id")),
        is_brand=own or is_brand(handle, brand.handles),
    )


def metrics(public_metrics: Any) -> dict[str, int]:
    """public_metrics under the current spec's names, whichever naming set the API used."""
    if not isinstance(public_metrics, dict):
        return {}
    return {
        _METRIC_RENAMES.get(str(name), str(name)): value
        for name, value in public_metrics.items()
        if isinstance(value, int) and not isinstance(value, bool)
    }


def referenced_id(tweet: dict[str, Any], kind: str) -> str | None:
    """The id of the tweet this one `replied_to` / `quoted` / `retweeted`, if any."""
    refs = tweet.get("referenced_tweets")
    for ref in refs if isinstance(refs, list) else []:
        if isinstance(ref, dict) and ref.get("type") == kind and ref.get("id"):
            return str(ref["id"])
    return None


def _created_at(tweet: dict[str, Any], tweet_id: str, where: str) -> datetime:
    if tweet.get("created_at"):
        return parse_time(tweet["created_at"], where=where)
    if _numeric(tweet_id):  # not requested or not returned: the snowflake id knows
        return datetime.fromtimestamp(((int(tweet_id) >> 22) + _SNOWFLAKE_EPOCH_MS) / 1000, UTC)
    raise MalformedPayload(f"{where}: no created_at and the id is not a snowflake")


def _by_id(items: Any, *, where: str, field: str) -> dict[str, dict[str, Any]]:
    if items is None:
        return {}
    if not isinstance(items, list):
        raise MalformedPayload(f"{where}: {field} is not a list")
    return {str(i["id"]): i for i in items if isinstance(i, dict) and i.get("id")}


def _by_key(items: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i["media_key"]): i for i in items if isinstance(i, dict) and i.get("media_key")}


def _media(
    tweet: dict[str, Any], original: dict[str, Any] | None, media: Mapping[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The photos/videos attached to the tweet (or to the original it retweets)."""
    keys: list[str] = []
    for source in (tweet, original or {}):
        attachments = source.get("attachments")
        if isinstance(attachments, dict) and isinstance(attachments.get("media_keys"), list):
            keys.extend(str(k) for k in attachments["media_keys"])
    found = []
    for key in dict.fromkeys(keys):
        item = media.get(key)
        if item is None:
            continue
        found.append(
            {
                "type": item.get("type"),
                "url": item.get("url") or item.get("preview_image_url"),
                "alt_text": item.get("alt_text"),
            }
        )
    return found


def _by_brand(tweet: dict[str, Any] | None, brand: Brand) -> bool:
    return bool(tweet) and brand.user_id is not None and tweet.get("author_id") == brand.user_id  # type: ignore[union-attr]


def _reference_ids(tweet: dict[str, Any]) -> list[str]:
    refs = tweet.get("referenced_tweets")
    return (
        [str(r["id"]) for r in refs if isinstance(r, dict) and r.get("id")]
        if isinstance(refs, list)
        else []
    )


def _newest_id(data: list[Any]) -> str | None:
    ids = [str(t["id"]) for t in data if isinstance(t, dict) and _numeric(str(t.get("id", "")))]
    return max(ids, key=int) if ids else None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _numeric(value: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts "²" and other digits `int()` refuses."""
    return value.isascii() and value.isdigit()
