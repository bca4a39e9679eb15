"""The item page (`/items/{id}`) and the actions on one item, from its forms or a queue
page's cards; all go through `triage.queue.QueueService`."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import ConfigError, Conflict, InputError, ReplyError
from triage.queue.customer import customer
from triage.queue.invitation import invitation_for
from triage.queue.models import CORRECTABLE, LEADS, READERS, WORKERS, View
from triage.queue.service import Forbidden
from triage.web.auth import Ctx, requires, safe_next
from triage.web.i18n import N_
from triage.web.i18n import gettext as _
from triage.web.page import common, error_page, queue_service
from triage.web.params import parse_filters, parse_id
from triage.web.phrases import presence
from triage.web.refusals import reword
from triage.web.routes_saved_replies import picker_context

#: Where "back" may return to: a queue view or selection, or a search (`routes_search`).
BACK_TO = ("/queue", "/search")
#: Actions a person may take back for `UNDO_SECONDS` (the card offers Undo).
UNDOABLE = ("ignore", "escalate")
#: Messages shown after an action: fixed texts, never anything from the request.
DONE = {
    "claim": N_("Claimed."),
    "unclaim": N_("Claim released."),
    "reply": N_("Reply stored."),
    "dm": N_("DM stored."),
    "dm_invite": N_("Invitation to DM stored."),
    "escalate": N_("Escalated to the helpdesk."),
    "ignore": N_("Ignored."),
    "reopen": N_("Reopened."),
    "undo": N_("Undone: the post is open again."),
    "note": N_("Note added."),
    "correct": N_("Correction saved; the item was re-decided."),
    "reassign": N_("Reassigned."),
}


def done_text(action: str) -> str:
    """The line shown after `action`, in the reader's language ("" for none)."""
    return _(DONE[action]) if action in DONE else ""


def _item_context(ctx: Ctx, detail: Any) -> dict[str, Any]:
    """What the item page shows besides the item: people to reassign to and, for those who
    can answer, the suggested replies and help articles (computed here, never per list row)."""
    request = ctx.request
    users = request.app.state.users.active_names() if ctx.user.is_lead else []
    suggested = request.app.state.suggest.for_item(detail.item) if ctx.user.can_work else None
    prefill = {"reply": "", "dm": ""}
    use = request.query_params.get("use", "")
    chosen_index = int(use) if use.isascii() and use.isdigit() else None
    if (
        suggested is not None
        and chosen_index is not None
        and chosen_index < len(suggested.found.replies)
    ):
        chosen = suggested.found.replies[chosen_index]
        prefill[chosen.channel] = chosen.text
    picked = picker_context(ctx, detail.item, suggested)
    if picked["saved_prefill"]:
        channel, text = picked["saved_prefill"]
        prefill[channel] = text
    queue = queue_service(request)
    return {
        **picked,
        "detail": detail,
        "item": detail.item,
        "people": users,
        "fields": CORRECTABLE,
        "dm_invite": invitation_for(detail.item),
        "suggested": suggested,
        "prefill": prefill,
        "back": back_to(request, ctx.form, detail.item),
        "token": secrets.token_urlsafe(16),
        "present": presence(queue, [detail.item.post_id], ctx.user).get(detail.item.post_id, ""),
        "taken": taken_from(detail, ctx.user.name),
        "has_case": detail.case is not None,
        "customer": customer(queue.reads, detail.item),
        "answered": detail.item.status.value != "open" or bool(detail.replies),
    }


def back_to(request: Request, form: dict[str, str], item: Any) -> str:
    """Where "back" goes: the queue view and filters the agent came from (`back`), else the
    item's own view."""
    given = form.get("back") or request.query_params.get("back", "")
    target = safe_next(given) if given else ""
    if target.startswith(BACK_TO):
        return target
    return "/queue/" + (item.decision.route.value if item.status.value == "open" else "answered")


def taken_from(detail: Any, me: str) -> str:
    """`lia took this post over from you at 14:05 UTC`, when someone did and still holds it."""
    claim = detail.item.claim
    if claim is None or claim.by == me:
        return ""
    for entry in reversed(detail.history):
        if entry.action != "take_over":
            continue
        try:
            data = json.loads(entry.detail or "{}")
        except ValueError:
            continue
        if data.get("of") == me and entry.actor == claim.by:
            return _("%(who)s took this post over from you at %(time)s UTC") % {
                "who": entry.actor,
                "time": f"{entry.at:%H:%M}",
            }
    return ""


@requires(*READERS)
def item_page(ctx: Ctx) -> Response:
    queue = queue_service(ctx.request)
    try:
        detail = queue.detail(parse_id(ctx.request.path_params["post_id"], "post"))
    except InputError as exc:
        return error_page(ctx, str(exc), 404)
    queue.see(detail.item.post_id, ctx.user, "viewing")
    done = done_text(ctx.request.query_params.get("done", "")) or None
    return ctx.request.app.state.render.page(
        "item.html",
        **common(
            ctx,
            done=done,
            error=None,
            undo=ctx.request.query_params.get("done") in UNDOABLE,
            **_item_context(ctx, detail),
        ),
    )


def _do(ctx: Ctx, action: str, post_id: int) -> None:
    """Run one action through the service (which checks the item's state in one
    transaction); the overrides are explicit form fields, never implied."""
    queue = queue_service(ctx.request)
    form = ctx.form
    user = ctx.user
    take_over = form.get("take_over") == "1"
    again = form.get("again") == "1"
    token = form.get("token") or None
    if action == "claim":
        queue.claim(post_id, user, take_over=take_over)
    elif action == "unclaim":
        queue.unclaim(post_id, user)
    elif action in ("reply", "dm"):
        queue.respond(
            post_id,
            user,
            form.get("text", ""),
            channel=action,
            take_over=take_over,
            again=again,
            token=token,
        )
    elif action == "dm_invite":
        queue.respond(
            post_id,
            user,
            form.get("text") or invitation_for(queue.item(post_id)),
            channel="reply",
            take_over=take_over,
            again=again,
            token=token,
        )
    elif action == "escalate":
        queue.escalate(post_id, user, form.get("reason", ""))
    elif action == "ignore":
        queue.ignore(post_id, user, form.get("reason", ""))
    elif action == "reopen":
        queue.reopen(post_id, user)
    elif action == "undo":
        queue.undo(post_id, user)
    elif action == "note":
        queue.note(post_id, user, form.get("text", ""))
    elif action == "correct":
        queue.correct(post_id, user, form.get("field", ""), form.get("value", ""))
    elif action == "reassign":
        queue.reassign(post_id, user, form.get("to", ""))
    else:
        raise LookupError(action)


def _next_item(ctx: Ctx, back: str, done_id: int) -> int | None:
    """Send-and-next: the next open item of the view `back` names, claimed for the caller at
    once (so two agents working down one view never land on the same post); items others
    hold or have open (presence), or win in between, are skipped."""
    parts = urlsplit(back)
    try:
        view = View(parts.path.removeprefix("/queue/"))
    except ValueError:
        return None
    filters = parse_filters(dict(parse_qsl(parts.query)))
    queue = queue_service(ctx.request)
    items = queue.page(view, filters, limit=20).items
    elsewhere = queue.presence([i.post_id for i in items], ctx.user)
    for item in items:
        if item.post_id == done_id or item.status.value != "open" or item.post_id in elsewhere:
            continue
        if item.claim and item.claim.by != ctx.user.name:
            continue
        try:
            queue.claim(item.post_id, ctx.user)
        except (Forbidden, InputError):
            continue
        return item.post_id
    return None


def _act(ctx: Ctx, action: str) -> Response:
    request = ctx.request
    queue = queue_service(request)
    try:
        post_id = parse_id(request.path_params["post_id"], "post")
    except InputError as exc:
        return error_page(ctx, str(exc), 404)
    form = ctx.form
    status = 200
    error: str | None = None
    try:
        _do(ctx, action, post_id)
    except LookupError:
        return error_page(ctx, _("no action %(action)r") % {"action": action}, 404)
    except Conflict as exc:
        error, status = str(exc), 409
    except Forbidden as exc:
        error, status = str(exc), 403
    except ReplyError as exc:
        error, status = str(exc).splitlines()[0], 502
    except InputError as exc:
        error, status = str(exc), 400
    except ConfigError as exc:  # a reply credential missing outside dry run: one line
        error, status = str(exc).splitlines()[0], 400
    error = reword(error) if error else None
    if ctx.htmx:
        try:
            item = queue.item(post_id)
        except InputError as exc:
            return error_page(ctx, str(exc), 404)
        return request.app.state.render.page(
            "_card_response.html",
            status_code=200 if error is None else status,
            **common(
                ctx,
                item=item,
                error=error,
                done=None if error else done_text(action) or None,
                undo=error is None and action in UNDOABLE,
                back=safe_next(form.get("back") or "") if form.get("back") else "",
                present=presence(queue, [post_id], ctx.user),
            ),
        )
    if error is None:
        back = safe_next(form.get("back") or "")
        back = back if back.startswith(BACK_TO) else ""
        if form.get("then") == "next" and back:
            following = _next_item(ctx, back, post_id)
            target = f"/items/{following}?back={quote(back)}" if following else back
        else:
            target = safe_next(form.get("next") or f"/items/{post_id}")
            if back and target.startswith("/items/"):
                target += ("&" if "?" in target else "?") + f"back={quote(back)}"
        sep = "&" if "?" in target else "?"
        undo = f"&post={post_id}" if action in UNDOABLE else ""
        return RedirectResponse(f"{target}{sep}done={action}{undo}", status_code=303)
    try:
        detail = queue.detail(post_id)
    except InputError as exc:
        return error_page(ctx, str(exc), 404)
    context = _item_context(ctx, detail)
    if action in ("reply", "dm"):  # what was typed is kept for a second try
        context["prefill"] = {**context["prefill"], action: form.get("text", "")}
    return request.app.state.render.page(
        "item.html",
        status_code=status,
        **common(ctx, done=None, error=error, **context),
    )


@requires(*WORKERS)
def act(ctx: Ctx) -> Response:
    return _act(ctx, ctx.request.path_params["action"])


@requires(*LEADS)
def reassign(ctx: Ctx) -> Response:
    return _act(ctx, "reassign")


routes = [
    Route("/items/{post_id:int}", item_page),
    Route("/items/{post_id:int}/reassign", reassign, methods=["POST"]),
    Route("/items/{post_id:int}/{action}", act, methods=["POST"]),
]
