"""`/healthz`, `/login`, `/logout`: the only pages that answer before a session exists."""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import InputError
from triage.queue.models import Role
from triage.web.auth import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    Ctx,
    address,
    csrf_ok,
    new_login_csrf,
    requires,
    safe_next,
    secure,
    set_session_cookie,
)
from triage.web.page import common

#: Extra wait after a failed log-in, times the address's failures so far (up to
#: `MAX_DELAY_STEPS`): slows password guessing on top of the locks.
FAILED_LOGIN_DELAY = 0.5
MAX_DELAY_STEPS = 6


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = new_login_csrf()
    response = request.app.state.render.page(
        "login.html",
        status_code=status,
        csrf=token,
        next=safe_next(request.query_params.get("next", "/")),
        error=error,
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
        return _login_page(request, "The form expired; please try again.", 403)
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
        return _login_page(request, result.error, 401)
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


@requires(*Role)
def logout(ctx: Ctx) -> Response:
    ctx.request.app.state.users.end_session(ctx.request.cookies.get(COOKIE, ""))
    ctx.request.app.state.queue.audit(ctx.user, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@requires(*Role)
def account(ctx: Ctx) -> Response:
    """Change your own password: every other session of yours ends (a stolen one too)."""
    request = ctx.request
    people = request.app.state.users
    error = None
    status = 200
    if request.method == "POST":
        form = ctx.form
        if not people.check_password(ctx.user.name, form.get("current", "")):
            error, status = "Your current password is not right.", 400
        elif form.get("password", "") != form.get("again", ""):
            error, status = "The two new passwords differ.", 400
        else:
            try:
                own = request.cookies.get(COOKIE, "")
                ended = people.set_password(
                    ctx.user.name, form.get("password", ""), keep_session=own
                )
            except InputError as exc:
                error, status = str(exc), 400
            else:
                request.app.state.queue.audit(ctx.user, "password_change", sessions_ended=ended)
                return RedirectResponse("/account?done=1", status_code=303)
    done = request.query_params.get("done") == "1"
    return request.app.state.render.page(
        "account.html", status_code=status, **common(ctx, error=error, done=done)
    )


routes = [
    Route("/healthz", healthz),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account", account, methods=["GET", "POST"]),
]
