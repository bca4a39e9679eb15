"""The Team page for leads: who holds what now, and each person's first-response time, handle
time and answers per day over a chosen period (`triage.queue.figures`)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from kernel.errors import InputError
from triage.queue.figures import PERIODS, answers_by_day, figures_with_total, period
from triage.queue.models import LEADS
from triage.web.auth import Ctx, requires
from triage.web.page import common

#: Periods up to this many days also show answers per person and day.
DAILY_DAYS = 31


@requires(*LEADS)
def team(ctx: Ctx) -> Response:
    app = ctx.request.app
    queue = app.state.queue
    q = ctx.request.query_params
    kind = q.get("period", "7d") or "7d"
    try:
        chosen = period(
            kind, queue.settings.sla.timezone, start=q.get("start", ""), end=q.get("end", "")
        )
    except InputError as exc:
        return app.state.render.page("error.html", status_code=400, **common(ctx, message=str(exc)))
    members = set(app.state.users.active_names())
    people = [p for p in queue.reads.work_by_person() if p["name"] in members]
    figures, whole = figures_with_total(
        queue.engine, queue.clock, chosen.start, chosen.end, days=chosen.days
    )
    daily = None
    if chosen.days <= DAILY_DAYS:
        daily = answers_by_day(queue.engine, queue.settings.sla.timezone, chosen)
    return app.state.render.page(
        "team.html",
        **common(
            ctx,
            people=people,
            figures=figures,
            whole=whole,
            daily=daily,
            period=chosen,
            kind=kind,
            periods=[p for p in PERIODS if p != "custom"],
            targets=queue.clock.targets,
        ),
    )


routes = [Route("/team", team)]
