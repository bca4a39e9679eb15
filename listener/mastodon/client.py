"""The Mastodon.py client as the source and the responder use it, and its errors translated.

Mastodon.py would sleep until a rate-limit window resets (`ratelimit_method="wait"`); here it
throws instead, and the caller turns the instance's `x-ratelimit-*` headers (which the client
keeps as `ratelimit_remaining` / `ratelimit_reset`) into `RateLimit` and `RateLimited`, so no
worker sleeps. The instance is taken to be Mastodon 4.3 or later instead of asking it
(`GET /api/v2/instance`): building the client sends no request, and the features used here
(`min_id` search paging, `GET /api/v1/statuses?id[]=`) are 4.3's; on an older instance the
parents of replies are simply not read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from kernel.errors import (
    AuthError,
    MalformedPayload,
    Permanent,
    RateLimited,
    SourceError,
    TransientError,
)
from kernel.models import RateLimit

#: When a 429 says nothing about when to come back (Mastodon's windows are five minutes).
DEFAULT_RETRY_AFTER = timedelta(minutes=5)
ASSUMED_VERSION = "4.3.0"


def build_client(*, instance_url: str, access_token: str, timeout: float) -> Mastodon:
    session = requests.Session()
    return Mastodon(
        access_token=access_token,
        api_base_url=instance_url.rstrip("/"),
        ratelimit_method="throw",
        request_timeout=timeout,
        mastodon_version=ASSUMED_VERSION,
        version_check_mode="created",
        session=session,
        user_agent="social-triage",
    )


def rate_limit(client: Mastodon) -> RateLimit | None:
    """What the last response's `x-ratelimit-*` headers said, if it said anything."""
    remaining = client.ratelimit_remaining
    reset = client.ratelimit_reset
    if not isinstance(remaining, int) or reset is None:
        return None
    limit = client.ratelimit_limit if isinstance(client.ratelimit_limit, int) else None
    return RateLimit(
        limit=limit, remaining=remaining, reset_at=datetime.fromtimestamp(float(reset), UTC)
    )


def status_of(exc: MastodonError) -> int | None:
    """The HTTP status Mastodon.py put in its error's arguments, if any."""
    for arg in exc.args[1:2]:
        if isinstance(arg, int):
            return arg
    return None


def detail(exc: MastodonError) -> str:
    """The instance's own `error` text (Mastodon.py's last argument), one line."""
    text = next((a for a in reversed(exc.args) if isinstance(a, str) and a), type(exc).__name__)
    return text.splitlines()[0][:200]


def translate(exc: MastodonError, *, where: str, client: Mastodon) -> SourceError:
    """Our error for whatever Mastodon.py raised; one line, never the token."""
    if isinstance(exc, MastodonRatelimitError):
        limit = rate_limit(client)
        reset_at = limit.reset_at if limit is not None and limit.reset_at else None
        reset_at = reset_at or datetime.now(UTC) + DEFAULT_RETRY_AFTER
        return RateLimited(
            f"{where}: rate limited (429) until {reset_at:%Y-%m-%dT%H:%M:%SZ}", reset_at=reset_at
        )
    status = status_of(exc)
    if isinstance(exc, MastodonUnauthorizedError) or status in (401, 403):
        return AuthError(
            f"{where}: {status or 401} {detail(exc)}; the access token is invalid, revoked or "
            "lacks the read scope"
        )
    if isinstance(exc, MastodonNetworkError):
        return TransientError(f"{where}: network error ({detail(exc)[:120]})")
    if isinstance(exc, MastodonServerError):
        return TransientError(f"{where}: server error {status}")
    if isinstance(exc, MastodonNotFoundError):
        return Permanent(f"{where}: not found (404); is this a Mastodon instance?")
    if isinstance(exc, MastodonAPIError) and status is None:
        return MalformedPayload(f"{where}: the response is not JSON")
    return Permanent(f"{where}: unexpected {status or ''} {detail(exc)}".replace("  ", " "))


def plain(value: Any) -> Any:
    """A Mastodon.py entity as plain JSON values (its datetimes as ISO strings)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
