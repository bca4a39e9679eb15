"""Answer X posts as the brand: a public reply (`POST /2/tweets` with `reply.in_reply_to_tweet_id`)
or a DM (`POST /2/dm_conversations/with/:participant_id/messages`), through tweepy's `Client`.

Posting needs user context, never the app-only bearer token the source reads with:
`reply_auth: oauth1` (consumer key/secret + the brand account's access token/secret) or
`oauth2` (a user access token). The client is redirected to `base_url` exactly as the source's
is (`listener.x._Rebase`). Nothing is retried: a post is not idempotent, and a timeout may
hide a reply that was published. Every failure is one `ReplyError` line for the agent, with
`retry_at` on a 429; no token ever appears in it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests
import tweepy

from kernel.abc import Responder
from kernel.errors import MalformedPayload, ReplyError
from kernel.models import Post, SentMessage
from listener.credentials import source_secret
from listener.reply_errors import answered, rate_limited
from listener.x.response import decode, problem, reset_time
from listener.x.settings import XSourceSettings
from listener.x.source import API_HOST, _Rebase

log = logging.getLogger(__name__)

#: What X answers (403) to a post whose text the account published recently.
DUPLICATE = "duplicate content"


class XResponder(Responder):
    type = "x"

    def __init__(
        self,
        *,
        name: str,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        user_access_token: str | None = None,
        brand_username: str | None = None,
        base_url: str = API_HOST,
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__(name=name, dry_run=False)
        #: OAuth 1.0a signs each request; an OAuth 2 user token is sent as a bearer token.
        self.user_auth = user_access_token is None
        if self.user_auth and not (
            consumer_key and consumer_secret and access_token and access_token_secret
        ):
            raise ValueError("oauth1 needs consumer key/secret and access token/secret")
        self.brand_username = brand_username
        self.account = brand_username.lstrip("@") if brand_username else None
        self.base_url = base_url.rstrip("/")
        self.client = tweepy.Client(
            bearer_token=user_access_token,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            return_type=requests.Response,
            wait_on_rate_limit=False,
        )
        self.client.session.mount(API_HOST, _Rebase(self.base_url, timeout_seconds))

    @classmethod
    def from_settings(cls, settings: XSourceSettings) -> XResponder:
        """Reads the reply credentials now: a missing one is `NotConfigured`, naming it."""

        def secret(key: str) -> str:
            return source_secret(settings, key, note=f"reply_auth: {settings.reply_auth}")

        common: dict[str, Any] = {
            "name": settings.name,
            "brand_username": settings.brand_username,
            "base_url": settings.base_url,
            "timeout_seconds": settings.timeout_seconds,
        }
        if settings.reply_auth == "oauth2":
            return cls(user_access_token=secret("user_access_token"), **common)
        return cls(
            consumer_key=secret("consumer_key"),
            consumer_secret=secret("consumer_secret"),
            access_token=secret("access_token"),
            access_token_secret=secret("access_token_secret"),
            **common,
        )

    def describe(self) -> str:
        auth = "OAuth 1.0a" if self.user_auth else "OAuth 2 user token"
        return f"x responder {self.name!r} ({auth}) via {self.base_url}"

    def close(self) -> None:
        self.client.session.close()

    def reply(self, post: Post, text: str) -> SentMessage:
        where = f"X reply to post {post.external_id}"
        body = self._call(
            where,
            lambda: self.client.create_tweet(
                text=text, in_reply_to_tweet_id=post.external_id, user_auth=self.user_auth
            ),
        )
        tweet_id = _field(body, "id", where)
        handle = self.brand_username or "i/web"
        return SentMessage(
            channel="reply",
            text=text,
            external_id=tweet_id,
            url=f"https://x.com/{handle}/status/{tweet_id}",
        )

    def direct_message(self, post: Post, text: str) -> SentMessage:
        where = f"X DM to @{post.author.handle}"
        participant = post.author.external_id
        if not participant:
            raise ReplyError(f"{where}: the post has no author id to send a DM to")
        body = self._call(
            where,
            lambda: self.client.create_direct_message(
                participant_id=participant, text=text, user_auth=self.user_auth
            ),
        )
        return SentMessage(channel="dm", text=text, external_id=_field(body, "dm_event_id", where))

    def _call(self, where: str, send: Any) -> dict[str, Any]:
        try:
            response = send()
        except tweepy.TooManyRequests as exc:
            retry_at = _retry_at(exc.response)
            raise rate_limited(where, by="X", retry_at=retry_at) from exc
        except tweepy.Unauthorized as exc:
            raise ReplyError(
                f"{where}: X refused the credentials (401 {_detail(exc)}); "
                f"check the reply credentials of sources[{self.name}]"
            ) from exc
        except tweepy.Forbidden as exc:
            detail = _detail(exc)
            if DUPLICATE in detail.lower():
                raise ReplyError(
                    f"{where}: X refused a duplicate (403): the brand posted this exact text "
                    "recently; change the wording"
                ) from exc
            raise ReplyError(
                f"{where}: X refused it (403 {detail}); the app needs read-write (and DM) "
                "permission, and the user must accept the reply or DM"
            ) from exc
        except tweepy.HTTPException as exc:
            status = exc.response.status_code
            raise answered(where, by="X", status=status, detail=_detail(exc)) from exc
        except requests.Timeout as exc:
            raise ReplyError(
                f"{where}: X did not answer in time; check the thread before sending again"
            ) from exc
        except requests.RequestException as exc:
            raise ReplyError(f"{where}: could not reach X ({type(exc).__name__})") from exc
        assert isinstance(response, requests.Response)  # return_type above
        try:
            body = decode(response.content, where=where)
        except MalformedPayload as exc:
            raise ReplyError(f"{where}: sent, but X's answer is not JSON") from exc
        return body


def _field(body: dict[str, Any], name: str, where: str) -> str:
    data = body.get("data")
    value = data.get(name) if isinstance(data, dict) else None
    if not value:
        raise ReplyError(f"{where}: sent, but X's answer has no data.{name}")
    return str(value)


def _detail(exc: tweepy.HTTPException) -> str:
    return problem(exc.response.content) or str(exc.response.reason)


def _retry_at(response: requests.Response) -> datetime | None:
    """The latest reset among the exhausted windows (15-minute, and the 24-hour user cap)."""
    headers = response.headers
    resets = [
        _epoch(headers.get(f"{prefix}-reset"))
        for prefix in ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
        if headers.get(f"{prefix}-remaining") == "0"
    ]
    found = [r for r in resets if r is not None]
    return max(found) if found else _epoch(headers.get("x-rate-limit-reset"))


def _epoch(value: str | None) -> datetime | None:
    try:
        return reset_time(int(value)) if value is not None else None
    except ValueError:
        return None
