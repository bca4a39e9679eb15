"""Fetch the comments that Reddit comments answer, so a reply's case shows its thread.

A listing carries a top-level comment's submission (title, author: see reddit_items), but not
the comment a nested reply answers. After a stream's pages, the parents that are neither in
those pages nor already attached are read with one `GET /api/info?id=t1_a,t1_b,...` (up to
100 per request) and kept in the reply's `raw["parent"]`. Context is best effort: a failure
is logged and the posts are stored without it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import Any

from kernel.errors import SourceError
from kernel.models import Post
from listener.common import clean_text, parent_context, parse_time
from listener.reddit.items import WEB_URL

log = logging.getLogger(__name__)

#: The most ids Reddit's /api/info accepts in one request.
INFO_BATCH = 100


def missing_parents(posts: Sequence[Post]) -> list[str]:
    """Comment parents (t1_) that are not among `posts` and not attached already."""
    here = {post.external_id for post in posts}
    wanted = [
        post.parent_id
        for post in posts
        if post.parent_id
        and post.parent_id.startswith("t1_")
        and post.parent_id not in here
        and "parent" not in post.raw
    ]
    return list(dict.fromkeys(p for p in wanted if p))


def attach_parents(
    posts: Sequence[Post], info: Callable[[list[str]], list[Any]], *, where: str
) -> tuple[Post, ...]:
    """`posts` with `raw["parent"]` set from `info(ids)` (listing children) where it was missing."""
    wanted = missing_parents(posts)
    if not wanted:
        return tuple(posts)
    found: dict[str, dict[str, Any]] = {}
    try:
        for start in range(0, len(wanted), INFO_BATCH):
            for child in info(wanted[start : start + INFO_BATCH]):
                data = child.get("data") if isinstance(child, dict) else None
                if isinstance(data, dict) and isinstance(data.get("name"), str):
                    found[data["name"]] = data
    except SourceError as exc:
        log.warning("%s: parent comments not fetched: %s", where, exc)
        return tuple(posts)
    result = []
    for post in posts:
        data = found.get(post.parent_id or "")
        body = data.get("body") if data else None
        if data is None or not isinstance(body, str) or body in ("[removed]", "[deleted]"):
            result.append(post)
            continue
        permalink = data.get("permalink")
        parent = parent_context(
            external_id=str(data["name"]),
            text=clean_text(body, where=f"{where} {data['name']}")[0],
            handle=data.get("author") if data.get("author") != "[deleted]" else None,
            created_at=parse_time(data.get("created_utc"), where=f"{where} {data['name']}"),
            url=WEB_URL + permalink if isinstance(permalink, str) else None,
        )
        result.append(dataclasses.replace(post, raw={**post.raw, "parent": parent}))
    return tuple(result)
