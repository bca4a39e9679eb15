"""Pages for leads and admins: held cases, the audit log, users (the Team page is
`routes_team`, the marketing dashboard `routes_dashboard`)."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import InputError
from triage.queue.models import LEADS, Role
from triage.queue.service import Forbidden
from triage.web.auth import COOKIE, Ctx, requires, safe_next
from triage.web.page import common, error_page
from triage.web.params import parse_id
from triage.web.refusals import reword

ADMINS = (Role.ADMIN,)


@requires(*LEADS)
def audit(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    raw_before = q.get("before", "")
    try:
        before = parse_id(raw_before, "before") if raw_before else None
    except InputError as exc:
        return ctx.request.app.state.render.page(
            "error.html", status_code=400, **common(ctx, message=str(exc))
        )
    actor = q.get("actor", "")[:64]
    entries = ctx.request.app.state.queue.reads.audit(before=before, actor=actor, limit=100)
    return ctx.request.app.state.render.page(
        "audit.html", **common(ctx, entries=entries, actor=actor)
    )


@requires(*LEADS)
def release(ctx: Ctx) -> Response:
    queue = ctx.request.app.state.queue
    try:
        case_id = parse_id(ctx.request.path_params["case_id"], "case")
        queue.release_case(case_id, ctx.user)
    except (InputError, Forbidden) as exc:
        return error_page(ctx, str(exc), 400)
    target = safe_next(ctx.form.get("next") or "/queue/helpdesk")
    return RedirectResponse(target, status_code=303)


@requires(*ADMINS)
def users_page(ctx: Ctx) -> Response:
    people = ctx.request.app.state.users
    error = None
    status = 200
    if ctx.request.method == "POST":
        form = ctx.form
        try:
            if form.get("op") == "add":
                people.add(form.get("name", ""), form.get("role", ""), form.get("password", ""))
                ctx.request.app.state.queue.audit(
                    ctx.user, "user_add", name=form.get("name"), role=form.get("role")
                )
            elif form.get("op") in ("disable", "enable"):
                people.set_active(
                    form.get("name", ""), form.get("op") == "enable", by=ctx.user.name
                )
                ctx.request.app.state.queue.audit(
                    ctx.user, f"user_{form.get('op')}", name=form.get("name")
                )
            elif form.get("op") == "role":
                people.set_role(form.get("name", ""), form.get("role", ""), by=ctx.user.name)
                ctx.request.app.state.queue.audit(
                    ctx.user, "user_role", name=form.get("name"), role=form.get("role")
                )
            elif form.get("op") == "password":
                own = form.get("name") == ctx.user.name  # your own session stays
                ended = people.set_password(
                    form.get("name", ""),
                    form.get("password", ""),
                    keep_session=ctx.request.cookies.get(COOKIE, "") if own else "",
                )
                ctx.request.app.state.queue.audit(
                    ctx.user, "user_password_reset", name=form.get("name"), sessions_ended=ended
                )
            else:
                raise InputError("unknown operation")
            return RedirectResponse("/users", status_code=303)
        except InputError as exc:
            error, status = reword(str(exc)), 400
    return ctx.request.app.state.render.page(
        "users.html",
        status_code=status,
        **common(ctx, people=people.all(), roles=list(Role), error=error),
    )


routes = [
    Route("/audit", audit),
    Route("/cases/{case_id:int}/release", release, methods=["POST"]),
    Route("/users", users_page, methods=["GET", "POST"]),
]
