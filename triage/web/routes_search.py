"""`/search`: posts in every view (any state) by words of their text, their author's handle or
name (case and accents folded), or `author:@handle` (`triage.storage.search`)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from kernel.errors import InputError
from triage.queue.models import READERS
from triage.web.auth import Ctx, requires
from triage.web.page import common, error_page, queue_service
from triage.web.params import parse_filters
from triage.web.phrases import presence


@requires(*READERS)
def search_page(ctx: Ctx) -> Response:
    request = ctx.request
    queue = queue_service(request)
    q = request.query_params
    filters = parse_filters(q)
    asked = bool(filters.search.strip())
    try:
        page = queue.page(None, filters, cursor=q.get("cursor") or None) if asked else None
        found_in = queue.reads.counts(filters) if asked else {}
    except InputError as exc:
        return error_page(ctx, str(exc), 400)
    args = {k: v for k, v in filters.active().items() if k != "search"}
    if filters.search:
        args["q"] = filters.search
    kept = [(k, v) for k, v in q.multi_items() if k not in ("done", "post")]
    return request.app.state.render.page(
        "search.html",
        **common(
            ctx,
            filters=filters,
            page=page,
            found_in={v: n for v, n in found_in.items() if n},
            query_string=urlencode(args),
            back=request.url.path + (f"?{urlencode(kept)}" if kept else ""),
            present=presence(queue, [i.post_id for i in page.items], ctx.user) if page else {},
            counts=queue.reads.counts(),
            late=queue.reads.late(),
            first_page=not q.get("cursor"),
        ),
    )


routes = [Route("/search", search_page)]
