"""Build the responder that answers posts fetched by one configured source.

Every responder is dry-run until `replies.dry_run: false`: the reply is stored and shown as a
dry run and nothing reaches the platform. Platform responders (X through tweepy, Reddit
through praw) live beside their sources, are named by their plugin record (`responder`) and
are imported only when used. A source whose record names none (feeds, replay files) has no
reply API: outside dry run its responder refuses every send with one line (`ReplyError`), so
the agent sees why and the item stays open.
"""

from __future__ import annotations

from config.schema import Settings
from config.sources import SourceSettings
from kernel.abc import Responder
from kernel.errors import ReplyError
from kernel.models import Post, SentMessage
from kernel.plugins import registered


class DryRunResponder(Responder):
    """Records what would have been sent; used in dry run and for sources with no reply API."""

    type = "dry_run"

    def __init__(self, *, name: str) -> None:
        super().__init__(name=name, dry_run=True)

    def reply(self, post: Post, text: str) -> SentMessage:
        return SentMessage(channel="reply", text=text, dry_run=True)

    def direct_message(self, post: Post, text: str) -> SentMessage:
        return SentMessage(channel="dm", text=text, dry_run=True)


class NoReplyAPI(Responder):
    """A source whose platform cannot be answered from here (feeds, replay files)."""

    type = "none"

    def __init__(self, *, name: str, why: str) -> None:
        super().__init__(name=name, dry_run=False)
        self.why = why

    def reply(self, post: Post, text: str) -> SentMessage:
        raise ReplyError(self.why)

    def direct_message(self, post: Post, text: str) -> SentMessage:
        raise ReplyError(self.why)

    def describe(self) -> str:
        return f"no responder for {self.name!r}: {self.why}"


def source_settings(settings: Settings, name: str | None) -> SourceSettings | None:
    """The configured source called `name` (a post's `fetched_by`), or None if it is gone."""
    return next((source for source in settings.sources if source.name == name), None)


def build_responder(source: SourceSettings | None, *, dry_run: bool) -> Responder:
    """The responder for posts that `source` fetched (None: a source no longer configured).

    Building makes no request. Outside dry run, a platform responder reads its reply
    credentials here: a missing one raises `NotConfigured` naming the setting.
    """
    if source is None:
        if dry_run:
            return DryRunResponder(name="unconfigured")
        return NoReplyAPI(
            name="unconfigured",
            why="the source that fetched this post is no longer configured; reply on the "
            "platform itself",
        )
    if dry_run:
        return DryRunResponder(name=source.name)
    plugin = registered("source").get(source.type)
    responder = plugin.load_responder() if plugin is not None else None
    if responder is not None:
        built: Responder = responder.from_settings(source)
        return built
    return NoReplyAPI(
        name=source.name,
        why=f"{source.type} source {source.name!r} has no reply API; reply on the platform itself",
    )
