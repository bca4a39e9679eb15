"""Bluesky source: the brand account's notifications of mentions, replies and quotes
(`app.bsky.notification.listNotifications`) and post searches (`app.bsky.feed.searchPosts`,
`sort=latest`), through the atproto client logged in with an app password.

Every stream (`notifications`, `q:<query>`) has its own cursor entry. Both list newest first
with an opaque `cursor` for the next (older) page, so a run of pages is only complete at its
end, as on X: while a run is read the entry is `{"since": old, "cursor": C, "newest": N}`,
stored with each page, so a crash, a 429 or the page budget resumes at page C; after the run
it is `{"since": N}`, the newest item's time. A run ends at a page holding an item older than
`since` (searches are also asked for `since`), or at the last page. The first poll of a stream
reads its newest `max_pages` pages (shared between the streams) and no further back.

The parents and roots of the replies on a page that are not on it are read with one
`app.bsky.feed.getPosts` (up to 25) and kept as `raw["parent"]` and `raw["root"]`, what the
case shows as the thread. The service's `ratelimit-*` headers are read on every response: when
no more than `rate_limit_floor` requests are left the page carries the `RateLimit` and the
source stops before its next request; a 429 is `RateLimited` until the window's reset.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from atproto import Client

from config.base import BrandSettings
from kernel.abc import Source
from kernel.errors import AuthError, MalformedPayload, NotConfigured, RateLimited, SourceError
from kernel.models import Page, Post, RateLimit
from listener.bluesky.client import CLIENT_ERRORS, Session, as_dict, translate
from listener.bluesky.parse import Brand, parse_post, sort_time, thread_uris
from listener.bluesky.settings import BlueskySourceSettings
from listener.common import brand_set
from listener.credentials import source_secret
from listener.rate_floor import is_low, stop_if_low
from listener.streams import poll_in_turn

log = logging.getLogger(__name__)

T = TypeVar("T")
NOTIFICATIONS = "notifications"
#: The notifications that are someone talking to or about the brand.
REASONS = ["mention", "reply", "quote"]
#: `getPosts` takes at most 25 URIs.
GET_POSTS_MAX = 25


class BlueskySource(Source):
    type = "bluesky"

    def __init__(
        self,
        *,
        name: str,
        handle: str,
        app_password: str,
        service_url: str = "https://bsky.social",
        brand_handles: frozenset[str] = frozenset(),
        mentions: bool = True,
        queries: list[str] | tuple[str, ...] = (),
        limit: int = 50,
        max_pages: int = 10,
        fetch_thread: bool = True,
        rate_limit_floor: int = 5,
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__(name=name)
        self.streams = ([NOTIFICATIONS] if mentions else []) + [
            f"q:{q}" for q in dict.fromkeys(queries)
        ]
        if not self.streams:
            raise NotConfigured(f"sources[{name}]: nothing to read; set mentions: true or queries")
        self.session = Session(
            service_url=service_url,
            handle=handle,
            app_password=app_password,
            timeout=timeout_seconds,
        )
        self.handles = brand_handles | {handle.lstrip("@").lower()}
        self.limit = limit
        self.max_pages = max_pages
        self.fetch_thread = fetch_thread
        self.rate_limit_floor = rate_limit_floor

    @classmethod
    def from_settings(cls, settings: BlueskySourceSettings, brand: BrandSettings) -> BlueskySource:
        password = source_secret(settings, "app_password")
        return cls(
            name=settings.name,
            handle=settings.handle,
            app_password=password,
            service_url=settings.service_url,
            brand_handles=brand_set(brand.handles),
            mentions=settings.mentions,
            queries=settings.queries,
            limit=settings.limit,
            max_pages=settings.max_pages,
            fetch_thread=settings.fetch_thread,
            rate_limit_floor=settings.rate_limit_floor,
            timeout_seconds=settings.timeout_seconds,
        )

    @property
    def brand(self) -> Brand:
        did = self.session.did
        return Brand(handles=frozenset(self.handles), dids=frozenset({did} if did else ()))

    def describe(self) -> str:
        streams = ", ".join(self.streams)
        return (
            f"bluesky source {self.name!r} as @{self.session.handle} ({streams}) "
            f"via {self.session.service_url}"
        )

    def close(self) -> None:
        self.session.close()

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        """Each stream in turn (`listener.streams`); auth and rate limits stop the poll."""
        return poll_in_turn(
            self.streams,
            cursor,
            self._poll_stream,
            key=str,
            max_pages=self.max_pages,
            source=self.name,
            stop_on=(AuthError, RateLimited),
        )

    def _poll_stream(self, key: str, state: dict[str, Any], budget: int) -> Iterator[Page]:
        entry = state.get(key, {})
        since = _time(entry.get("since"))
        page_cursor = entry.get("cursor") if isinstance(entry.get("cursor"), str) else None
        newest = _time(entry.get("newest"))
        search = key != NOTIFICATIONS
        where = self._where(key)
        for number in range(1, budget + 1):
            views, next_cursor = self._fetch(key, since=since, page_cursor=page_cursor)
            posts, skipped, times = self._posts(key, views, search=search)
            if page_cursor is None and times:
                newest = max(times)  # the first page of a run has its newest item
            reached = since is not None and any(t < since for t in times)
            limit = self.session.monitor.rate
            low = self._low(limit)
            first_run_done = since is None and number == budget
            if next_cursor and not reached and not first_run_done and views:
                page_cursor = next_cursor
                state[key] = _entry(since=since, cursor=page_cursor, newest=newest)
                done = False
            else:
                state[key] = _entry(since=newest or since)
                done = True
            log.debug("%s: %d posts, %d skipped", where, len(posts), len(skipped))
            yield Page(
                posts=tuple(posts),
                cursor=copy.deepcopy(state),
                rate_limit=limit if low else None,
                skipped=tuple(skipped),
            )
            if done or low:
                return

    def _posts(
        self, key: str, views: list[dict[str, Any]], *, search: bool
    ) -> tuple[list[Post], list[str], list[datetime]]:
        where = self._where(key)
        thread = self._thread(views, where) if self.fetch_thread else {}
        brand = self.brand
        posts: list[Post] = []
        skipped: list[str] = []
        times: list[datetime] = []
        for view in views:
            try:
                times.append(sort_time(view, search=search, where=where))
                posts.append(parse_post(view, brand=brand, query=key, where=where, thread=thread))
            except MalformedPayload as exc:
                log.warning("%s", exc, extra={"source": self.name})
                skipped.append(str(exc))
        return posts, skipped, times

    def _fetch(
        self, key: str, *, since: datetime | None, page_cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        where = self._where(key)
        if key == NOTIFICATIONS:
            params: dict[str, Any] = {"limit": self.limit, "reasons": REASONS}
            if page_cursor:
                params["cursor"] = page_cursor
            response = self._request(
                where, lambda c: c.app.bsky.notification.list_notifications(params=params)
            )
            items = response.notifications
        else:
            params = {"q": key.removeprefix("q:"), "sort": "latest", "limit": self.limit}
            if since is not None:
                params["since"] = since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            if page_cursor:
                params["cursor"] = page_cursor
            response = self._request(where, lambda c: c.app.bsky.feed.search_posts(params=params))
            items = response.posts
        views = [as_dict(item) for item in items]
        if key == NOTIFICATIONS:  # a like or follow sneaking past `reasons` is not a post
            views = [v for v in views if v.get("reason") in REASONS]
        return views, response.cursor or None

    def _thread(self, views: list[dict[str, Any]], where: str) -> dict[str, dict[str, Any]]:
        """The parents and roots of these replies (those not on the page), by URI."""
        here = {str(v.get("uri")): v for v in views}
        wanted = sorted(thread_uris(views) - set(here))[:GET_POSTS_MAX]
        if not wanted or self._low(self.session.monitor.rate):
            return here
        try:
            found = self._request(
                f"{where} getPosts",
                lambda c: c.app.bsky.feed.get_posts(params={"uris": wanted}),
            )
        except (AuthError, RateLimited):
            raise
        except SourceError as exc:
            log.info("%s: thread not read (%s)", where, exc)
            return here
        return here | {str(v.get("uri")): v for v in map(as_dict, found.posts)}

    def _request(self, where: str, call: Callable[[Client], T]) -> T:
        self._check_budget(where)
        if self.session.did is None:
            try:
                self.session.login()
            except CLIENT_ERRORS as exc:
                login_where = f"bluesky source {self.name!r} createSession"
                raise translate(exc, where=login_where, login=True) from exc
        try:
            return self.session.call(call)
        except CLIENT_ERRORS as exc:
            raise translate(exc, where=where) from exc

    def _low(self, limit: RateLimit | None) -> bool:
        return is_low(limit, self.rate_limit_floor)

    def _check_budget(self, where: str) -> None:
        stop_if_low(
            self.session.monitor.rate, self.rate_limit_floor, where=where, window="Bluesky's"
        )

    def _where(self, key: str) -> str:
        method = "listNotifications" if key == NOTIFICATIONS else "searchPosts"
        return f"bluesky source {self.name!r} {method} ({key})"


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _entry(
    *, since: datetime | None, cursor: str | None = None, newest: datetime | None = None
) -> dict[str, str]:
    values = {"since": since, "cursor": cursor, "newest": newest}
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in values.items()
        if v is not None
    }
