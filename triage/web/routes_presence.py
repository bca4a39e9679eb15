"""Presence: the pages' polling says "I am here" and asks who else is (issue 18).

`POST /items/{id}/presence` (activity `viewing` or `replying`) records the caller and answers
who else has the item open; `GET /queue/presence?ids=1,2,3` answers it for the cards of a
queue page. Both are JSON for `static/app.js`; the pages render the same text on first paint.
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kernel.errors import InputError
from triage.queue.models import READERS, WORKERS
from triage.web.auth import Ctx, requires
from triage.web.params import parse_id, parse_ids
from triage.web.phrases import presence


@requires(*WORKERS)
def item_presence(ctx: Ctx) -> Response:
    queue = ctx.request.app.state.queue
    try:
        post_id = parse_id(ctx.request.path_params["post_id"], "post")
        queue.item(post_id)  # a post in the queue, not any number
        queue.see(post_id, ctx.user, ctx.form.get("activity", "viewing"))
    except InputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"others": presence(queue, [post_id], ctx.user).get(post_id, "")})


@requires(*READERS)
def cards_presence(ctx: Ctx) -> Response:
    try:
        ids = parse_ids(ctx.request.query_params.get("ids", ""))
    except InputError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    found = presence(ctx.request.app.state.queue, ids, ctx.user)
    return JSONResponse({str(k): v for k, v in found.items()})


routes = [
    Route("/queue/presence", cards_presence),
    Route("/items/{post_id:int}/presence", item_presence, methods=["POST"]),
]
