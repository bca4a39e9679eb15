"""The Saved replies page (`/templates`, leads and admins) and the picker's part of the item
page (`picker_context`): the post's saved replies with their variables filled in."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import Forbidden, InputError
from triage.queue.models import LEADS, QueueItem
from triage.queue.saved_replies import (
    CHANNELS,
    LANGUAGES,
    VARIABLES,
    SavedReplies,
    SavedReply,
    fill,
    ticket_number,
    unfilled,
    values_for,
)
from triage.web.auth import Ctx, requires
from triage.web.i18n import N_
from triage.web.i18n import gettext as _
from triage.web.page import common
from triage.web.params import parse_id
from triage.web.refusals import reword
from triage.web.security import safe_url


def _store(ctx: Ctx) -> SavedReplies:
    return ctx.request.app.state.saved_replies


def _fields(form: dict[str, str]) -> dict[str, str]:
    return {k: form.get(k, "") for k in ("title", "language", "channel", "body")}


@requires(*LEADS)
def templates_page(ctx: Ctx) -> Response:
    """List, add (`op=add`), edit (`?edit=ID`, then `op=edit`) and delete (`op=delete`)."""
    store = _store(ctx)
    error = None
    status = 200
    editing: SavedReply | None = None
    typed: dict[str, str] = {}
    form = ctx.form
    try:
        raw = form.get("id") or ctx.request.query_params.get("edit", "")
        reply_id = parse_id(raw, "saved reply") if raw else None
        if ctx.request.method == "POST":
            op = form.get("op")
            typed = _fields(form)
            if op == "add":
                store.add(ctx.user, **typed)
            elif op == "edit" and reply_id is not None:
                store.update(ctx.user, reply_id, **typed)
            elif op == "delete" and reply_id is not None:
                store.delete(ctx.user, reply_id)
            else:
                raise InputError("saved reply: unknown operation")
            return RedirectResponse(f"/templates?done={op}", status_code=303)
        if reply_id is not None:
            editing = store.get(reply_id)
    except (InputError, Forbidden) as exc:
        error, status = reword(str(exc)), 400 if isinstance(exc, InputError) else 403
        if reply_id is not None and form.get("op") == "edit":
            editing = next((r for r in store.all() if r.id == reply_id), None)
    done = {
        "add": N_("Saved reply added."),
        "edit": N_("Saved reply updated."),
        "delete": N_("Deleted."),
    }
    return ctx.request.app.state.render.page(
        "templates.html",
        status_code=status,
        **common(
            ctx,
            saved=store.all(),
            editing=editing,
            typed=typed,
            error=error,
            done=_(done[ctx.request.query_params.get("done", "")])
            if ctx.request.query_params.get("done", "") in done
            else "",
            languages=LANGUAGES,
            channels=CHANNELS,
            variables=VARIABLES,
            templates_active=True,
        ),
    )


def _values(ctx: Ctx, item: QueueItem, suggested: Any) -> dict[str, str | None]:
    articles = suggested.found.articles if suggested is not None else ()
    url = safe_url(articles[0].url) if articles else None
    return values_for(
        item,
        agent=ctx.user.name,
        brand=ctx.request.app.state.settings.brand.name,
        case_number=ticket_number(ctx.request.app.state.store.engine, item.post_id),
        article=(articles[0].title, url) if articles and url else None,
    )


def picker_context(ctx: Ctx, item: QueueItem, suggested: Any) -> dict[str, Any]:
    """`saved`: (reply, filled text, blanks left) for the post's language and route; with
    `?saved=ID` the chosen one also fills its box (`saved_prefill`: channel, text)."""
    if not ctx.user.can_work:
        return {"saved": [], "saved_prefill": None}
    language = (item.signals.language if item.signals else None) or item.post.lang
    found = _store(ctx).for_post(language, item.decision.route.value)
    values = _values(ctx, item, suggested) if found else {}
    saved = [(r, fill(r.body, values), unfilled(fill(r.body, values))) for r in found]
    chosen = ctx.request.query_params.get("saved", "")
    prefill = None
    for reply, text, _blanks in saved:
        if chosen == str(reply.id):
            prefill = (reply.channel, text)
    return {"saved": saved, "saved_prefill": prefill, "saved_language": language}


routes = [Route("/templates", templates_page, methods=["GET", "POST"])]
