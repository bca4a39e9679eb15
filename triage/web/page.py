"""What every page's template is given: who is signed in, the CSRF token, their rights, and
the queue's settings and first-response clock; and the error page, drawn the same way."""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from triage.queue.service import QueueService
from triage.web import phrases
from triage.web.auth import Ctx
from triage.web.refusals import reword


def queue_service(request: Request) -> QueueService:
    """The app's one `QueueService` (`app.state` is untyped)."""
    return request.app.state.queue


def common(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    queue = ctx.request.app.state.queue
    return {
        "user": ctx.user,
        "csrf": ctx.session.csrf_token,
        "can_work": ctx.user.can_work,
        "is_lead": ctx.user.is_lead,
        "sla": partial(phrases.badge, queue),
        "settings": queue.settings,
        **extra,
    }


def error_page(ctx: Ctx, message: str, status: int) -> Response:
    """The error page; a refusal the web knows is worded in the reader's language."""
    return ctx.request.app.state.render.page(
        "error.html", status_code=status, **common(ctx, message=reword(message))
    )
