"""Settings of an RSS or Atom feed source."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from config.base import _Source


class FeedSourceSettings(_Source):
    type: Literal["feed"] = "feed"
    #: RSS or Atom URLs; relative ones are joined to `base_url`.
    urls: list[str] = Field(min_length=1)
    base_url: str | None = None
    #: The `source` recorded on posts (their identity namespace); the source name when empty.
    platform: str | None = None
    brand_authors: list[str] = Field(default_factory=list)
    timeout_seconds: float = Field(default=20.0, gt=0)
