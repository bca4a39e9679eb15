"""Settings of a Reddit source, its replies and private messages.

Secrets are named by env var (`*_env`) or file (`*_file`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from config.base import _Source


class RedditSourceSettings(_Source):
    type: Literal["reddit"] = "reddit"
    reply_secrets: ClassVar[frozenset[str]] = frozenset({"password"})
    client_id_env: str = "TRIAGE_REDDIT_CLIENT_ID"
    client_id_file: Path | None = None
    client_secret_env: str = "TRIAGE_REDDIT_CLIENT_SECRET"
    client_secret_file: Path | None = None
    user_agent: str = "social-triage/0.1 (by u/your-brand)"
    subreddits: list[str] = Field(default_factory=list)
    #: Keyword searches, restricted to `subreddits` when any are given.
    queries: list[str] = Field(default_factory=list)
    submissions: bool = True
    comments: bool = True
    brand_usernames: list[str] = Field(default_factory=list)
    #: Read the comments that new replies answer (one /api/info request per stream poll).
    fetch_parents: bool = True
    #: How many recently seen fullnames the cursor remembers (Reddit has no since_id).
    seen_window: int = Field(default=500, gt=0)
    limit: int = Field(default=100, gt=0, le=100)
    base_url: str = "https://oauth.reddit.com"
    auth_url: str = "https://www.reddit.com"
    timeout_seconds: float = Field(default=20.0, gt=0)
    #: The brand's Reddit account that replies and sends messages (a "script" app's owner or
    #: developer); its posts are also marked as the brand's.
    username: str | None = None
    password_env: str = "TRIAGE_REDDIT_PASSWORD"
    password_file: Path | None = None
    #: Subject of the private messages agents send.
    message_subject: str = Field(default="About your post", min_length=1, max_length=100)
