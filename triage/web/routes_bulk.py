"""Bulk actions from a queue page: the ticked cards (or every card on the page) ignored,
escalated or assigned by one plain form, then back to the page, which says what was done,
what was skipped and why, and offers Undo for 10 s (`triage.queue.bulk`).

The card checkboxes belong to the page's one bulk form through their `form` attribute (a card
holds its own action forms, and forms do not nest), so it all works without JavaScript;
`static/bulk.js` only ticks every box with "Select all" and counts them. What the page shows
afterwards is read from the batch's audit entry (`?bulk=ID`, only for the person who did it),
never from text in the URL.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import Conflict, Forbidden, InputError
from triage.queue.bulk import MAX_POSTS, BulkActions
from triage.queue.models import WORKERS
from triage.web.auth import Ctx, requires, safe_next
from triage.web.i18n import N_
from triage.web.i18n import gettext as _
from triage.web.page import error_page
from triage.web.params import parse_id

#: A card's checkbox is named `post-ID`.
PICK = "post-"
#: Fixed notices the page shows for `?bulk=` (never text from the request).
NOTICES = {
    "none": N_("Tick the posts first, or Select all on this page."),
    "late": N_("Too late to undo: a bulk action can be undone for 10 seconds."),
}


def _actions(ctx: Ctx) -> BulkActions:
    return BulkActions(ctx.request.app.state.queue)


def picked(form: dict[str, str]) -> list[int]:
    """The ticked cards' post ids, and with "Select all" every post the page showed."""
    ids = [parse_id(k.removeprefix(PICK), "post") for k in form if k.startswith(PICK)]
    if form.get("all") == "1":
        shown = [p for p in form.get("page", "").split(",") if p.strip()]
        ids.extend(parse_id(p.strip(), "post") for p in shown[: MAX_POSTS + 1])
    return list(dict.fromkeys(ids))


def _back(form: dict[str, str]) -> str:
    target = safe_next(form.get("back") or "")
    return target if target.startswith("/queue") else "/queue/public_reply"


def _to(back: str, value: str) -> Response:
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}bulk={value}", status_code=303)


def _refused(ctx: Ctx, message: str, status: int) -> Response:
    return error_page(ctx, message, status)


@requires(*WORKERS)
def bulk(ctx: Ctx) -> Response:
    form = ctx.form
    back = _back(form)
    action = form.get("action", "")
    try:
        ids = picked(form)
        if not ids:
            return _to(back, "none")
        if action == "ignore":
            batch = _actions(ctx).ignore(ids, ctx.user, form.get("reason", ""))
        elif action == "escalate":
            batch = _actions(ctx).escalate(ids, ctx.user, form.get("reason", ""))
        elif action == "assign":
            batch = _actions(ctx).assign(ids, ctx.user, form.get("to", ""))
        else:
            raise InputError(f"bulk: no action {action[:20]!r} (ignore, escalate or assign)")
    except Forbidden as exc:
        return _refused(ctx, str(exc), 403)
    except InputError as exc:
        return _refused(ctx, str(exc), 400)
    return _to(back, str(batch.id))


@requires(*WORKERS)
def undo(ctx: Ctx) -> Response:
    back = _back(ctx.form)
    try:
        batch_id = parse_id(ctx.request.path_params["batch_id"], "batch")
        batch = _actions(ctx).undo(batch_id, ctx.user)
    except Conflict:
        return _to(back, "late")
    except Forbidden as exc:
        return _refused(ctx, str(exc), 403)
    except InputError as exc:
        return _refused(ctx, str(exc), 400)
    return _to(back, str(batch.id))


def bulk_context(ctx: Ctx) -> dict[str, Any]:
    """What a queue page needs for its bulk bar and for the outcome of the last batch."""
    request = ctx.request
    value = request.query_params.get("bulk", "")
    batch = None
    if value.isascii() and value.isdigit() and len(value) < 19:
        found = _actions(ctx).batch(int(value))
        batch = found if found is not None and found.by == ctx.user.name else None
    people: list[str] = []
    if ctx.user.is_lead:
        people = [u.name for u in request.app.state.users.all() if u.active and u.can_work]
    return {
        "bulk_batch": batch,
        "bulk_undo": batch is not None and batch.undoable(ctx.user),
        "bulk_notice": _(NOTICES[value]) if value in NOTICES else "",
        "bulk_people": people,
    }


routes = [
    Route("/queue/bulk", bulk, methods=["POST"]),
    Route("/queue/bulk/{batch_id:int}/undo", undo, methods=["POST"]),
]
