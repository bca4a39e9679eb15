"""The queue pages and the actions on one item; all go through `triage.queue.QueueService`."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import ConfigError, Conflict, InputError, ReplyError
from triage.queue.customer import customer
from triage.queue.due import DUE_VIEWS
from triage.queue.models import CORRECTABLE, LEADS, READERS, WORKERS, Filters, View
from triage.queue.service import DM_INVITE, Forbidden, QueueService
from triage.web.auth import Ctx, requires, safe_next
from triage.web.page import common
from triage.web.params import parse_id
from triage.web.routes_bulk import bulk_context

FILTER_KEYS = ("source", "query", "route", "sentiment", "intent", "language", "sensitive", "age")
#: Where "back" may return to: a queue view or selection, or a search (`routes_search`).
BACK_TO = ("/queue", "/search")
#: Actions a person may take back for `UNDO_SECONDS` (the card offers Undo).
UNDOABLE = ("ignore", "escalate")
#: Messages shown after an action: fixed texts, never anything from the request.
DONE = {
    "claim": "Claimed.",
    "unclaim": "Claim released.",
    "reply": "Reply stored.",
    "dm": "DM stored.",
    "dm_invite": "Invitation to DM stored.",
    "escalate": "Escalated to the helpdesk.",
    "ignore": "Ignored.",
    "reopen": "Reopened.",
    "undo": "Undone: the post is open again.",
    "note": "Note added.",
    "correct": "Correction saved; the item was re-decided.",
    "reassign": "Reassigned.",
}


def _queue(request: Request) -> QueueService:
    return request.app.state.queue


def _filters(request: Request) -> Filters:
    q = request.query_params
    values = {k: q.get(k, "")[:200] for k in FILTER_KEYS}
    return Filters(search=q.get("q", "")[:200], **values)


def _view(request: Request) -> View:
    try:
        return View(request.path_params["view"])
    except ValueError as exc:
        raise InputError(f"no view {request.path_params['view']!r}") from exc


@requires(*READERS)
def home(ctx: Ctx) -> Response:
    target = "/dashboard" if not ctx.user.can_work else "/queue/public_reply"
    return RedirectResponse(target, status_code=303)


def _error(ctx: Ctx, message: str, status: int) -> Response:
    return ctx.request.app.state.render.page(
        "error.html", status_code=status, **common(ctx, message=message)
    )


@requires(*READERS)
def queue_page(ctx: Ctx) -> Response:
    request = ctx.request
    queue = _queue(request)
    try:
        view = _view(request)
        filters = _filters(request)
        sort = request.query_params.get("sort", "")
        cursor = request.query_params.get("cursor") or None
        if sort == "due":
            page = queue.due_page(view, filters, page=parse_page(cursor))
        elif sort:
            raise InputError(f"sort: {sort[:20]!r} is not one of due (time left) or newest")
        else:
            page = queue.page(view, filters, cursor=cursor)
    except InputError as exc:
        return _error(ctx, str(exc), 400)
    held = queue.reads.held_cases() if view is View.HELPDESK else []
    args = {k: v for k, v in filters.active().items() if k != "search"}
    if filters.search:
        args["q"] = filters.search
    if sort:
        args["sort"] = sort
    top = max((i.post_id for i in page.items), default=0)
    kept = [
        (k, v) for k, v in request.query_params.multi_items() if k not in ("done", "post", "bulk")
    ]
    here = request.url.path + (f"?{urlencode(kept)}" if kept else "")
    done = request.query_params.get("done", "")
    undone = request.query_params.get("post", "") if done in UNDOABLE else ""
    return request.app.state.render.page(
        "queue.html",
        **common(
            ctx,
            **bulk_context(ctx),
            back=here,
            undo_post=undone if undone.isascii() and undone.isdigit() else "",
            undo_done=DONE.get(done, ""),
            present=queue.presence([i.post_id for i in page.items], ctx.user),
            view=view,
            page=page,
            filters=filters,
            counts=queue.reads.counts(),
            late=queue.reads.late(),
            options=queue.reads.filter_options(),
            held=held,
            query_string=urlencode(args),
            first_page=not request.query_params.get("cursor"),
            top=top,
            sort=sort,
            sortable=view in DUE_VIEWS,
        ),
    )


def parse_page(cursor: str | None) -> int:
    """The page number a time-left page's cursor is."""
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) < 5):
        raise InputError(f"cursor: {cursor[:20]!r} is not a page number")
    return int(cursor)


#: Posts one `/queue?ids=` link may name (an alert names at most a few dozen).
MAX_IDS = 200


def parse_ids(value: str) -> list[int]:
    """`1,2,3` (what `triage.digest.notify.queue_link` writes) as post ids."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and len(p) < 19 for p in parts):
        raise InputError("ids: expected post ids separated by commas, e.g. ids=12,15,40")
    if len(parts) > MAX_IDS:
        raise InputError(f"ids: at most {MAX_IDS} posts at once")
    return [int(p) for p in parts]


@requires(*READERS)
def selection(ctx: Ctx) -> Response:
    """`/queue?ids=1,2,3`: exactly those posts, whatever their view (an alert's link)."""
    request = ctx.request
    if "ids" not in request.query_params:
        return RedirectResponse("/", status_code=303)
    try:
        ids = parse_ids(request.query_params["ids"])
    except InputError as exc:
        return _error(ctx, str(exc), 400)
    queue = _queue(request)
    items = queue.reads.items(ids)
    back = "/queue?" + urlencode({"ids": ",".join(str(i) for i in ids)})
    return request.app.state.render.page(
        "selection.html",
        **common(
            ctx,
            items=items,
            asked=len(set(ids)),
            counts=queue.reads.counts(),
            late=queue.reads.late(),
            back=back,
            **bulk_context(ctx),
        ),
    )


@requires(*READERS)
def poll(ctx: Ctx) -> Response:
    """New items of a view since the newest one shown, for HTMX to prepend."""
    request = ctx.request
    queue = _queue(request)
    try:
        view = _view(request)
        after = parse_id(request.query_params.get("after", "0") or "0", "after")
    except InputError as exc:
        return PlainTextResponse(str(exc), status_code=400)
    items = queue.reads.newer(view, _filters(request), after=after)
    args = dict(request.query_params)
    args["after"] = str(max([after, *(i.post_id for i in items)]))
    view_args = {k: v for k, v in args.items() if k != "after"}
    back = f"/queue/{view.value}" + (f"?{urlencode(view_args)}" if view_args else "")
    return request.app.state.render.page(
        "_poll.html",
        **common(
            ctx,
            items=items,
            view=view,
            back=back,
            present=queue.presence([i.post_id for i in items], ctx.user),
            counts=queue.reads.counts(),
            late=queue.reads.late(),
            poll_url=f"{request.url.path}?{urlencode(args)}",
        ),
    )


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
    from triage.web.routes_saved_replies import picker_context

    picked = picker_context(ctx, detail.item, suggested)
    if picked["saved_prefill"]:
        channel, text = picked["saved_prefill"]
        prefill[channel] = text
    queue = _queue(request)
    return {
        **picked,
        "detail": detail,
        "item": detail.item,
        "people": users,
        "fields": CORRECTABLE,
        "dm_invite": DM_INVITE,
        "suggested": suggested,
        "prefill": prefill,
        "back": back_to(request, ctx.form, detail.item),
        "token": secrets.token_urlsafe(16),
        "present": queue.presence([detail.item.post_id], ctx.user).get(detail.item.post_id, ""),
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
            return f"{entry.actor} took this post over from you at {entry.at:%H:%M} UTC"
    return ""


@requires(*READERS)
def item_page(ctx: Ctx) -> Response:
    queue = _queue(ctx.request)
    try:
        detail = queue.detail(parse_id(ctx.request.path_params["post_id"], "post"))
    except InputError as exc:
        return _error(ctx, str(exc), 404)
    queue.see(detail.item.post_id, ctx.user, "viewing")
    done = DONE.get(ctx.request.query_params.get("done", ""))
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
    queue = _queue(ctx.request)
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
            form.get("text") or DM_INVITE,
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
    q = dict(parse_qsl(parts.query))
    values = {k: q.get(k, "")[:200] for k in FILTER_KEYS}
    filters = Filters(search=q.get("q", "")[:200], **values)
    queue = _queue(ctx.request)
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
    queue = _queue(request)
    try:
        post_id = parse_id(request.path_params["post_id"], "post")
    except InputError as exc:
        return _error(ctx, str(exc), 404)
    form = ctx.form
    status = 200
    error: str | None = None
    try:
        _do(ctx, action, post_id)
    except LookupError:
        return _error(ctx, f"no action {action!r}", 404)
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
    if ctx.htmx:
        try:
            item = queue.item(post_id)
        except InputError as exc:
            return _error(ctx, str(exc), 404)
        return request.app.state.render.page(
            "_card_response.html",
            status_code=200 if error is None else status,
            **common(
                ctx,
                item=item,
                error=error,
                done=None if error else DONE.get(action),
                undo=error is None and action in UNDOABLE,
                back=safe_next(form.get("back") or "") if form.get("back") else "",
                present=queue.presence([post_id], ctx.user),
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
        return _error(ctx, str(exc), 404)
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
    Route("/", home),
    Route("/queue", selection),
    Route("/queue/{view}", queue_page),
    Route("/queue/{view}/poll", poll),
    Route("/items/{post_id:int}", item_page),
    Route("/items/{post_id:int}/reassign", reassign, methods=["POST"]),
    Route("/items/{post_id:int}/{action}", act, methods=["POST"]),
]
