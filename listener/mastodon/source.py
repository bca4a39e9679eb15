"""Mastodon source: the brand account's mention notifications, hashtag timelines and status
searches, through Mastodon.py.

Every stream (`mentions`, `#tag`, `q:<query>`) has its own entry in the cursor, the `min_id`
of the newest item read. A known stream is read forwards from it: Mastodon answers `min_id`
with the items just after it, and the `Link` header's `prev` names the next `min_id`, so each
page's cursor can move at once and a crash re-reads at most one page. A stream without an entry
(the first poll) reads the newest `max_pages` pages backwards along the `Link` header's `next`;
those pages are stored without moving the cursor, and the last one records the newest id, so a
crash there re-reads the backfill, which insert-or-skip absorbs. Searches have no `Link`
header; their `min_id` is the newest status id of the page, which is what `prev` would say.

The instance's `x-ratelimit-*` headers are read after every response: when fewer than
`rate_limit_floor` requests are left, the page carries the `RateLimit` and the source stops
with `RateLimited` (resuming at the window's reset) before its next request; a 429 is the same.
Replies' parents are read with one `GET /api/v1/statuses?id[]=...` per page and kept as
`raw["parent"]`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mastodon.errors import MastodonError

from config.base import BrandSettings
from kernel.abc import Source
from kernel.errors import AuthError, MalformedPayload, NotConfigured, RateLimited
from kernel.models import Page, Post, RateLimit
from listener.common import brand_set
from listener.credentials import source_secret
from listener.mastodon.client import build_client, rate_limit, translate
from listener.mastodon.parse import Brand, newest_id, parse_status
from listener.mastodon.settings import MastodonSourceSettings
from listener.rate_floor import is_low, stop_if_low
from listener.streams import poll_in_turn

log = logging.getLogger(__name__)

MENTIONS = "mentions"


@dataclass(frozen=True, slots=True)
class Stream:
    """One thing to read: the mentions, one hashtag timeline, or one search."""

    key: str
    kind: str  # mentions | hashtag | search
    value: str = ""

    @property
    def path(self) -> str:
        if self.kind == "hashtag":
            return f"/api/v1/timelines/tag/{self.value}"
        return "/api/v2/search" if self.kind == "search" else "/api/v1/notifications"


@dataclass(frozen=True, slots=True)
class _Batch:
    """One response: its statuses, the ids it pages by, and its `Link` header's ids."""

    statuses: list[Any]
    ids: list[str]
    prev_min_id: str | None
    next_max_id: str | None


class MastodonSource(Source):
    type = "mastodon"

    def __init__(
        self,
        *,
        name: str,
        instance_url: str,
        access_token: str,
        brand_handles: frozenset[str] = frozenset(),
        mentions: bool = True,
        hashtags: list[str] | tuple[str, ...] = (),
        queries: list[str] | tuple[str, ...] = (),
        limit: int = 40,
        max_pages: int = 10,
        rate_limit_floor: int = 5,
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__(name=name)
        tags = [t.strip().lstrip("#") for t in hashtags if t.strip().lstrip("#")]
        self.streams = tuple(
            ([Stream(MENTIONS, "mentions")] if mentions else [])
            + [Stream(f"#{t}", "hashtag", t) for t in dict.fromkeys(tags)]
            + [Stream(f"q:{q}", "search", q) for q in dict.fromkeys(queries)]
        )
        if not self.streams:
            raise NotConfigured(
                f"sources[{name}]: nothing to read; set mentions: true, hashtags or queries"
            )
        self.instance_url = instance_url.rstrip("/")
        self.brand = Brand(host=urlsplit(self.instance_url).netloc, handles=brand_handles)
        self.limit = limit
        self.max_pages = max_pages
        self.rate_limit_floor = rate_limit_floor
        self.client = build_client(
            instance_url=self.instance_url, access_token=access_token, timeout=timeout_seconds
        )

    @classmethod
    def from_settings(
        cls, settings: MastodonSourceSettings, brand: BrandSettings
    ) -> MastodonSource:
        token = source_secret(settings, "access_token")
        account = [settings.account] if settings.account else []
        return cls(
            name=settings.name,
            instance_url=settings.instance_url,
            access_token=token,
            brand_handles=brand_set([*brand.handles, *account]),
            mentions=settings.mentions,
            hashtags=settings.hashtags,
            queries=settings.queries,
            limit=settings.limit,
            max_pages=settings.max_pages,
            rate_limit_floor=settings.rate_limit_floor,
            timeout_seconds=settings.timeout_seconds,
        )

    def describe(self) -> str:
        streams = ", ".join(s.key for s in self.streams)
        return f"mastodon source {self.name!r} ({streams}) via {self.instance_url}"

    def close(self) -> None:
        self.client.session.close()

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        """Each stream in turn (`listener.streams`); auth and rate limits stop the poll."""
        return poll_in_turn(
            self.streams,
            cursor,
            self._poll_stream,
            key=lambda stream: stream.key,
            max_pages=self.max_pages,
            source=self.name,
            stop_on=(AuthError, RateLimited),
        )

    def _poll_stream(self, stream: Stream, state: dict[str, Any], budget: int) -> Iterator[Page]:
        min_id = state.get(stream.key, {}).get("min_id")
        forward = isinstance(min_id, str) and bool(min_id)
        max_id: str | None = None
        newest: str | None = None
        for number in range(1, budget + 1):
            batch = self._fetch(stream, min_id=min_id if forward else None, max_id=max_id)
            posts, skipped = self._posts(stream, batch)
            limit = self._limit()
            low = self._low(limit)
            if forward:
                min_id = batch.prev_min_id or newest_id(batch.ids) or min_id
                state[stream.key] = {"min_id": min_id}
                done = len(batch.ids) < self.limit
            else:
                newest = newest or newest_id(batch.ids)
                max_id = batch.next_max_id
                done = not batch.ids or not batch.next_max_id or number == budget or low
                if done and newest:
                    state[stream.key] = {"min_id": newest}
            stop = done or low
            yield Page(
                posts=tuple(posts),
                # A backfill moves the cursor only with its last page: see the module docstring.
                cursor=copy.deepcopy(state) if forward or done else None,
                rate_limit=limit if low else None,
                skipped=tuple(skipped),
            )
            if stop:
                return

    def _posts(self, stream: Stream, batch: _Batch) -> tuple[list[Post], list[str]]:
        where = self._where(stream)
        parents = self._parents(batch.statuses, where)
        posts: list[Post] = []
        skipped: list[str] = []
        for status in batch.statuses:
            try:
                parent = parents.get(str(status.get("in_reply_to_id") or ""))
                post = parse_status(
                    status, brand=self.brand, query=stream.key, where=where, parent=parent
                )
            except (MalformedPayload, AttributeError) as exc:
                reason = str(exc) if isinstance(exc, MalformedPayload) else f"{where}: {exc}"
                log.warning("%s", reason, extra={"source": self.name})
                skipped.append(reason)
                continue
            if post is not None:
                posts.append(post)
        return posts, skipped

    def _fetch(self, stream: Stream, *, min_id: str | None, max_id: str | None) -> _Batch:
        where = self._where(stream)
        self._check_budget(where)
        try:
            if stream.kind == "mentions":
                result: Any = self.client.notifications(
                    types=["mention"], min_id=min_id, max_id=max_id, limit=self.limit
                )
            elif stream.kind == "hashtag":
                result = self.client.timeline_hashtag(
                    stream.value, min_id=min_id, max_id=max_id, limit=self.limit
                )
            else:
                result = self.client.search_v2(
                    stream.value,
                    result_type="statuses",
                    resolve=False,
                    min_id=min_id,
                    max_id=max_id,
                    limit=self.limit,
                )
        except MastodonError as exc:
            raise translate(exc, where=where, client=self.client) from exc
        if stream.kind == "search":
            result = result.get("statuses") if isinstance(result, dict) else None
        if not isinstance(result, list):
            raise MalformedPayload(f"{where}: expected a list of statuses")
        items = [item for item in result if isinstance(item, dict)]
        statuses: list[Any] = items
        if stream.kind == "mentions":
            statuses = [n.get("status") for n in items if isinstance(n.get("status"), dict)]
        ids = [str(item["id"]) for item in items if item.get("id")]
        return _Batch(
            statuses=statuses,
            ids=ids,
            prev_min_id=_link_id(result, "_pagination_prev", "min_id"),
            next_max_id=_link_id(result, "_pagination_next", "max_id"),
        )

    def _parents(self, statuses: list[Any], where: str) -> dict[str, Any]:
        """The statuses these reply to, that are not on the page; none if they cannot be read."""
        here = {str(s.get("id")) for s in statuses}
        wanted = sorted(
            {str(s["in_reply_to_id"]) for s in statuses if s.get("in_reply_to_id")} - here
        )
        found = {str(s.get("id")): s for s in statuses}
        if not wanted or self._low(self._limit()):
            return found
        try:
            parents = self.client.statuses(wanted[:40])
        except MastodonError as exc:
            log.info("%s: parents not read (%s)", where, type(exc).__name__)
            return found
        found.update({str(p.get("id")): p for p in parents or [] if isinstance(p, dict)})
        return found

    def _where(self, stream: Stream) -> str:
        return f"mastodon source {self.name!r} GET {stream.path} ({stream.key})"

    def _limit(self) -> RateLimit | None:
        return rate_limit(self.client)

    def _low(self, limit: RateLimit | None) -> bool:
        return is_low(limit, self.rate_limit_floor)

    def _check_budget(self, where: str) -> None:
        stop_if_low(self._limit(), self.rate_limit_floor, where=where, window="the instance's")


def _link_id(result: Any, attribute: str, name: str) -> str | None:
    """The id a `Link` header named (Mastodon.py keeps it on the list it returns)."""
    info = getattr(result, attribute, None)
    value = info.get(name) if isinstance(info, dict) else None
    return str(value) if value else None
