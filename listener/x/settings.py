"""Settings of an X source, its replies and DMs.

Secrets are named by env var (`*_env`) or file (`*_file`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from config.base import _Source


class XSourceSettings(_Source):
    type: Literal["x"] = "x"
    reply_secrets: ClassVar[frozenset[str]] = frozenset(
        {
            "consumer_key",
            "consumer_secret",
            "access_token",
            "access_token_secret",
            "user_access_token",
        }
    )
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
