"""The learning page for leads: what the model learned from the team, with its figures, and
a way back (`social-triage learn --history` and `--rollback` on the web)."""

from __future__ import annotations

import logging
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kernel.errors import InputError
from kernel.vocab import TASKS
from triage.queue.models import LEADS
from triage.storage.learning import HeadVersion, LearningStore
from triage.web.auth import Ctx, requires
from triage.web.i18n import gettext as _
from triage.web.page import common

log = logging.getLogger(__name__)


#: An uploaded labels file larger than this is refused (some 100,000 labelled short posts).
MAX_IMPORT_BYTES = 20 * 1024 * 1024


@requires(*LEADS)
def learning_page(ctx: Ctx) -> Response:
    return _page(ctx)


def _page(ctx: Ctx, *, status_code: int = 200, **extra: Any) -> Response:
    app = ctx.request.app
    store = LearningStore(app.state.store.engine)
    settings = app.state.settings.learning
    labels = store.labels()
    by_task = Counter(label.task for label in labels)
    imported = Counter(label.task for label in labels if label.origin == "import")
    last = store.last_run()
    since = last.last_correction_id if last and last.last_correction_id is not None else 0
    versions = store.versions(limit=100)
    active = [v for v in versions if v.status == "active"]
    return app.state.render.page(
        "learning.html",
        status_code=status_code,
        **common(
            ctx,
            tasks_all=TASKS,
            **extra,
            learning=settings,
            learning_active=True,
            tasks=[
                {
                    "task": task,
                    "labels": by_task.get(task, 0),
                    "imported": imported.get(task, 0),
                    "active": [v for v in active if v.task == task],
                    "enough": by_task.get(task, 0) >= settings.min_labels,
                }
                for task in TASKS
                if task in settings.tasks
            ],
            new_labels=store.corrections_since(since),
            runs=store.runs(limit=10),
            versions=[_row(v) for v in versions],
            done=_rolled_back(store, ctx.request.query_params.get("rolled_back", "")),
            pending=store.pending_request(),
        ),
    )


@requires(*LEADS)
def rollback(ctx: Ctx) -> Response:
    """Retire the active learned head of a task (and brand); the one it replaced, or the
    shipped head, is in use again. Open queue items are decided again in the background."""
    app = ctx.request.app
    task = ctx.form.get("task", "")
    brand = ctx.form.get("brand") or None
    if task not in TASKS:
        return _error(ctx, _("rollback: unknown task %(task)r") % {"task": task[:40]})
    retired, _replaced = LearningStore(app.state.store.engine).rollback(
        task, brand, by=f"web:{ctx.user.name}"
    )
    slot = f"{task}@{brand}" if brand else task
    if retired is None:
        return _error(
            ctx,
            _("rollback: no learned %(slot)s head is active (the shipped one is)") % {"slot": slot},
        )
    app.state.after_head_change(slot)
    return RedirectResponse(f"/learning?rolled_back={retired.id}", status_code=303)


@requires(*LEADS)
def import_labels(ctx: Ctx) -> Response:
    """`social-triage corrections import` on the web: a lead uploads the team's labelled CSV;
    every row is checked, bad ones are listed and skipped, the rest become the lead's labels."""
    from triage.corrections_import import import_file

    task = ctx.form.get("task", "")
    upload = ctx.files.get("file")
    if task not in TASKS:
        return _page(ctx, status_code=400, import_error=_("Choose what the labels are for."))
    if upload is None or not getattr(upload, "filename", ""):
        return _page(ctx, status_code=400, import_error=_("Choose a CSV file to import."))
    data = upload.file.read(MAX_IMPORT_BYTES + 1)
    name = Path(upload.filename).name[:100] or "labels.csv"
    if len(data) > MAX_IMPORT_BYTES:
        return _page(
            ctx,
            status_code=400,
            import_error=_("%(name)s: larger than %(mb)s MB; split it or use the command line.")
            % {"name": name, "mb": MAX_IMPORT_BYTES // (1024 * 1024)},
        )
    with tempfile.TemporaryDirectory(prefix="labels-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            imported = import_file(
                ctx.request.app.state.store,
                path,
                task=task,
                text_column=ctx.form.get("text_column", "").strip() or "text",
                label_column=ctx.form.get("label_column", "").strip() or "label",
                brand_column=ctx.form.get("brand_column", "").strip() or None,
                user=ctx.user.name,
                shown=name,
            )
        except InputError as exc:
            return _page(ctx, status_code=400, import_error=str(exc))
    return _page(ctx, imported=imported, problems=imported.problems[:MAX_PROBLEMS_SHOWN])


#: Bad rows listed on the page after an import (the rest are counted).
MAX_PROBLEMS_SHOWN = 20


@requires(*LEADS)
def request_learning(ctx: Ctx) -> Response:
    """Ask the daemon to learn now (it looks every minute; `learn_job.requested_learning`)."""
    store = LearningStore(ctx.request.app.state.store.engine)
    store.request_run(by=f"web:{ctx.user.name}")
    return RedirectResponse("/learning", status_code=303)


def redecide_in_background(settings: Any, store: Any) -> Callable[[str], None]:
    """What the app does after a head changed: decide the open queue again, on a thread
    (loading the encoder takes seconds; the page does not wait)."""

    def run(slot: str) -> None:
        from triage.learn_job import redecide_after_change

        try:
            redecide_after_change(settings, store, reason=f"{slot} rolled back from the web app")
        except Exception:  # the rollback stands; new posts are decided with it anyway
            log.exception("re-deciding the open queue after rolling back %s failed", slot)

    def start(slot: str) -> None:
        threading.Thread(target=run, args=(slot,), name="redecide", daemon=True).start()

    return start


def _rolled_back(store: LearningStore, raw: str) -> str:
    """The line shown after a rollback, from the rows (never from the address)."""
    if not (raw.isascii() and raw.isdigit() and len(raw) < 12):
        return ""
    retired = store.version(int(raw))
    if retired is None or retired.status != "retired":
        return ""
    back = store.version(retired.replaces) if retired.replaces is not None else None
    if back is not None and back.status == "active":
        return _("%(old)s retired; %(back)s is in use again; open items are decided again.") % {
            "old": retired.name,
            "back": back.name,
        }
    return _("%(old)s retired; the shipped head is in use again; open items are decided again.") % {
        "old": retired.name
    }


def _error(ctx: Ctx, message: str) -> Response:
    return ctx.request.app.state.render.page(
        "error.html", status_code=400, **common(ctx, message=message)
    )


def _row(version: HeadVersion) -> dict[str, Any]:
    comparison = version.metadata.get("comparison") or {}
    team = comparison.get("team") or {}
    reference = comparison.get("reference") or {}
    return {
        "v": version,
        "metric": "ROC-AUC" if version.task == "route" else "macro-F1",
        "labels": comparison.get("team_rows"),
        "team": (team.get("candidate"), team.get("active")),
        "reference": (reference.get("candidate"), reference.get("active")),
    }


routes = [
    Route("/learning", learning_page),
    Route("/learning/rollback", rollback, methods=["POST"]),
    Route("/learning/request", request_learning, methods=["POST"]),
    Route("/learning/import", import_labels, methods=["POST"]),
]
