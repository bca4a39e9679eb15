"""Answer Reddit posts as the brand's account with praw: a comment reply (`POST /api/comment`
on the post's fullname) or a private message (`POST /api/compose`).

The account is a "script" app's owner or developer: praw's password grant with the source's
client id/secret plus `username` and `password`, built by `listener.reddit.client.build_reddit`
(same redirect to `base_url`/`auth_url`, no update check). Reddit reports most refusals as
HTTP 200 with `{"json": {"errors": [[CODE, message, field]]}}`, which praw raises as
`RedditAPIException`; a RATELIMIT error is never slept on. Nothing is retried (a comment is not
idempotent). Every failure is one `ReplyError` line, with `retry_at` when Reddit said when.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import prawcore
from praw.exceptions import RedditAPIException

from kernel.abc import Responder
from kernel.errors import NotConfigured, ReplyError
from kernel.models import Post, SentMessage
from kernel.util import one_line
from listener.credentials import source_secret
from listener.reddit.client import (
    CLIENT_ERRORS,
    DEFAULT_RETRY_AFTER,
    ResponseMonitor,
    build_reddit,
    parse_rate_limit,
)
from listener.reddit.settings import RedditSourceSettings
from listener.reply_errors import rate_limited, unreachable

log = logging.getLogger(__name__)

#: Reddit's error codes for a thread that takes no more replies.
CLOSED_THREAD = {
    "THREAD_LOCKED": "the thread is locked",
    "DELETED_LINK": "the post was deleted",
    "DELETED_COMMENT": "the comment was deleted",
    "TOO_OLD": "the thread is archived (too old to reply to)",
}
_WAIT = re.compile(r"(\d+) (millisecond|second|minute|hour)s?")
_UNITS = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600}


class RedditResponder(Responder):
    type = "reddit"

    def __init__(
        self,
        *,
        name: str,
        client_id: str,
        client_secret: str,
        username: str,
        password: str,
        user_agent: str,
        message_subject: str = "About your post",
        base_url: str = "https://oauth.reddit.com",
        auth_url: str = "https://www.reddit.com",
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__(name=name, dry_run=False)
        self.username = username
        self.account = username
        self.message_subject = message_subject
        self.base_url = base_url
        self.monitor = ResponseMonitor()
        self.reddit, self._http = build_reddit(
            client_id=client_id,
            client_secret=client_secret,
            user_agent=user_agent,
            base_url=base_url,
            auth_url=auth_url,
            timeout=timeout_seconds,
            retry_delay=0.0,
            monitor=self.monitor,
            username=username,
            password=password,
        )

    @classmethod
    def from_settings(cls, settings: RedditSourceSettings) -> RedditResponder:
        """Reads the account's credentials now: a missing one is `NotConfigured`, naming it."""
        where = f"sources[{settings.name}]"
        if not settings.username:
            raise NotConfigured(
                f"{where}.username: not configured; replying needs the brand's Reddit account"
            )
        secrets = {
            key: source_secret(settings, key) for key in ("client_id", "client_secret", "password")
        }
        return cls(
            name=settings.name,
            username=settings.username.strip().removeprefix("u/"),
            user_agent=settings.user_agent,
            message_subject=settings.message_subject,
            base_url=settings.base_url,
            auth_url=settings.auth_url,
            timeout_seconds=settings.timeout_seconds,
            **secrets,
        )

    def describe(self) -> str:
        return f"reddit responder {self.name!r} (u/{self.username}) via {self.base_url}"

    def close(self) -> None:
        self._http.close()

    def reply(self, post: Post, text: str) -> SentMessage:
        where = f"Reddit reply to {post.external_id}"
        kind, _, thing_id = post.external_id.partition("_")
        if kind not in ("t1", "t3") or not thing_id:
            raise ReplyError(f"{where}: not a Reddit post or comment id")
        parent: Any = (
            self.reddit.comment(id=thing_id)
            if kind == "t1"
            else self.reddit.submission(id=thing_id)
        )
        created = self._call(where, lambda: parent.reply(text))
        if created is None:  # a quarantined subreddit: created, but Reddit does not say as what
            return SentMessage(channel="reply", text=text)
        fields = vars(created)  # what Reddit answered; attribute access would fetch more
        comment_id, link = str(fields.get("id") or ""), str(fields.get("link_id") or "")
        permalink = fields.get("permalink")
        if not isinstance(permalink, str) and comment_id and link.startswith("t3_"):
            permalink = f"/comments/{link[3:]}/_/{comment_id}/"
        return SentMessage(
            channel="reply",
            text=text,
            external_id=f"t1_{comment_id}" if comment_id else None,
            url=f"https://www.reddit.com{permalink}" if isinstance(permalink, str) else None,
        )

    def direct_message(self, post: Post, text: str) -> SentMessage:
        handle = post.author.handle
        where = f"Reddit message to u/{handle}"
        if not handle or handle in ("[deleted]", "unknown"):
            raise ReplyError(f"{where}: the author's account is deleted or unknown")
        redditor = self.reddit.redditor(handle)
        self._call(where, lambda: redditor.message(subject=self.message_subject, message=text))
        return SentMessage(channel="dm", text=text)

    def _call(self, where: str, send: Callable[[], Any]) -> Any:
        self.monitor.reset()
        try:
            return send()
        except RedditAPIException as exc:
            raise _api_error(where, exc) from exc
        except CLIENT_ERRORS as exc:
            raise self._http_error(where, exc) from exc

    def _http_error(self, where: str, exc: Exception) -> ReplyError:
        if isinstance(exc, prawcore.OAuthException):
            return ReplyError(
                f"{where}: Reddit refused the account's credentials ({exc.error}); check "
                f"sources[{self.name}] username, password, client_id and client_secret"
            )
        if isinstance(exc, prawcore.RequestException):
            return unreachable(where, by="Reddit", why=type(exc.original_exception).__name__)
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None) or self.monitor.last_status
        if status == 429:
            return rate_limited(where, by="Reddit", retry_at=_reset_at(response))
        if status == 401:
            return ReplyError(f"{where}: Reddit refused the account's token (401)")
        if status == 403:
            return ReplyError(
                f"{where}: Reddit refused it (403 Forbidden): the thread may be locked, or the "
                "account banned or lacking the scope"
            )
        if status == 404:
            return ReplyError(f"{where}: Reddit does not know it (404); was it deleted?")
        if isinstance(status, int) and status >= 500:
            return ReplyError(f"{where}: Reddit answered {status}; try again shortly")
        return ReplyError(f"{where}: Reddit failed ({type(exc).__name__}, HTTP {status})")


def _api_error(where: str, exc: RedditAPIException) -> ReplyError:
    item = exc.items[0]
    code = item.error_type
    if code == "RATELIMIT":
        retry_at = _ratelimit_at(item.message)
        return ReplyError(
            f"{where}: Reddit asks the account to slow down (RATELIMIT); try again after "
            f"{retry_at:%Y-%m-%d %H:%M} UTC",
            retry_at=retry_at,
        )
    if code in CLOSED_THREAD:
        return ReplyError(f"{where}: Reddit refused it ({code}): {CLOSED_THREAD[code]}")
    return ReplyError(f"{where}: Reddit refused it ({code}): {one_line(item.message or '')}")


def _ratelimit_at(message: str | None) -> datetime:
    """ "Take a break for 9 minutes before trying again." -> when that is (rounded up)."""
    found = _WAIT.search(message or "")
    if not found:
        return _now() + DEFAULT_RETRY_AFTER
    seconds = int(found.group(1)) * _UNITS[found.group(2)]
    return _now() + timedelta(seconds=max(seconds, 1.0))


def _reset_at(response: Any) -> datetime:
    headers = getattr(response, "headers", None) or {}
    try:
        return _now() + timedelta(seconds=max(float(headers["retry-after"]), 0.0))
    except (KeyError, TypeError, ValueError):
        pass
    limit = parse_rate_limit(headers)
    if limit is not None and limit.reset_at is not None:
        return limit.reset_at
    return _now() + DEFAULT_RETRY_AFTER


def _now() -> datetime:
    return datetime.now(UTC)
