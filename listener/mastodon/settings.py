"""Settings of a Mastodon source, its replies and direct messages.

The access token is named by env var (`access_token_env`) or file (`access_token_file`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from config.base import _Source


class MastodonSourceSettings(_Source):
    type: Literal["mastodon"] = "mastodon"
    #: The brand account's instance, e.g. https://mastodon.social.
    instance_url: str = Field(pattern=r"^https?://[^/\s]+")
    #: A token of the brand account (scopes `read`, and `write:statuses` to answer).
    access_token_env: str = "TRIAGE_MASTODON_TOKEN"
    access_token_file: Path | None = None
    #: The brand account's handle (`acme` or `acme@mastodon.social`); its own posts are
    #: marked as the brand's.
    account: str | None = None
    #: Read the account's mention notifications.
    mentions: bool = True
    #: Hashtag timelines to follow, without the `#`.
    hashtags: list[str] = Field(default_factory=list)
    #: Status searches (the instance must offer full-text search).
    queries: list[str] = Field(default_factory=list)
    #: Statuses per request (Mastodon allows up to 40).
    limit: int = Field(default=40, gt=0, le=40)
    #: Stop reading once this few requests are left in the instance's rate-limit window.
    rate_limit_floor: int = Field(default=5, ge=0)
    timeout_seconds: float = Field(default=20.0, gt=0)
    #: Visibility of public replies: `public`, or `unlisted` to keep them off public timelines.
    reply_visibility: Literal["public", "unlisted"] = "public"
