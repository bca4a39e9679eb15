"""Listen on Reddit with praw: new submissions and new comments of chosen subreddits, and
keyword searches (newest first) restricted to them, or across r/all when none are chosen.

Each stream (`r/SUB new`, `r/SUB comments`, one per search) is read with `limit` and `after`
as `listener.reddit.cursor` explains (Reddit has no `since_id`; a stream's cursor is its newest
`created_utc` plus the recently seen fullnames). A poll yields one `Page` per stream: that
stream's new posts together with the whole source cursor, that stream advanced, so storing the
page stores both in one transaction. A failure part-way through a stream still yields what was
read, with the stream's cursor recording where to resume, and then raises: nothing unread is
skipped, and nothing seen is emitted again. Streams are read least-recently-attempted first, so
a failing subreddit or a poll cut short by the scheduler's page cap cannot starve the others.
`max_pages` bounds the listing requests per stream per poll; the poller's own cap counts the
yielded pages, one per stream.

Removed and deleted bodies are skipped with a reason in `Page.skipped` (see
`listener.reddit.items`). Errors: 429 -> `RateLimited` (with `reset_at`), token refusals
(including HTTP 200 `{"error": "invalid_grant"}`) and 401/403 -> `AuthError`, 5xx and network
failures -> `TransientError`, a body that is not a Listing -> `MalformedPayload`. When the
`x-ratelimit-remaining` header falls to `rate_limit_floor`, the page carries a `RateLimit` and
the source stops with `RateLimited` before its next request rather than sleeping until the
window resets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from config.base import BrandSettings
from kernel.abc import Source
from kernel.errors import MalformedPayload, NotConfigured, SourceError
from kernel.models import Page, Post, RateLimit
from listener.common import brand_set
from listener.credentials import source_secret
from listener.rate_floor import stop_if_low
from listener.reddit.client import (
    CLIENT_ERRORS,
    TOKEN_PATH,
    ResponseMonitor,
    build_reddit,
    translate,
)
from listener.reddit.cursor import StreamScan, StreamState, dump_cursor, load_cursor
from listener.reddit.items import parse_child
from listener.reddit.parents import attach_parents
from listener.reddit.settings import RedditSourceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class Stream:
    """One listing to follow."""

    #: Key of this stream's state in the cursor.
    key: str
    #: Recorded on its posts as `Post.query`.
    query: str
    #: API path, as praw's own listing helpers build it.
    path: str
    params: dict[str, Any] = field(default_factory=dict)


def build_streams(
    subreddits: Sequence[str], queries: Sequence[str], *, submissions: bool, comments: bool
) -> tuple[Stream, ...]:
    subs = [s.strip().strip("/").removeprefix("r/") for s in subreddits if s.strip()]
    streams: list[Stream] = []
    for sub in subs:
        if submissions:
            streams.append(Stream(key=f"r/{sub} new", query=f"r/{sub} new", path=f"r/{sub}/new"))
        if comments:
            streams.append(
                Stream(
                    key=f"r/{sub} comments", query=f"r/{sub} comments", path=f"r/{sub}/comments/"
                )
            )
    where = "+".join(subs) or "all"
    for q in queries:
        # The parameters `praw.models.Subreddit.search(q, sort="new")` sends.
        params = {"q": q, "restrict_sr": bool(subs), "sort": "new", "syntax": "lucene", "t": "all"}
        streams.append(Stream(key=f"search {q}", query=q, path=f"r/{where}/search/", params=params))
    return tuple(streams)


@dataclass(frozen=True, kw_only=True, slots=True)
class _StreamResult:
    posts: tuple[Post, ...]
    skipped: tuple[str, ...]
    state: StreamState
    error: SourceError | None


class RedditSource(Source):
    type = "reddit"

    def __init__(
        self,
        *,
        name: str,
        client_id: str,
        client_secret: str,
        user_agent: str,
        subreddits: Sequence[str] = (),
        queries: Sequence[str] = (),
        submissions: bool = True,
        comments: bool = True,
        brand_handles: frozenset[str] = frozenset(),
        seen_window: int = 500,
        limit: int = 100,
        max_pages: int = 10,
        base_url: str = "https://oauth.reddit.com",
        auth_url: str = "https://www.reddit.com",
        timeout_seconds: float = 20.0,
        retry_delay: float = 1.0,
        rate_limit_floor: int = 5,
        fetch_parents: bool = True,
    ) -> None:
        super().__init__(name=name)
        self.streams = build_streams(
            subreddits, queries, submissions=submissions, comments=comments
        )
        if not self.streams:
            raise NotConfigured(
                f"sources[{name}]: nothing to read; set subreddits (with submissions or "
                "comments enabled) or queries"
            )
        self.brand_handles = brand_handles
        self.seen_window = seen_window
        self.limit = limit
        self.max_pages = max_pages
        self.rate_limit_floor = rate_limit_floor
        self.fetch_parents = fetch_parents
        self.monitor = ResponseMonitor()
        self.reddit, self._http = build_reddit(
            client_id=client_id,
            client_secret=client_secret,
            user_agent=user_agent,
            base_url=base_url,
            auth_url=auth_url,
            timeout=timeout_seconds,
            retry_delay=retry_delay,
            monitor=self.monitor,
        )

    @classmethod
    def from_settings(cls, settings: RedditSourceSettings, brand: BrandSettings) -> RedditSource:
        client_id = source_secret(settings, "client_id")
        client_secret = source_secret(settings, "client_secret")
        # The reply account is the brand's too: its comments come back as answers (no echo).
        account = [settings.username] if settings.username else []
        handles = [*brand.handles, *settings.brand_usernames, *account]
        return cls(
            name=settings.name,
            client_id=client_id,
            client_secret=client_secret,
            user_agent=settings.user_agent,
            subreddits=settings.subreddits,
            queries=settings.queries,
            submissions=settings.submissions,
            comments=settings.comments,
            brand_handles=brand_set([h.strip().lstrip("/").removeprefix("u/") for h in handles]),
            seen_window=settings.seen_window,
            fetch_parents=settings.fetch_parents,
            limit=settings.limit,
            max_pages=settings.max_pages,
            base_url=settings.base_url,
            auth_url=settings.auth_url,
            timeout_seconds=settings.timeout_seconds,
        )

    def describe(self) -> str:
        listings = [s.query for s in self.streams if not s.key.startswith("search ")]
        searches = len(self.streams) - len(listings)
        parts = [", ".join(listings)] if listings else []
        if searches:
            parts.append(f"{searches} search{'es' if searches > 1 else ''}")
        return f"reddit source {self.name!r}: {'; '.join(parts)}"

    def close(self) -> None:
        self._http.close()

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        last_round, stored = load_cursor(cursor)
        round_ = last_round + 1
        # Only configured streams are kept: a removed subreddit's state leaves the cursor.
        states = {s.key: stored.get(s.key, StreamState()) for s in self.streams}
        for stream in sorted(self.streams, key=lambda s: states[s.key].round):
            result = self._read(stream, states[stream.key], round_)
            states[stream.key] = result.state
            yield Page(
                posts=result.posts,
                cursor=dump_cursor(round_, states),
                rate_limit=self._low_rate_limit(),
                skipped=result.skipped,
            )
            if result.error is not None:
                raise result.error

    def _read(self, stream: Stream, state: StreamState, round_: int) -> _StreamResult:
        scan = StreamScan(state)
        where = self._where(stream)
        posts: list[Post] = []
        skipped: list[str] = []
        after = scan.start_after
        complete, error, pages = False, None, 0
        try:
            while pages < self.max_pages:
                children, next_after = self._fetch(stream, after)
                pages += 1
                for child in children:
                    try:
                        item = parse_child(
                            child,
                            query=stream.query,
                            brand=self.brand_handles,
                            where=where,
                            search=stream.key.startswith("search "),
                        )
                    except MalformedPayload as exc:
                        log.warning("%s", exc, extra={"source": self.name})
                        skipped.append(str(exc))
                        continue
                    if scan.is_new(item.fullname, item.created_utc):
                        if item.post is not None:
                            posts.append(item.post)
                        elif item.skipped:
                            log.debug("%s", item.skipped, extra={"source": self.name})
                            skipped.append(item.skipped)
                if not children or next_after in (None, after) or scan.reached:
                    complete = True
                    break
                after = next_after
        except SourceError as exc:
            error = exc
        if self.fetch_parents and error is None and self._low_rate_limit() is None:
            posts = list(attach_parents(posts, self._info, where=where))
        new_state = scan.finish(
            complete=complete, next_after=after, round=round_, window=self.seen_window
        )
        log.debug(
            "%s: %d new, %d skipped, %d pages%s",
            where,
            len(posts),
            len(skipped),
            pages,
            "" if complete else f", resume after {new_state.resume_after}",
            extra={"source": self.name},
        )
        return _StreamResult(
            posts=tuple(posts), skipped=tuple(skipped), state=new_state, error=error
        )

    def _fetch(self, stream: Stream, after: str | None) -> tuple[list[Any], str | None]:
        """One listing page: its children and the `after` of the next page."""
        where = self._where(stream)
        self._check_budget(where)
        params: dict[str, Any] = {**stream.params, "limit": self.limit}
        if after:
            params["after"] = after
        self.monitor.reset()
        listing = _listing(self._get(stream.path, params, where))
        if listing is None:
            raise MalformedPayload(f"{where}: expected a Listing with data.children")
        data, children = listing
        next_after = data.get("after")
        return children, next_after if isinstance(next_after, str) and next_after else None

    def _info(self, fullnames: list[str]) -> list[Any]:
        """Things by fullname (`GET /api/info`), as listing children."""
        where = f"reddit source {self.name!r}: GET /api/info"
        listing = _listing(self._get("api/info/", {"id": ",".join(fullnames)}, where))
        return listing[1] if listing is not None else []

    def _get(self, path: str, params: dict[str, Any], where: str) -> Any:
        """One API request, with praw's and prawcore's errors translated."""
        try:
            return self.reddit.request(method="GET", path=path, params=params)
        except CLIENT_ERRORS as exc:
            token_where = f"reddit source {self.name!r}: POST {TOKEN_PATH}"
            raise translate(
                exc, where=where, token_where=token_where, monitor=self.monitor
            ) from exc

    def _check_budget(self, where: str) -> None:
        """Stop before the window is spent; prawcore would otherwise sleep until it resets."""
        stop_if_low(self.monitor.rate, self.rate_limit_floor, where=where, window="Reddit's")

    def _low_rate_limit(self) -> RateLimit | None:
        rate = self.monitor.rate
        if rate is None or rate.remaining is None or rate.remaining > self.rate_limit_floor:
            return None
        if rate.reset_at is not None and rate.reset_at <= _now():
            return None  # the window has reset since
        return rate

    def _where(self, stream: Stream) -> str:
        return f"reddit source {self.name!r}: GET /{stream.path}"


def _listing(payload: Any) -> tuple[dict[str, Any], list[Any]] | None:
    """A Listing's `data` and `data.children`; None when the answer is not a Listing."""
    data = payload.get("data") if isinstance(payload, dict) else None
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(children, list):
        return None
    return data, children


def _now() -> datetime:
    return datetime.now(UTC)
