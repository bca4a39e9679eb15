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
id/guid.

We fetch with requests rather than letting feedparser fetch, so that timeouts, status codes and
rate limits are ours to translate into `kernel.errors`; feedparser only parses the bytes.
"""

from __future__ import annotations

import calendar
import copy
import hashlib
import logging
import re
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
from kernel.models import MAX_TEXT_CHARS, Author, Page, Post, PostKind
from kernel.util import one_line, retry_after_seconds
from listener.common import brand_set, clean_text, is_brand
from listener.feed.settings import FeedSourceSettings
from listener.html_text import html_to_text, tidy

log = logging.getLogger(__name__)

USER_AGENT = "social-triage/0.1 feed reader (+https://github.com/social-triage)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: Entry ids remembered per feed; far more than any feed carries at once.
SEEN_WINDOW = 1_000
#: A feed body larger than this is refused rather than parsed.
MAX_FEED_BYTES = 20 * 1024 * 1024
UNKNOWN_AUTHOR = Author(handle="unknown")

_DISCOURSE_TOPIC = re.compile(r"^[\w.-]+-topic-(\d+)$")
_DISCOURSE_POST = re.compile(r"^[\w.-]+-post-\d+")
_DISCOURSE_LINK = re.compile(r"/t/[^/]+/(\d+)(?:/(\d+))?/?$")
#: Discourse's `dc:creator` in posts feeds: "@handle Full Name" (or just "@handle").
_HANDLE_AND_NAME = re.compile(r"^@([\w.-]+)(?:\s+(.+))?$")
#: The closing tag each kind of feed document (feedparser's `version` prefix) must end with;
#: a body without it was cut short. RSS 0.90 and 1.0 are RDF documents.
_CLOSING = (("atom", b"</feed>"), ("rss090", b"</rdf:RDF>"), ("rss10", b"</rdf:RDF>"))


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
            if _truncated(body, str(parsed.get("version") or "")):
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
            external_id = _entry_id(item)
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
        where = f"feed source {self.name!r} {feed_url} entry {external_id!r}"
        title = _field_text(item, "title")
        body = _body_text(item)
        parts = [p for p in (title, body) if p]
        if len(parts) == 2 and body.startswith(title):
            parts = [body]  # feeds whose description repeats the title
        text, notes = clean_text("\n\n".join(parts), where=where)
        link = item.get("link")
        handle, name = _author(item)
        author = (
            Author(handle=handle, name=name, is_brand=is_brand(handle, self.brand_handles))
            if handle
            else UNKNOWN_AUTHOR
        )
        lang = (item.get("content") or [{}])[0].get("language") or feed_lang
        conversation_id, parent_id = _thread(external_id, link)
        return Post(
            source=self.platform,
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


def _entry_id(item: Any) -> str:
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


def _truncated(body: bytes, version: str) -> bool:
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
