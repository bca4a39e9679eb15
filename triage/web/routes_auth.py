"""`/healthz`, `/login`, `/logout`: the only pages that answer before a session exists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import InputError
from triage.queue.models import Role
from triage.queue.users import LoginResult
from triage.web.auth import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    Ctx,
    address,
    csrf_ok,
    new_login_csrf,
    request_locale,
    requires,
    safe_next,
    secure,
    set_session_cookie,
)
from triage.web.i18n import LOCALE_NAMES, for_user, ngettext, speaking
from triage.web.i18n import gettext as _
from triage.web.page import common
from triage.web.refusals import reword

#: Extra wait after a failed log-in, times the address's failures so far (up to
#: `MAX_DELAY_STEPS`): slows password guessing on top of the locks.
FAILED_LOGIN_DELAY = 0.5
MAX_DELAY_STEPS = 6


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def _login_page(
    request: Request, error: Callable[[], str] | None = None, status: int = 200
) -> Response:
    """The form, in the browser's language when it is one of ours (`request_locale`); `error`
    words the refusal in that language."""
    token = new_login_csrf()
    with speaking(request_locale(request, None)):
        response = request.app.state.render.page(
            "login.html",
            status_code=status,
            csrf=token,
            next=safe_next(request.query_params.get("next", "/")),
            error=error() if error else None,
        )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure(request)
    )
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        return _login_page(request)
    form = await request.form()
    name = str(form.get("name", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    if not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE, ""), str(form.get("csrf", ""))):
        return _login_page(request, lambda: _("The form expired; please try again."), 403)
    users = request.app.state.users
    result = await run_in_threadpool(users.authenticate, name, password, address(request))
    queue = request.app.state.queue
    if result.user is None:
        # Only a member's name is recorded: a stranger's guess (or a password typed into the
        # name box) never reaches the audit log or the Team page.
        known = await run_in_threadpool(users.get, name) if name else None
        await run_in_threadpool(queue.audit, known.name if known else "-", "login_failed")
        steps = min(max(result.address_failures, 1), MAX_DELAY_STEPS)
        await asyncio.sleep(FAILED_LOGIN_DELAY * steps)
        return _login_page(request, partial(_login_error, result), 401)
    hours = request.app.state.settings.web.session_hours
    token, _session = await run_in_threadpool(users.start_session, result.user, hours=hours)
    await run_in_threadpool(queue.audit, result.user, "login")
    target = safe_next(form.get("next"))
    if target == "/" and result.user.role is Role.MARKETING:
        target = "/dashboard"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token, int(hours * 3600))
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _login_error(result: LoginResult) -> str:
    """The one line for a refused log-in (`users.WRONG`, or the lock-out's wait)."""
    if not result.locked_minutes:
        return _("Wrong name or password.")
    return ngettext(
        "Too many failed logins: try again in %(num)d minute.",
        "Too many failed logins: try again in %(num)d minutes.",
        result.locked_minutes,
    ) % {"num": result.locked_minutes}


@requires(*Role)
def logout(ctx: Ctx) -> Response:
    ctx.request.app.state.users.end_session(ctx.request.cookies.get(COOKIE, ""))
    ctx.request.app.state.queue.audit(ctx.user, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@requires(*Role)
def account(ctx: Ctx) -> Response:
    """Change your own password: every other session of yours ends (a stolen one too); or
    your language (`op=locale`; empty: the deployment's)."""
    request = ctx.request
    people = request.app.state.users
    error = None
    status = 200
    if request.method == "POST" and ctx.form.get("op") == "locale":
        chosen = ctx.form.get("locale", "") or None
        try:
            people.set_locale(ctx.user.name, chosen)
        except InputError:
            error, status = _("Pick one of the languages listed."), 400
        else:
            request.app.state.queue.audit(ctx.user, "locale_change", locale=chosen)
            return RedirectResponse("/account?done=locale", status_code=303)
    elif request.method == "POST":
        form = ctx.form
        if not people.check_password(ctx.user.name, form.get("current", "")):
            error, status = _("Your current password is not right."), 400
        elif form.get("password", "") != form.get("again", ""):
            error, status = _("The two new passwords differ."), 400
        else:
            try:
                own = request.cookies.get(COOKIE, "")
                ended = people.set_password(
                    ctx.user.name, form.get("password", ""), keep_session=own
                )
            except InputError as exc:
                error, status = reword(str(exc)), 400
            else:
                request.app.state.queue.audit(ctx.user, "password_change", sessions_ended=ended)
                return RedirectResponse("/account?done=1", status_code=303)
    done = request.query_params.get("done", "")
    default = request.app.state.settings.locale
    return request.app.state.render.page(
        "account.html",
        status_code=status,
        **common(
            ctx,
            error=error,
            done=done,
            locales=LOCALE_NAMES,
            chosen=ctx.user.locale or "",
            default_name=LOCALE_NAMES[for_user(None, default)],
        ),
    )


routes = [
    Route("/healthz", healthz),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account", account, methods=["GET", "POST"]),
]
