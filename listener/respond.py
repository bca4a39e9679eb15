"""Build the responder that answers posts fetched by one configured source.

Every responder is dry-run until `replies.dry_run: false`: the reply is stored and shown as a
dry run and nothing reaches the platform. Platform responders (X through tweepy, Reddit
through praw) live beside their sources and are imported only when used.
"""

from __future__ import annotations

from config.sources import SourceSettings
from triage.abc import Responder
from triage.errors import ReplyError
from triage.models import Post, SentMessage


class DryRunResponder(Responder):
    """Records what would have been sent; used in dry run and for sources with no reply API."""

    type = "dry_run"

    def __init__(self, *, name: str) -> None:
        super().__init__(name=name, dry_run=True)

    def reply(self, post: Post, text: str) -> SentMessage:
        return SentMessage(channel="reply", text=text, dry_run=True)

    def direct_message(self, post: Post, text: str) -> SentMessage:
        return SentMessage(channel="dm", text=text, dry_run=True)


def build_responder(source: SourceSettings | None, *, dry_run: bool) -> Responder:
    """The responder for posts that `source` fetched (None: a source no longer configured)."""
    if source is None:
        return DryRunResponder(name="unconfigured")
    if dry_run:
        return DryRunResponder(name=source.name)
    raise ReplyError(f"replying is not supported for {source.type} source {source.name!r}")
