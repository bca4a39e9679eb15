"""X (Twitter) API v2 source: brand mentions and recent-search queries via tweepy's `Client`.

Every stream ("mentions", "q:<query>") has its own entry in the source's cursor. X pages
newest-first, so a run of pages is only complete at its last page: until then the entry records
the run in progress, `{"since_id": old, "next_token": T, "newest_id": N}`, and is stored with
each page, so a crash, a rate limit or the page budget resumes at page T. Only after the last
page does it become `{"since_id": N}`. Nothing unread is ever behind the stored cursor.

tweepy hard-codes https://api.twitter.com; a transport adapter mounted on the client's
session sends those requests to `base_url` instead (an API gateway, or a local test server),
and adds the timeout tweepy does not set.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from config.base import BrandSettings
from kernel.abc import Source
from kernel.backoff import Backoff, retry, retry_after_seconds
from kernel.errors import (
    AuthError,
    NotConfigured,
    Permanent,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from kernel.models import Page
from kernel.read_budget import ReadBudget
from listener.common import brand_set
from listener.credentials import source_secret
from listener.streams import poll_in_turn
from listener.x.parse import Brand, parse_page
from listener.x.response import billing_problem, decode, problem, rate_limit, reset_time
from listener.x.settings import XSourceSettings

log = logging.getLogger(__name__)

API_HOST = "https://api.twitter.com"
MENTIONS = "mentions"
EXPANSIONS = [
    "author_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "attachments.media_keys",
]
TWEET_FIELDS = [
    "text",
    "note_tweet",
    "attachments",
    "created_at",
    "lang",
    "conversation_id",
    "in_reply_to_user_id",
    "referenced_tweets",
    "public_metrics",
    "author_id",
]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
MEDIA_FIELDS = ["type", "url", "preview_image_url", "alt_text"]


@dataclass(frozen=True, slots=True)
class Stream:
    """One thing to read: the brand's mentions, or one recent-search query."""

    key: str
    query: str | None = None  # None for mentions


class XSource(Source):
    type = "x"

    def __init__(
        self,
        *,
        name: str,
        bearer_token: str,
        brand_user_id: str | None = None,
        brand_handles: frozenset[str] = frozenset(),
        mentions: bool = True,
        queries: tuple[str, ...] | list[str] = (),
        include_retweets: bool = False,
        max_results: int = 100,
        max_pages: int = 10,
        base_url: str = API_HOST,
        timeout_seconds: float = 20.0,
        retries: int = 2,
        retry_backoff: float = 0.5,
        monthly_read_budget: int | None = None,
        budget_reset_day: int = 1,
    ) -> None:
        super().__init__(name=name)
        self.brand = Brand(user_id=brand_user_id, handles=brand_handles)
        self.streams = tuple(
            ([Stream(MENTIONS)] if mentions and brand_user_id else [])
            + [Stream(f"q:{query}", query) for query in dict.fromkeys(queries)]
        )
        self.include_retweets = include_retweets
        self.max_results = max_results
        #: Read by the poller (triage/polling.py): pages per poll paced to last the period.
        self.read_budget = (
            ReadBudget(monthly=monthly_read_budget, reset_day=budget_reset_day)
            if monthly_read_budget
            else None
        )
        self.budget_reset_day = budget_reset_day
        self.page_size = max_results
        self.max_pages = max_pages
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = Backoff(base_seconds=retry_backoff, max_seconds=30.0, jitter=False)
        self.client = tweepy.Client(
            bearer_token=bearer_token, return_type=requests.Response, wait_on_rate_limit=False
        )
        self.client.session.mount(API_HOST, _Rebase(self.base_url, timeout_seconds))

    @classmethod
    def from_settings(cls, settings: XSourceSettings, brand: BrandSettings) -> XSource:
        where = f"sources[{settings.name}]"
        if not settings.queries and not (settings.mentions and settings.brand_user_id):
            raise NotConfigured(
                f"{where}: nothing to poll; set brand_user_id (for mentions) or queries"
            )
        token = source_secret(settings, "bearer_token")
        if settings.mentions and not settings.brand_user_id:
            log.warning("%s: mentions need brand_user_id; reading queries only", where)
        handles = [*brand.handles, *([settings.brand_username] if settings.brand_username else [])]
        return cls(
            name=settings.name,
            bearer_token=token,
            brand_user_id=settings.brand_user_id,
            brand_handles=brand_set(handles),
            mentions=settings.mentions,
            queries=settings.queries,
            include_retweets=settings.include_retweets,
            max_results=settings.max_results,
            max_pages=settings.max_pages,
            base_url=settings.base_url,
            timeout_seconds=settings.timeout_seconds,
            monthly_read_budget=settings.monthly_read_budget,
            budget_reset_day=settings.budget_reset_day,
        )

    def describe(self) -> str:
        streams = ", ".join(s.key for s in self.streams)
        return f"x source {self.name!r} ({streams}) via {self.base_url}"

    def close(self) -> None:
        self.client.session.close()

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        """Each stream in turn (`listener.streams`); auth errors and a spent quota stop the
        poll. With a read budget, reads cost money: mentions (people talking to the brand)
        first, then searches, in as many pages as the poller's pacing allows."""
        return poll_in_turn(
            self.streams,
            cursor,
            self._poll_stream,
            key=lambda stream: stream.key,
            max_pages=self.max_pages,
            source=self.name,
            stop_on=(AuthError, QuotaExhausted),
            paced=self.read_budget is not None,
        )

    def _poll_stream(self, stream: Stream, state: dict[str, Any], budget: int) -> Iterator[Page]:
        entry = state.get(stream.key, {})
        since_id, token, newest = (entry.get(k) for k in ("since_id", "next_token", "newest_id"))
        path = (
            "/2/tweets/search/recent"
            if stream.query is not None
            else f"/2/users/{self.brand.user_id}/mentions"
        )
        where = f"x source {self.name!r} GET {path} ({stream.key})"
        for _ in range(budget):
            try:
                response = self._fetch(stream, since_id, token, where)
            except _Rejected as exc:
                if since_id is None and token is None:
                    raise Permanent(str(exc)) from exc
                # A pagination token that expired, or a since_id older than recent search
                # reaches: start the stream afresh (insert-or-skip absorbs the overlap).
                log.warning("%s; restarting the stream without its cursor", exc)
                since_id = token = newest = None
                response = self._fetch(stream, None, None, where)
            body = decode(response.content, where=where)
            parsed = parse_page(
                body,
                where=where,
                query=stream.query if stream.query is not None else MENTIONS,
                brand=self.brand,
                include_retweets=self.include_retweets,
            )
            if parsed.partial_errors:
                log.warning(
                    "%s: %d partial error(s), data kept: %s",
                    where,
                    len(parsed.partial_errors),
                    "; ".join(parsed.partial_errors[:3]),
                    extra={"source": self.name},
                )
            for reason in parsed.skipped:
                log.warning("%s", reason, extra={"source": self.name})
            if token is None:  # the first page of a run has the newest tweet of the run
                newest = parsed.newest_id
            token = parsed.next_token
            if token:
                state[stream.key] = _entry(since_id=since_id, next_token=token, newest_id=newest)
            else:
                state[stream.key] = _entry(since_id=newest or since_id)
            limit = rate_limit(response.headers)
            yield Page(
                posts=parsed.posts,
                cursor=copy.deepcopy(state),
                rate_limit=limit,
                skipped=parsed.skipped,
                # X bills every post a page returns, retweets it filters out included.
                reads=len(body["data"]) if isinstance(body.get("data"), list) else 0,
            )
            if not token or (limit is not None and limit.remaining == 0):
                return

    def _quota_exhausted(self, where: str, kind: str, detail: str) -> QuotaExhausted:
        now = datetime.now(UTC)
        if kind == "usage_cap":
            _, resume_at = ReadBudget(monthly=1, reset_day=self.budget_reset_day).period(now)
            until: datetime | None = resume_at
            what = f"X usage cap reached ({detail}); paused until {resume_at.isoformat()} or"
        else:
            until = None
            what = f"X credits depleted ({detail}); add credits, then"
        return QuotaExhausted(
            f"{where}: {what} `social-triage sources resume {self.name}`; cursor kept",
            resume_at=until,
        )

    def _fetch(
        self, stream: Stream, since_id: str | None, token: str | None, where: str
    ) -> requests.Response:
        """One page, with tweepy's and requests' errors translated; 5xx and network retried."""
        params: dict[str, Any] = {
            "expansions": EXPANSIONS,
            "tweet_fields": TWEET_FIELDS,
            "user_fields": USER_FIELDS,
            "media_fields": MEDIA_FIELDS,
            "max_results": self.max_results,
            "since_id": since_id,
        }

        def call() -> requests.Response:
            if stream.query is None:
                result = self.client.get_users_mentions(
                    self.brand.user_id, pagination_token=token, **params
                )
            else:
                result = self.client.search_recent_tweets(stream.query, next_token=token, **params)
            assert isinstance(result, requests.Response)  # return_type above
            return result

        try:
            return retry(call, policy=self.backoff, retries=self.retries, retryable=_retryable)
        except tweepy.TooManyRequests as exc:
            billing = billing_problem(exc.response.content)
            if billing is not None:
                raise self._quota_exhausted(where, *billing) from exc
            reset_at = reset_time(exc.reset_time)
            when = f" until {reset_at.isoformat()}" if reset_at else ""
            raise RateLimited(f"{where}: rate limited (429){when}", reset_at=reset_at) from exc
        except tweepy.Unauthorized as exc:
            raise AuthError(
                f"{where}: 401 {_detail(exc)}; the bearer token is invalid, revoked or expired"
            ) from exc
        except tweepy.Forbidden as exc:
            raise AuthError(
                f"{where}: 403 {_detail(exc)}; the app's access level does not allow this"
            ) from exc
        except tweepy.BadRequest as exc:
            raise _Rejected(f"{where}: 400 {_detail(exc)}") from exc
        except tweepy.TwitterServerError as exc:
            raise TransientError(f"{where}: server error {_detail(exc, status=True)}") from exc
        except tweepy.HTTPException as exc:
            raise Permanent(f"{where}: unexpected {_detail(exc, status=True)}") from exc
        except requests.Timeout as exc:
            raise TransientError(f"{where}: timed out") from exc
        except requests.RequestException as exc:
            raise TransientError(f"{where}: network error ({type(exc).__name__})") from exc


def _retryable(exc: Exception) -> float | bool:
    """5xx (honouring its Retry-After) and network errors are retried within the poll."""
    if isinstance(exc, tweepy.TwitterServerError):
        return retry_after_seconds(exc.response.headers.get("retry-after")) or True
    return isinstance(exc, requests.RequestException)


class _Rejected(Permanent):
    """A 400: the request (query, since_id or pagination token) was refused."""


class _Rebase(HTTPAdapter):
    """Sends requests for tweepy's hard-coded API host to `base_url`, with a timeout."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(max_retries=0)
        self.base_url = base_url
        self.timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        if request.url and request.url.startswith(API_HOST) and self.base_url != API_HOST:
            request.url = self.base_url + request.url[len(API_HOST) :]
            # The session chose proxies for the original host; choose again for the new one.
            proxies = requests.utils.get_environ_proxies(request.url)
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def _entry(**values: str | None) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


def _detail(exc: tweepy.HTTPException, *, status: bool = False) -> str:
    response = exc.response
    text = problem(response.content) or str(response.reason)
    return f"{response.status_code} {text}" if status else text


class _RedactBearer(logging.Filter):
    """tweepy logs request headers at DEBUG, bearer token included; blank it out."""

    _BEARER = re.compile(r"Bearer [^\s'\",}]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Bearer " in message:
            record.msg, record.args = self._BEARER.sub("Bearer ***", message), ()
        return True


_tweepy_log = logging.getLogger("tweepy.client")
if not any(isinstance(f, _RedactBearer) for f in _tweepy_log.filters):
    _tweepy_log.addFilter(_RedactBearer())
