"""The queue pages: a view's page (`/queue/{view}`), the posts an alert's link names
(`/queue?ids=`) and the polling that prepends new posts; all go through
`triage.queue.QueueService`. The actions on a card are `routes_item`'s."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import InputError
from triage.queue.due import DUE_VIEWS
from triage.queue.models import READERS, View
from triage.web.auth import Ctx, requires
from triage.web.page import common, error_page, queue_service
from triage.web.params import parse_filters, parse_id, parse_ids, parse_page
from triage.web.phrases import presence
from triage.web.routes_bulk import bulk_context
from triage.web.routes_item import UNDOABLE, done_text


def _view(request: Request) -> View:
    try:
        return View(request.path_params["view"])
    except ValueError as exc:
        raise InputError(f"no view {request.path_params['view']!r}") from exc


@requires(*READERS)
def home(ctx: Ctx) -> Response:
    target = "/dashboard" if not ctx.user.can_work else "/queue/public_reply"
    return RedirectResponse(target, status_code=303)


@requires(*READERS)
def queue_page(ctx: Ctx) -> Response:
    request = ctx.request
    queue = queue_service(request)
    try:
        view = _view(request)
        filters = parse_filters(request.query_params)
        sort = request.query_params.get("sort", "")
        cursor = request.query_params.get("cursor") or None
        if sort == "due":
            page = queue.due_page(view, filters, page=parse_page(cursor))
        elif sort:
            raise InputError(f"sort: {sort[:20]!r} is not one of due (time left) or newest")
        else:
            page = queue.page(view, filters, cursor=cursor)
    except InputError as exc:
        return error_page(ctx, str(exc), 400)
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
            undo_done=done_text(done),
            present=presence(queue, [i.post_id for i in page.items], ctx.user),
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


@requires(*READERS)
def selection(ctx: Ctx) -> Response:
    """`/queue?ids=1,2,3`: exactly those posts, whatever their view (an alert's link)."""
    request = ctx.request
    if "ids" not in request.query_params:
        return RedirectResponse("/", status_code=303)
    try:
        ids = parse_ids(request.query_params["ids"])
    except InputError as exc:
        return error_page(ctx, str(exc), 400)
    queue = queue_service(request)
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
    queue = queue_service(request)
    try:
        view = _view(request)
        after = parse_id(request.query_params.get("after", "0") or "0", "after")
    except InputError as exc:
        return PlainTextResponse(str(exc), status_code=400)
    items = queue.reads.newer(view, parse_filters(request.query_params), after=after)
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
            present=presence(queue, [i.post_id for i in items], ctx.user),
            counts=queue.reads.counts(),
            late=queue.reads.late(),
            poll_url=f"{request.url.path}?{urlencode(args)}",
        ),
    )


routes = [
    Route("/", home),
    Route("/queue", selection),
    Route("/queue/{view}", queue_page),
    Route("/queue/{view}/poll", poll),
]
