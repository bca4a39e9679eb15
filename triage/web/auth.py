"""Log-in, sessions and CSRF, and the `requires` guard every page and action goes through.

The session cookie holds a random token (its sha256 is the `web_sessions` row); it is
HttpOnly, SameSite=Lax, Secure when the request came over https (or `web.secure_cookies`), and
expires with the row. Every state-changing request carries the session's CSRF token (a hidden
form field, or the `X-CSRF-Token` header HTMX sends); the log-in form, before any session,
uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from triage.queue.models import Role, User
from triage.queue.users import Session
from triage.web.i18n import for_user, from_accept_language, speaking
from triage.web.i18n import gettext as _
from triage.web.security import client_address, is_https

COOKIE = "st_session"
LOGIN_CSRF_COOKIE = "st_login_csrf"
SAFE_METHODS = {"GET", "HEAD"}


@dataclass
class Ctx:
    """What a page handler gets: the request, the signed-in person and the submitted form."""

    request: Request
    session: Session
    form: dict[str, str] = field(default_factory=dict)
    #: Files a multipart form carried (Starlette's `UploadFile`), by field name.
    files: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> User:
        return self.session.user

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"


Handler = Callable[[Ctx], Response]


def request_locale(request: Request, session: Session | None) -> str:
    """The person's own language, else the deployment's; with nobody signed in, the browser's
    when it is one of ours."""
    default = request.app.state.settings.locale
    if session is not None:
        return for_user(session.user.locale, default)
    return from_accept_language(request.headers.get("accept-language", ""), default)


def _in_language(locale: str, handler: Handler, ctx: Ctx) -> Response:
    with speaking(locale):
        return handler(ctx)


def wants_html(request: Request) -> bool:
    if request.headers.get("hx-request") == "true":
        return False
    return "text/html" in request.headers.get("accept", "")


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def requires(*roles: Role) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Guard a handler: a live session with one of `roles`, and CSRF on unsafe methods.

    Anonymous: a redirect to the log-in page for a browser asking for HTML, else 401. A
    signed-in person without the role: 403. The handler runs in the thread pool (the store
    is synchronous).
    """
    allowed = frozenset(roles)

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            users = request.app.state.users
            token = request.cookies.get(COOKIE, "")
            session = await run_in_threadpool(users.session, token) if token else None
            locale = request_locale(request, session)
            if session is None:
                if wants_html(request) and request.method in SAFE_METHODS:
                    target = request.url.path
                    if request.url.query:
                        target += "?" + request.url.query
                    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
                with speaking(locale):
                    return PlainTextResponse(_("log in first"), status_code=401)
            if session.user.role not in allowed:
                with speaking(locale):
                    message = _("forbidden: %(role)s cannot open this page") % {
                        "role": session.user.role
                    }
                return PlainTextResponse(message, status_code=403)
            form: dict[str, str] = {}
            files: dict[str, Any] = {}
            if request.method not in SAFE_METHODS:
                raw = await request.form()
                form = {k: v for k, v in raw.items() if isinstance(v, str)}
                files = {k: v for k, v in raw.items() if not isinstance(v, str)}
                given = request.headers.get("x-csrf-token") or form.get("csrf")
                if not csrf_ok(session.csrf_token, given):
                    with speaking(locale):
                        message = _("CSRF token missing or wrong")
                    return PlainTextResponse(message, status_code=403)
            return await run_in_threadpool(
                _in_language, locale, handler, Ctx(request, session, form, files)
            )

        endpoint.roles = allowed  # type: ignore[attr-defined]
        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap


def secure(request: Request) -> bool:
    web = request.app.state.settings.web
    if web.secure_cookies is not None:
        return bool(web.secure_cookies)
    return is_https(request.scope, web.trusted_proxies)


def address(request: Request) -> str:
    """The client's address for the log-in throttle (`web.trusted_proxies` decides whether
    `X-Forwarded-For` is believed)."""
    return client_address(request.scope, request.app.state.settings.web.trusted_proxies)


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def safe_next(target: Any) -> str:
    """Only a local path: never an open redirect to another site."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and all(ord(c) >= 32 for c in target)
    ):
        return target
    return "/"
