"""Jinja2 with autoescape on every template, and the filters that make post content inert."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from kernel.vocab import INTENTS, ROUTES, SENTIMENTS
from triage.queue.models import VIEW_TITLES, View
from triage.web.security import link_host, mixed_script, safe_url, visible

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _detail(value: str | None) -> str:
    if not value:
        return ""
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, dict):
        return ", ".join(f"{k}={v}" for k, v in data.items() if v is not None)
    return str(data)


def _reason(decision: Any) -> str:
    """The decision's one-sentence reason (`decisions.summary`, English first), else the first
    line of its rule trace: a decision made before summaries existed still says something."""
    summary = getattr(decision, "summary", None) or {}
    for key in ("en", *sorted(summary)):
        if summary.get(key):
            return str(summary[key])
    return (decision.explanation or "").strip().splitlines()[0] if decision.explanation else ""


def _heads(model_version: str | None) -> str:
    from triage.learned_heads import describe_heads  # the classifier's modules, only here

    return describe_heads(model_version)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        visible=visible,
        safe_url=safe_url,
        link_host=link_host,
        when=_when,
        detail=_detail,
        reason=_reason,
        heads=_heads,
    )
    env.tests["lookalike"] = mixed_script
    env.globals.update(
        VIEWS=list(View),
        VIEW_TITLES=VIEW_TITLES,
        ROUTES=ROUTES,
        SENTIMENTS=SENTIMENTS,
        INTENTS=INTENTS,
    )
    return env


class Renderer:
    def __init__(self) -> None:
        self.env = environment()

    def page(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status_code)
