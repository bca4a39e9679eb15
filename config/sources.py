"""Settings of each source type. Secrets are named by env var (`*_env`) or file (`*_file`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field


class _Source(BaseModel):
    """What every source's settings have; a source type adds its own (see triage/plugins.py)."""

    model_config = ConfigDict(extra="forbid")

    type: str

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    enabled: bool = True
    interval_seconds: int = Field(default=60, gt=0)
    #: Random delay added to each run so replicas and sources do not poll in lockstep.
    jitter_seconds: int = Field(default=5, ge=0)
    #: Most pages one poll reads; the rest is read on the next poll, nothing is skipped.
    max_pages: int = Field(default=10, gt=0)


class ReplaySourceSettings(_Source):
    type: Literal["replay"] = "replay"
    #: JSON lines file of posts; the bundled sample when empty.
    path: Path | None = None


class XSourceSettings(_Source):
    type: Literal["x"] = "x"
    bearer_token_env: str = "TRIAGE_X_BEARER_TOKEN"
    bearer_token_file: Path | None = None
    #: The brand account: its mentions are read, and its own posts are marked as the brand's.
    brand_user_id: str | None = None
    brand_username: str | None = None
    mentions: bool = True
    #: Recent-search queries (X query syntax), e.g. `"acme" -is:retweet lang:en`.
    queries: list[str] = Field(default_factory=list)
    include_retweets: bool = False
    max_results: int = Field(default=100, ge=5, le=100)
    base_url: str = "https://api.twitter.com"
    timeout_seconds: float = Field(default=20.0, gt=0)
    #: Posts X may return to this source per billing period (X bills reads); none: no limit.
    monthly_read_budget: int | None = Field(default=None, gt=0)
    #: The day of the month X's cap resets (the project's `cap_reset_day`).
    budget_reset_day: int = Field(default=1, ge=1, le=28)
    #: Replies and DMs post as the brand account, which needs user context: `oauth1` (the
    #: app's consumer key/secret and the account's access token/secret, which do not expire)
    #: or `oauth2` (a user access token, which expires after two hours).
    reply_auth: Literal["oauth1", "oauth2"] = "oauth1"
    consumer_key_env: str = "TRIAGE_X_CONSUMER_KEY"
    consumer_key_file: Path | None = None
    consumer_secret_env: str = "TRIAGE_X_CONSUMER_SECRET"
    consumer_secret_file: Path | None = None
    access_token_env: str = "TRIAGE_X_ACCESS_TOKEN"
    access_token_file: Path | None = None
    access_token_secret_env: str = "TRIAGE_X_ACCESS_TOKEN_SECRET"
    access_token_secret_file: Path | None = None
    user_access_token_env: str = "TRIAGE_X_USER_ACCESS_TOKEN"
    user_access_token_file: Path | None = None


class RedditSourceSettings(_Source):
    type: Literal["reddit"] = "reddit"
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


class FeedSourceSettings(_Source):
    type: Literal["feed"] = "feed"
    #: RSS or Atom URLs; relative ones are joined to `base_url`.
    urls: list[str] = Field(min_length=1)
    base_url: str | None = None
    #: The `source` recorded on posts (their identity namespace); the source name when empty.
    platform: str | None = None
    brand_authors: list[str] = Field(default_factory=list)
    timeout_seconds: float = Field(default=20.0, gt=0)


from kernel.plugins import settings_models  # noqa: E402 - the models above are registered

if TYPE_CHECKING:
    SourceSettings: TypeAlias = _Source
else:  # every registered source type's settings (triage/plugins.py), told apart by `type`
    SourceSettings = Annotated[
        Union[settings_models("source")],  # noqa: UP007 - built from the registry
        Field(discriminator="type"),
    ]
