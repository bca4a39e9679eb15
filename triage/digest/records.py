"""Records a digest or alert shows: posts as they may be quoted, and negative themes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classifiers.sensitive import redact
from triage.storage.digest_reads import PeriodPost

#: Longest quoted post, in characters.
QUOTE_CHARS = 280


@dataclass(frozen=True, kw_only=True, slots=True)
class QuotedPost:
    """A post as a digest or alert may show it: redacted text, author as a handle."""

    id: int
    source: str
    handle: str
    text: str
    created_at: datetime
    url: str | None
    sentiment: str | None
    engagement: int | None
    followers: int | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Theme:
    #: The cluster's most distinctive words (c-TF-IDF), best first.
    words: tuple[str, ...]
    size: int
    posts: tuple[QuotedPost, ...]


def quote(post: PeriodPost) -> QuotedPost:
    """The post with every sensitive value masked, shortened for a digest or alert."""
    text = redact(post.text)
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "\u2026"
    return QuotedPost(
        id=post.id,
        source=post.source,
        handle=post.handle,
        text=text,
        created_at=post.created_at,
        url=post.url,
        sentiment=post.sentiment,
        engagement=post.engagement,
        followers=post.followers,
    )
