"""Answer Bluesky posts as the brand: a public reply threaded to the right root and parent
(an `app.bsky.feed.post` record with `reply: {root, parent}`, through atproto's `send_post`),
or a direct message (`chat.bsky.convo.getConvoForMembers` then `sendMessage`, proxied to
Bluesky's chat service, which needs an app password allowed to use direct messages).

The parent is the post itself (its AT URI and CID, stored with it); the root is the root its
own record names, or the post when it starts the thread, so the reply shows in the right
thread in every client. Links in the text, and the author's `@handle`, become link and
mention facets, as the Bluesky app makes them. Nothing is retried: a post is not idempotent.
Every failure is one `ReplyError` line, with `retry_at` on a 429; the app password and tokens
never appear in it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto import client_utils, models
from atproto_client.exceptions import (
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)

from kernel.abc import Responder
from kernel.errors import ReplyError
from kernel.models import Post, SentMessage
from listener.bluesky.client import CLIENT_ERRORS, Session, as_dict, xrpc_detail
from listener.bluesky.parse import web_url
from listener.bluesky.settings import BlueskySourceSettings
from listener.credentials import source_secret
from listener.reply_errors import rate_limited, unreachable

_RICH = re.compile(r"https?://[^\s<>\"')\]]+|@[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]")


class BlueskyResponder(Responder):
    type = "bluesky"

    def __init__(
        self,
        *,
        name: str,
        handle: str,
        app_password: str,
        service_url: str = "https://bsky.social",
        timeout_seconds: float = 20.0,
    ) -> None:
        super().__init__(name=name, dry_run=False)
        self.account = handle.lstrip("@")
        self.session = Session(
            service_url=service_url,
            handle=handle,
            app_password=app_password,
            timeout=timeout_seconds,
        )

    @classmethod
    def from_settings(cls, settings: BlueskySourceSettings) -> BlueskyResponder:
        password = source_secret(settings, "app_password")
        return cls(
            name=settings.name,
            handle=settings.handle,
            app_password=password,
            service_url=settings.service_url,
            timeout_seconds=settings.timeout_seconds,
        )

    def describe(self) -> str:
        return f"bluesky responder {self.name!r} as @{self.account} via {self.session.service_url}"

    def close(self) -> None:
        self.session.close()

    def reply(self, post: Post, text: str) -> SentMessage:
        where = f"Bluesky reply to {post.url or post.external_id}"
        parent = _strong_ref(post.external_id, post.raw.get("cid"))
        if parent is None:
            raise ReplyError(f"{where}: the stored post has no AT URI and CID to reply to")
        root_ref = _dict(_dict(_dict(post.raw.get("record")).get("reply")).get("root"))
        root = _strong_ref(root_ref.get("uri"), root_ref.get("cid")) or parent
        reply_to = models.AppBskyFeedPost.ReplyRef(parent=parent, root=root)
        created = self._call(
            where,
            lambda: self.session.call(
                lambda c: c.send_post(
                    rich_text(text, _author(post)),
                    profile_identify=self.session.did,
                    reply_to=reply_to,
                    langs=[post.lang] if post.lang else None,
                )
            ),
        )
        return SentMessage(
            channel="reply",
            text=text,
            external_id=created.uri,
            url=web_url(created.uri, self.session.handle),
        )

    def direct_message(self, post: Post, text: str) -> SentMessage:
        where = f"Bluesky message to @{post.author.handle}"
        did = post.author.external_id
        if not did or not did.startswith("did:"):
            raise ReplyError(f"{where}: the post has no author DID to write to")

        def send(client: Any) -> Any:
            chat = client.with_bsky_chat_proxy().chat.bsky.convo
            convo = chat.get_convo_for_members(params={"members": [did]}).convo
            message = models.ChatBskyConvoDefs.MessageInput(text=text)
            return chat.send_message(data={"convo_id": convo.id, "message": message})

        sent = self._call(where, lambda: self.session.call(send), chat=True)
        return SentMessage(channel="dm", text=text, external_id=str(as_dict(sent).get("id")))

    def _call(self, where: str, send: Any, *, chat: bool = False) -> Any:
        try:
            if self.session.did is None:
                self.session.login()
            return send()
        except RateLimitExceededError as exc:
            retry_at = exc.reset_at or (
                datetime.now(UTC) + timedelta(seconds=exc.retry_after)
                if exc.retry_after is not None
                else None
            )
            raise rate_limited(where, by="Bluesky", retry_at=retry_at) from exc
        except UnauthorizedError as exc:
            scope = " (it must allow direct messages)" if chat else ""
            raise ReplyError(
                f"{where}: Bluesky refused the account ({_detail(exc)}); check "
                f"sources[{self.name}].handle and app_password{scope}"
            ) from exc
        except BadRequestError as exc:
            raise ReplyError(f"{where}: Bluesky refused it (400 {_detail(exc)})") from exc
        except NetworkError as exc:
            if exc.response is None:
                why = type(exc.__cause__ or exc).__name__
                raise unreachable(where, by="Bluesky", why=why) from exc
            raise ReplyError(
                f"{where}: Bluesky answered {exc.response.status_code}; try again shortly"
            ) from exc
        except RequestErrorBase as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise ReplyError(f"{where}: Bluesky answered {status} {_detail(exc)}") from exc
        except CLIENT_ERRORS as exc:
            raise ReplyError(
                f"{where}: Bluesky's answer was not understood ({type(exc).__name__})"
            ) from exc


def rich_text(text: str, mentions: dict[str, str] | None = None) -> client_utils.TextBuilder:
    """The text with each URL as a link facet, and each `@handle` of `mentions` (handle ->
    DID; the author the agent answers) as a mention facet, as the Bluesky app writes them."""
    builder = client_utils.TextBuilder()
    names = {f"@{h.lower()}": did for h, did in (mentions or {}).items()}
    at = 0
    for match in _RICH.finditer(text):
        found = match.group(0).rstrip(".,;:!?")
        did = names.get(found.lower())
        if found.startswith("@") and did is None:
            continue
        if match.start() > at:
            builder.text(text[at : match.start()])
        if did is not None:
            builder.mention(found, did)
        else:
            builder.link(found, found)
        at = match.start() + len(found)
    if at < len(text):
        builder.text(text[at:])
    return builder


def _strong_ref(uri: Any, cid: Any) -> models.ComAtprotoRepoStrongRef.Main | None:
    if (
        not isinstance(uri, str)
        or not uri.startswith("at://")
        or not isinstance(cid, str)
        or not cid
    ):
        return None
    return models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)


def _author(post: Post) -> dict[str, str]:
    did = post.author.external_id
    return {post.author.handle: did} if did and did.startswith("did:") else {}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _detail(exc: RequestErrorBase) -> str:
    status = exc.response.status_code if exc.response is not None else ""
    return " ".join(str(p) for p in (status, xrpc_detail(exc)) if p)
