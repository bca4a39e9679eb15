"""Answer Mastodon posts as the brand: a public reply (a status with `in_reply_to_id`) or a
direct message (a status with `visibility: direct` that mentions the author only), through
Mastodon.py's `status_post`.

A reply starts with the author's `@user@instance`, as Mastodon clients write it, so the author
is notified; a DM must mention them, or nobody receives it. Each send carries an
`Idempotency-Key` made from the post and the text: an instance that saw the key within the hour
answers with the status it already made, so an agent sending again after a timeout does not
publish twice. Nothing else is retried. Every failure is one `ReplyError` line for the agent,
with `retry_at` on a 429; the token never appears in it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from mastodon.errors import MastodonError, MastodonRatelimitError, MastodonUnauthorizedError

from kernel.abc import Responder
from kernel.errors import ReplyError
from kernel.models import Post, SentMessage
from listener.credentials import source_secret
from listener.mastodon.client import build_client, detail, rate_limit, status_of
from listener.mastodon.settings import MastodonSourceSettings
from listener.reply_errors import answered, rate_limited


class MastodonResponder(Responder):
    type = "mastodon"

    def __init__(
        self,
        *,
        name: str,
        instance_url: str,
        access_token: str,
        account: str | None = None,
        reply_visibility: str = "public",
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__(name=name, dry_run=False)
        self.account = account.lstrip("@") if account else None
        self.instance_url = instance_url.rstrip("/")
        self.reply_visibility = reply_visibility
        self.client = build_client(
            instance_url=self.instance_url, access_token=access_token, timeout=timeout_seconds
        )

    @classmethod
    def from_settings(cls, settings: MastodonSourceSettings) -> MastodonResponder:
        token = source_secret(settings, "access_token")
        return cls(
            name=settings.name,
            instance_url=settings.instance_url,
            access_token=token,
            account=settings.account,
            reply_visibility=settings.reply_visibility,
            timeout_seconds=settings.timeout_seconds,
        )

    def describe(self) -> str:
        return f"mastodon responder {self.name!r} via {self.instance_url}"

    def close(self) -> None:
        self.client.session.close()

    def reply(self, post: Post, text: str) -> SentMessage:
        where = f"Mastodon reply to status {post.external_id}"
        status = self._post(
            where,
            post,
            _addressed(post, text),
            in_reply_to_id=post.external_id,
            visibility=self.reply_visibility,
        )
        return SentMessage(
            channel="reply", text=text, external_id=str(status["id"]), url=status.get("url")
        )

    def direct_message(self, post: Post, text: str) -> SentMessage:
        where = f"Mastodon direct message to @{post.author.handle}"
        if not post.author.handle or post.author.handle == "[deleted]":
            raise ReplyError(f"{where}: the post has no author to write to")
        status = self._post(where, post, _addressed(post, text), visibility="direct")
        return SentMessage(channel="dm", text=text, external_id=str(status["id"]))

    def _post(self, where: str, post: Post, text: str, **options: Any) -> dict[str, Any]:
        key = hashlib.sha256(f"{post.external_id}\n{options}\n{text}".encode()).hexdigest()
        try:
            status = self.client.status_post(text, idempotency_key=key[:64], **options)
        except MastodonRatelimitError as exc:
            limit = rate_limit(self.client)
            retry_at = limit.reset_at if limit is not None else None
            retry_at = retry_at if retry_at and retry_at > datetime.now(UTC) else None
            raise rate_limited(where, by="the instance", retry_at=retry_at) from exc
        except MastodonUnauthorizedError as exc:
            raise ReplyError(
                f"{where}: the instance refused the token (401 {detail(exc)}); check "
                f"sources[{self.name}].access_token (it needs the write:statuses scope)"
            ) from exc
        except MastodonError as exc:
            status_code = status_of(exc)
            if status_code is None:
                raise ReplyError(
                    f"{where}: the instance did not answer as expected ({detail(exc)[:120]}); "
                    "check the thread before sending again"
                ) from exc
            raise answered(
                where, by="the instance", status=status_code, detail=detail(exc)
            ) from exc
        if not isinstance(status, dict) or not status.get("id"):
            raise ReplyError(f"{where}: sent, but the instance's answer has no status id")
        return status


def _addressed(post: Post, text: str) -> str:
    """The text with the author's handle in front, unless the agent already wrote it."""
    handle = post.author.handle.lstrip("@")
    mention = f"@{handle}"
    if not handle or handle == "[deleted]" or mention.lower() in text.lower().split():
        return text
    return f"{mention} {text}"
