"""What every page's template is given: who is signed in, the CSRF token, their rights, and
the queue's settings and first-response clock."""

from __future__ import annotations

from typing import Any

from triage.web.auth import Ctx


def common(ctx: Ctx, **extra: Any) -> dict[str, Any]:
    queue = ctx.request.app.state.queue
    return {
        "user": ctx.user,
        "csrf": ctx.session.csrf_token,
        "can_work": ctx.user.can_work,
        "is_lead": ctx.user.is_lead,
        "sla": queue.sla,
        "settings": queue.settings,
        **extra,
    }
