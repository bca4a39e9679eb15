"""RSS and Atom feeds: forums (Discourse), blogs and review sites, via requests + feedparser.

Feeds have no `since_id`: each one is re-read whole, so the cursor keeps, per feed URL, the
validators for a conditional request (`etag`, `modified`) and the ids of the entries already
emitted (`seen`, bounded), plus the newest entry time for operators. One page per feed, each
carrying the cursor of every feed, so a failure on one feed never loses the pages already read
from the others; the failing feed's entry stays as it was. In a source of several feeds, one
that fails with an error of its own (not found, malformed, 5xx, timeout) is backed off alone,
by this instance (a restart or `poll-once` tries it at once): it is skipped until its next
try, and the source's other feeds are still read on every poll (the error says `backed_off`,
so the daemon polls on schedule).
Entries are stored as posts of `platform` (the source name when unset), identity = the entry's
id/guid; how an entry becomes a post is `listener.feed.parse`.

We fetch with requests rather than letting feedparser fetch, so that timeouts, status codes and
rate limits are ours to translate into `kernel.errors`; feedparser only parses the bytes.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import requests

from config.base import BrandSettings
from kernel.abc import Source
from kernel.backoff import Backoff
from kernel.errors import (
    AuthError,
    MalformedPayload,
    NotConfigured,
    Permanent,
    RateLimited,
    SourceError,
    TransientError,
)
from kernel.models import Page, Post
from kernel.util import one_line, retry_after_seconds
from listener.common import brand_set
from listener.feed.parse import entry_id, parse_entry, truncated
from listener.feed.settings import FeedSourceSettings

log = logging.getLogger(__name__)

USER_AGENT = "social-triage/0.1 feed reader (+https://github.com/social-triage)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: Entry ids remembered per feed; far more than any feed carries at once.
SEEN_WINDOW = 1_000
#: A feed body larger than this is refused rather than parsed.
MAX_FEED_BYTES = 20 * 1024 * 1024


class FeedSource(Source):
    type = "feed"

    def __init__(
        self,
        *,
        name: str,
        urls: list[str] | tuple[str, ...],
        base_url: str | None = None,
        platform: str | None = None,
        brand_handles: frozenset[str] = frozenset(),
        timeout_seconds: float = 20.0,
        seen_window: int = SEEN_WINDOW,
        interval_seconds: int = 60,
    ) -> None:
        super().__init__(name=name)
        if not urls:
            raise NotConfigured(f"sources[{name}].urls: no feed URL configured")
        #: Configured URL (the cursor key, stable when base_url changes) -> URL fetched.
        self.feeds: dict[str, str] = {}
        for url in urls:
            if not urlsplit(url).scheme and not base_url:
                raise NotConfigured(f"sources[{name}].base_url: needed for relative url {url!r}")
            self.feeds[url] = urljoin(base_url, url) if base_url else url
        self.platform = platform or name
        self.brand_handles = brand_handles
        self.timeout = timeout_seconds
        self.seen_window = seen_window
        #: A failing feed waits 2, 4, 8... intervals (up to an hour) before it is read again.
        self.feed_backoff = Backoff(
            base_seconds=interval_seconds * 2, max_seconds=3600, jitter=False
        )
        #: Configured URL -> (failures in a row, next try, last error) of a failing feed.
        self.failing: dict[str, tuple[int, datetime, str]] = {}
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": ACCEPT})

    @classmethod
    def from_settings(cls, settings: FeedSourceSettings, brand: BrandSettings) -> FeedSource:
        return cls(
            name=settings.name,
            urls=settings.urls,
            base_url=settings.base_url,
            platform=settings.platform,
            brand_handles=brand_set([*brand.handles, *settings.brand_authors]),
            timeout_seconds=settings.timeout_seconds,
            interval_seconds=settings.interval_seconds,
        )

    def describe(self) -> str:
        return f"feed source {self.name!r} ({len(self.feeds)} feeds) as {self.platform!r}"

    def close(self) -> None:
        self.session.close()

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        """Every feed in turn, starting one further along each poll so none starves.

        A failing feed does not stop the others: the errors are raised after the rest have
        been read, the one needing a person first (auth, then rate limit). Other feeds on a
        host that refused us are not tried again in this poll.
        """
        previous = cursor or {}
        feeds = previous.get("feeds")
        state: dict[str, Any] = {
            "feeds": {k: dict(v) for k, v in feeds.items() if isinstance(v, dict)}
            if isinstance(feeds, dict)
            else {}
        }
        turn = previous.get("_turn", 0)
        turn = turn if isinstance(turn, int) else 0
        state["_turn"] = turn + 1
        keys = list(self.feeds)
        start = turn % len(keys)
        errors: list[SourceError] = []
        refused_hosts: set[str] = set()
        now = datetime.now(UTC)
        for key in keys[start:] + keys[:start]:
            url = self.feeds[key]
            host = urlsplit(url).netloc
            if host in refused_hosts:
                continue
            failing = self.failing.get(key)
            if failing is not None and failing[1] > now:
                _, retry_at, last = failing
                when = retry_at.isoformat(timespec="seconds")
                errors.append(TransientError(f"{last}; next try at {when}"))
                continue
            try:
                posts, entry, skipped = self._read(url, state["feeds"].get(key) or {})
            except SourceError as exc:
                log.warning("%s", exc, extra={"source": self.name})
                errors.append(exc)
                if isinstance(exc, AuthError | RateLimited):
                    refused_hosts.add(host)
                elif len(keys) > 1:  # this feed's own failure: back it off alone
                    failures = (self.failing.get(key) or (0,))[0] + 1
                    wait = timedelta(seconds=self.feed_backoff.delay(failures))
                    self.failing[key] = (failures, now + wait, str(exc))
                continue
            self.failing.pop(key, None)
            state["feeds"][key] = entry
            yield Page(posts=posts, cursor=copy.deepcopy(state), skipped=skipped)
        if errors:
            worst = _worst(errors)
            # One feed of one: the source's own backoff is the feed's (and `--force` ends it).
            worst.backed_off = not refused_hosts and len(keys) > 1
            raise worst

    def _read(
        self, url: str, entry: dict[str, Any]
    ) -> tuple[tuple[Post, ...], dict[str, Any], tuple[str, ...]]:
        """The new posts of one feed and the feed's next cursor entry."""
        where = f"feed source {self.name!r} {url}"
        response = self._fetch(url, entry, where)
        if response is None:  # 304 Not Modified
            return (), entry, ()
        body, headers = response
        parsed = feedparser.parse(body, response_headers=headers)
        entries = list(parsed.get("entries") or [])
        if not entries and (parsed.get("bozo") or not parsed.get("version")):
            reason = parsed.get("bozo_exception") or "no RSS or Atom feed found"
            raise MalformedPayload(f"{where}: not a feed ({one_line(reason)})")
        if parsed.get("bozo"):
            if truncated(body, str(parsed.get("version") or "")):
                # Storing the entries read so far would store some under provisional ids (a
                # link where the guid was cut off); the next poll reads the whole feed.
                reason = one_line(parsed.get("bozo_exception") or "no closing tag")
                raise MalformedPayload(
                    f"{where}: feed body is truncated ({reason}); nothing stored"
                )
            log.info("%s: parsed a feed with errors: %s", where, parsed.get("bozo_exception"))
        seen = [str(s) for s in entry.get("seen") or []]
        already = set(seen)
        feed_lang = (parsed.get("feed") or {}).get("language")
        posts: list[Post] = []
        skipped: list[str] = []
        current: dict[str, None] = {}  # ids in feed order, each once
        for item in entries:
            external_id = entry_id(item)
            if external_id in current:
                continue
            current[external_id] = None
            if external_id in already:
                continue
            try:
                posts.append(self._post(item, external_id, url, feed_lang))
            except MalformedPayload as exc:  # one bad entry is reported, not retried forever
                log.warning("%s", exc, extra={"source": self.name})
                skipped.append(str(exc))
        # Ids still in the feed go last, so the window never forgets an entry it may see again.
        seen = [s for s in seen if s not in current] + list(current)[::-1]
        newest = max([p.created_at.isoformat() for p in posts] + [str(entry.get("newest") or "")])
        next_entry = {
            "etag": headers.get("etag"),
            "modified": headers.get("last-modified"),
            "seen": seen[-self.seen_window :],
            "newest": newest or None,
        }
        posts.sort(key=lambda p: p.created_at)  # oldest first: feeds list newest first
        return tuple(posts), next_entry, tuple(skipped)

    def _fetch(
        self, url: str, entry: dict[str, Any], where: str
    ) -> tuple[bytes, dict[str, str]] | None:
        headers: dict[str, str] = {}
        if entry.get("etag"):
            headers["If-None-Match"] = str(entry["etag"])
        if entry.get("modified"):
            headers["If-Modified-Since"] = str(entry["modified"])
        try:
            with self.session.get(
                url, headers=headers, timeout=self.timeout, stream=True
            ) as response:
                _raise_for_status(response, where)
                if response.status_code == 304:
                    return None
                body = _read_body(response, where)
                received = {k.lower(): v for k, v in response.headers.items()}
                # Lets feedparser resolve relative links against the URL actually read.
                received["content-location"] = response.url
                return body, received
        except requests.Timeout as exc:
            raise TransientError(f"{where}: timed out after {self.timeout:g}s") from exc
        except requests.RequestException as exc:
            raise TransientError(f"{where}: {type(exc).__name__}: {one_line(exc)}") from exc

    def _post(self, item: Any, external_id: str, feed_url: str, feed_lang: Any) -> Post:
        return parse_entry(
            item,
            external_id,
            feed_url=feed_url,
            feed_lang=feed_lang,
            platform=self.platform,
            brand_handles=self.brand_handles,
            where=f"feed source {self.name!r} {feed_url} entry {external_id!r}",
        )


def _raise_for_status(response: requests.Response, where: str) -> None:
    status = response.status_code
    if status < 400:
        return
    # Read the (small) error body out, so the connection is reused instead of reset.
    for _ in zip(range(16), response.iter_content(64 * 1024), strict=False):
        pass
    now = datetime.now(UTC)
    seconds = retry_after_seconds(response.headers.get("Retry-After"), now=now)
    retry_at = None if seconds is None else now + timedelta(seconds=seconds)
    if status == 429 or (status == 503 and retry_at is not None):
        when = f"; retry after {retry_at.isoformat()}" if retry_at else ""
        raise RateLimited(f"{where}: HTTP {status} rate limited{when}", reset_at=retry_at)
    if status in (401, 403):
        raise AuthError(f"{where}: HTTP {status}: access refused; check the feed's credentials")
    if status >= 500 or status == 408:
        raise TransientError(f"{where}: HTTP {status} {response.reason or ''}".rstrip())
    raise Permanent(f"{where}: HTTP {status} {response.reason or ''}".rstrip())


def _read_body(response: requests.Response, where: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            raise MalformedPayload(f"{where}: feed larger than {MAX_FEED_BYTES} bytes; refused")
        chunks.append(chunk)
    return b"".join(chunks)


def _worst(errors: list[SourceError]) -> SourceError:
    """The error that decides what happens next, naming how many feeds failed in all."""
    order = (AuthError, RateLimited, SourceError)
    worst = min(errors, key=lambda e: next(i for i, t in enumerate(order) if isinstance(e, t)))
    if len(errors) > 1:
        worst.args = (f"{worst} (and {len(errors) - 1} more failing feeds)",)
    return worst
