"""The atproto client as the Bluesky source and responder use it, and its errors translated.

The account logs in once with its app password (`com.atproto.server.createSession`, which
Bluesky limits to 30 per five minutes per account), and atproto refreshes the session's tokens
itself; a session the service no longer accepts (`ExpiredToken`, `InvalidToken`) is replaced by
one new login. An httpx response hook keeps the last `ratelimit-limit`, `-remaining` and
`-reset` (epoch seconds) headers, so the source can stop before the window runs out; a 429
becomes `RateLimited` at the window's reset. No worker sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
from atproto import Client
from atproto_client.exceptions import (
    BadRequestError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.utils import get_model_as_dict
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError

from kernel.errors import (
    AuthError,
    MalformedPayload,
    Permanent,
    RateLimited,
    SourceError,
    TransientError,
)
from kernel.models import RateLimit

T = TypeVar("T")

#: When a 429 names no reset (Bluesky's windows are five minutes).
DEFAULT_RETRY_AFTER = timedelta(minutes=5)
#: XRPC errors that mean "log in again".
SESSION_GONE = frozenset({"ExpiredToken", "InvalidToken"})


class RateMonitor:
    """An httpx response hook: what the last response's rate-limit headers said."""

    def __init__(self) -> None:
        self.rate: RateLimit | None = None
        self._lock = threading.Lock()

    def __call__(self, response: httpx.Response) -> None:
        found = parse_rate_limit(response.headers)
        if found is not None:
            with self._lock:
                self.rate = found


def parse_rate_limit(headers: Any) -> RateLimit | None:
    try:
        remaining = int(headers["ratelimit-remaining"])
        reset = datetime.fromtimestamp(int(headers["ratelimit-reset"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    try:
        limit: int | None = int(headers.get("ratelimit-limit"))
    except (TypeError, ValueError):
        limit = None
    return RateLimit(limit=limit, remaining=remaining, reset_at=reset)


class Session:
    """One logged-in atproto client for an account; `call` runs a request, logging in first
    (or again, once, when the service dropped the session)."""

    def __init__(self, *, service_url: str, handle: str, app_password: str, timeout: float) -> None:
        self.service_url = service_url.rstrip("/")
        self.handle = handle.lstrip("@")
        self._password = app_password
        self.monitor = RateMonitor()
        request = Request(timeout=timeout, event_hooks={"response": [self.monitor]})
        self.client = Client(base_url=self.service_url, request=request)
        self.client.on_session_change(self._session_changed)
        #: The account's DID, known after the first login.
        self.did: str | None = None

    def _session_changed(self, event: Any, session: Any) -> None:
        self.did = getattr(session, "did", None) or self.did

    def login(self) -> None:
        """A new session (`createSession`); no profile request: the DID is all we need."""
        self.client.login(self.handle, self._password, fetch_bsky_profile=False)

    def call(self, request: Callable[[Client], T]) -> T:
        if self.did is None:
            self.login()
        try:
            return request(self.client)
        except BadRequestError as exc:
            if xrpc_error(exc) not in SESSION_GONE:
                raise
        self.login()
        return request(self.client)

    def close(self) -> None:
        self.client.request.close()


def xrpc_error(exc: RequestErrorBase) -> str | None:
    """The XRPC error name (`ExpiredToken`, `InvalidRequest`, ...) of a refused request."""
    return _answered(exc, "error")


def xrpc_detail(exc: RequestErrorBase) -> str:
    """What the service said of a refused request, `Error: message`; empty if nothing."""
    return ": ".join(p for p in (xrpc_error(exc), _answered(exc, "message")) if p)


def _answered(exc: RequestErrorBase, field: str) -> str | None:
    """A field of the XRPC error body (a model, or a dict when atproto did not parse it)."""
    content = exc.response.content if exc.response is not None else None
    value = getattr(content, field, None)
    if value is None and isinstance(content, dict):
        value = content.get(field)
    return str(value) if value else None


def _message(exc: RequestErrorBase) -> str:
    text = xrpc_detail(exc)
    return text.splitlines()[0][:200] if text else "no detail"


def translate(exc: Exception, *, where: str, login: bool = False) -> SourceError:
    """Our error for whatever atproto raised; one line, never the app password or a token."""
    if isinstance(exc, RateLimitExceededError):
        reset_at = exc.reset_at
        if reset_at is None and exc.retry_after is not None:
            reset_at = datetime.now(UTC) + timedelta(seconds=exc.retry_after)
        reset_at = reset_at or datetime.now(UTC) + DEFAULT_RETRY_AFTER
        return RateLimited(
            f"{where}: rate limited (429) until {reset_at:%Y-%m-%dT%H:%M:%SZ}", reset_at=reset_at
        )
    if isinstance(exc, UnauthorizedError) or (
        isinstance(exc, BadRequestError) and xrpc_error(exc) in SESSION_GONE
    ):
        status = exc.response.status_code if exc.response is not None else 401
        what = (
            "the handle or app password was refused"
            if login
            else "the session was refused; check the app password"
        )
        return AuthError(f"{where}: {status} {_message(exc)}; {what}")
    if isinstance(exc, NetworkError) and exc.response is None:
        return TransientError(f"{where}: network error ({type(exc.__cause__ or exc).__name__})")
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        status = exc.response.status_code
        if status >= 500 or isinstance(exc, NetworkError):
            return TransientError(f"{where}: server error {status}")
        if isinstance(exc, BadRequestError | RequestException):
            return Permanent(f"{where}: refused ({status} {_message(exc)})")
    if isinstance(exc, ModelError | ValueError):
        return MalformedPayload(f"{where}: the response does not have the documented shape")
    if isinstance(exc, AtProtocolError):
        return Permanent(f"{where}: {type(exc).__name__}")
    return SourceError(f"{where}: {type(exc).__name__}")


#: What `translate` handles: atproto's errors, and a body that is not JSON (a `ValueError`
#: from the JSON parser, raised before atproto looks at the response).
CLIENT_ERRORS: tuple[type[Exception], ...] = (AtProtocolError, ValueError)


def as_dict(model: Any) -> dict[str, Any]:
    """An atproto model (or a record it left as a plain dict) as its JSON dict."""
    if isinstance(model, dict):
        return model
    return get_model_as_dict(model)
