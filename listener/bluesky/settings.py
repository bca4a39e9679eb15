"""Settings of a Bluesky source and its replies.

The account logs in with an app password (Settings > Privacy and security > App passwords on
bsky.app), named by env var (`app_password_env`) or file (`app_password_file`), never the
account's own password.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from config.base import _Source


class BlueskySourceSettings(_Source):
    type: Literal["bluesky"] = "bluesky"
    #: The account's PDS, or the entryway that finds it (https://bsky.social).
    service_url: str = Field(default="https://bsky.social", pattern=r"^https?://[^/\s]+")
    #: The brand account's handle, e.g. `acme.bsky.social`; its own posts are the brand's.
    handle: str = Field(min_length=3, pattern=r"^@?[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]+$|^did:")
    app_password_env: str = "TRIAGE_BLUESKY_APP_PASSWORD"
    app_password_file: Path | None = None
    #: Read the account's notifications of mentions, replies and quotes.
    mentions: bool = True
    #: Post searches (`app.bsky.feed.searchPosts` syntax: words, "phrases", from:, lang:, #tag).
    queries: list[str] = Field(default_factory=list)
    #: Items per request (Bluesky allows up to 100).
    limit: int = Field(default=50, gt=0, le=100)
    #: Read the parent and root of replies (one `getPosts` request per page).
    fetch_thread: bool = True
    #: Stop reading once this few requests are left in the service's rate-limit window.
    rate_limit_floor: int = Field(default=5, ge=0)
    timeout_seconds: float = Field(default=20.0, gt=0)
