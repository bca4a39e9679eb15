"""The praw client as the Reddit source uses it, and the translation of its errors.

praw does the OAuth work (client-credentials token at `auth_url/api/v1/access_token`, renewal,
a retry with a fresh token after a 401) and maps statuses to exceptions. Three adjustments keep
a daemon worker from blocking, all through praw's documented hooks except the two attributes of
prawcore's `Session` named below, which are set only when present:

- our own `requests.Session` (praw's `requestor_kwargs`) with a response hook that records the
  `x-ratelimit-*` headers of every API response, so the source can stop before the window runs
  out and report `RateLimit` on its pages, instead of letting prawcore sleep until the reset;
- prawcore's pacing sleep is capped at `MAX_PACING_SECONDS` (`Session._rate_limiter`);
- one retry (for the token renewal after a 401, or one 5xx) after `retry_delay` seconds instead of
  prawcore's two with a random 0-4 s sleep (`Session._retry_strategy_class`); the scheduler's
  backoff handles anything longer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import praw
import prawcore
import requests
from praw.exceptions import PRAWException
from prawcore.rate_limit import RateLimiter
from prawcore.sessions import FiniteRetryStrategy

from kernel.errors import (
    AuthError,
    MalformedPayload,
    Permanent,
    RateLimited,
    SourceError,
    TransientError,
)
from kernel.models import RateLimit

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/v1/access_token"
MAX_PACING_SECONDS = 2.0
#: When a 429 says nothing about when to come back (Reddit's window is at most 10 minutes).
DEFAULT_RETRY_AFTER = timedelta(seconds=60)
#: Everything praw/prawcore may raise from one request, plus the bare errors prawcore lets
#: through from the token endpoint (a 200 that is not JSON, a 401 without www-authenticate).
CLIENT_ERRORS = (prawcore.PrawcoreException, PRAWException, ValueError, KeyError)


class _Requestor(prawcore.Requestor):
    """Applies the configured timeout; prawcore otherwise passes its own 16 s to every call."""

    def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return super().request(*args, timeout=self.timeout, **kwargs)


@dataclass(frozen=True)
class _OneQuickRetry(FiniteRetryStrategy):
    retries: int = 1
    DELAY: ClassVar[float] = 1.0

    def _sleep_seconds(self) -> float | None:
        return self.DELAY if self.retries < 1 and self.DELAY > 0 else None

    def consume_available_retry(self) -> _OneQuickRetry:
        return type(self)(retries=self.retries - 1)


class _CappedRateLimiter(RateLimiter):
    def delay(self) -> None:
        if self.next_request_timestamp_ns is None:
            return
        wait = (self.next_request_timestamp_ns - time.monotonic_ns()) / 1e9
        if wait > 0:
            time.sleep(min(wait, MAX_PACING_SECONDS))


class ResponseMonitor:
    """A `requests` response hook: the last response's status and the API's rate-limit state."""

    def __init__(self) -> None:
        self.rate: RateLimit | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the last response; called before each request so no stale status leaks."""
        self.last_status: int | None = None
        self.last_was_token = False

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_status = response.status_code
        self.last_was_token = response.url.split("?")[0].endswith(TOKEN_PATH)
        if not self.last_was_token:  # the token endpoint has its own, separate budget
            self.rate = parse_rate_limit(response.headers) or self.rate


def parse_rate_limit(headers: Any) -> RateLimit | None:
    """`x-ratelimit-remaining` ("599.0"), `-used` and `-reset` (seconds), if all make sense."""
    try:
        remaining = float(headers["x-ratelimit-remaining"])
        reset = float(headers["x-ratelimit-reset"])
    except (KeyError, TypeError, ValueError):
        return None
    try:
        used: float | None = float(headers.get("x-ratelimit-used"))
    except (TypeError, ValueError):
        used = None
    return RateLimit(
        limit=round(remaining + used) if used is not None else None,
        remaining=int(remaining),
        reset_at=_now() + timedelta(seconds=max(reset, 0.0)),
    )


def build_reddit(
    *,
    client_id: str,
    client_secret: str,
    user_agent: str,
    base_url: str,
    auth_url: str,
    timeout: float,
    retry_delay: float,
    monitor: ResponseMonitor,
    username: str | None = None,
    password: str | None = None,
) -> tuple[praw.Reddit, requests.Session]:
    """A praw client that makes no request until first used: read-only (client credentials),
    or, given `username` and `password`, the script app's own account (the responders)."""
    http = requests.Session()
    http.hooks["response"].append(monitor)
    account = {"username": username, "password": password} if username and password else {}
    reddit = praw.Reddit(
        **account,
        # A RATELIMIT answer becomes the agent's one-line error at once; praw never sleeps on it.
        ratelimit_seconds=0,
        client_id=client_id,
        client_secret=client_secret,
        user_agent=user_agent,
        oauth_url=base_url.rstrip("/") + "/",
        reddit_url=auth_url.rstrip("/"),
        check_for_updates=False,
        requestor_class=_Requestor,
        requestor_kwargs={"session": http, "timeout": timeout},
    )
    retry = type("_Retry", (_OneQuickRetry,), {"DELAY": retry_delay})
    found = (getattr(reddit, "_core", None), getattr(reddit, "_read_only_core", None))
    cores: list[Any] = [c for c in found if c is not None]
    for core in {id(c): c for c in cores}.values():
        if hasattr(core, "_retry_strategy_class"):
            core._retry_strategy_class = retry
        limiter = getattr(core, "_rate_limiter", None)
        if isinstance(limiter, RateLimiter):
            core._rate_limiter = _CappedRateLimiter(window_size=limiter.window_size)
        else:  # a prawcore without these internals still works, it may just sleep longer
            log.debug("prawcore has no _rate_limiter; pacing is not capped")
    return reddit, http


def translate(
    exc: Exception, *, where: str, token_where: str, monitor: ResponseMonitor
) -> SourceError:
    """Our error for whatever praw/prawcore raised; one line, never a secret."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or monitor.last_status
    token = isinstance(exc, prawcore.OAuthException) or (
        response.url.split("?")[0].endswith(TOKEN_PATH)
        if isinstance(response, requests.Response)
        else monitor.last_was_token
    )
    here = token_where if token else where
    if isinstance(exc, prawcore.RequestException):  # no response at all
        url = str(exc.request_args[1]) if len(exc.request_args) > 1 else ""
        here = token_where if url.endswith(TOKEN_PATH) else where
        original = exc.original_exception
        return TransientError(f"{here}: {type(original).__name__}: {_first_line(original)}")
    if isinstance(exc, prawcore.OAuthException):
        return AuthError(
            f"{here}: credentials refused ({exc.error}); check client_id/client_secret"
        )
    if status == 429:
        return RateLimited(f"{here}: HTTP 429 Too Many Requests", reset_at=_reset_at(response))
    if status in (401, 403):
        what = "client_id/client_secret refused" if token else "access refused"
        return AuthError(f"{here}: HTTP {status}, {what}")
    if isinstance(exc, prawcore.BadJSON):
        return MalformedPayload(f"{here}: response is not valid JSON (HTTP {status})")
    if isinstance(status, int) and status >= 500:
        return TransientError(f"{here}: HTTP {status} server error")
    if isinstance(exc, prawcore.Redirect | prawcore.NotFound):
        return Permanent(f"{here}: not found (HTTP {status}); does the subreddit exist?")
    if isinstance(exc, ValueError | KeyError):
        return MalformedPayload(f"{here}: unexpected response: {type(exc).__name__}")
    if isinstance(exc, prawcore.ResponseException):
        return Permanent(f"{here}: unexpected HTTP {status}")
    return SourceError(f"{here}: {type(exc).__name__}: {_first_line(exc)}")


def _reset_at(response: Any) -> datetime:
    headers = getattr(response, "headers", None) or {}
    for name in ("retry-after", "x-ratelimit-reset"):
        try:
            seconds = float(headers[name])
        except (KeyError, TypeError, ValueError):
            continue
        return _now() + timedelta(seconds=max(seconds, 0.0))
    return _now() + DEFAULT_RETRY_AFTER


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else "no detail"


def _now() -> datetime:
    return datetime.now(UTC)
