"""Jinja2 with autoescape on every template, the filters that make post content inert, and
gettext (`jinja2.ext.i18n`, newstyle: `_("%(n)s posts", n=3)`) in the request's language."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from kernel.vocab import INTENTS, ROUTES, SENTIMENTS
from triage.queue.models import View
from triage.web import i18n
from triage.web.labels import label, view_title
from triage.web.learning_words import outcome as learn_outcome
from triage.web.learning_words import reason as learn_reason
from triage.web.refusals import reword
from triage.web.security import link_host, mixed_script, safe_url, visible

TEMPLATES = Path(__file__).resolve().parent / "templates"


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


def _reason_key(decision: Any) -> str | None:
    """Which of the decision's summaries the page shows: the reader's language, else English,
    else any (None: there is none)."""
    summary = getattr(decision, "summary", None) or {}
    for key in (i18n.current(), "en", *sorted(summary)):
        if summary.get(key):
            return str(key)
    return None


def _reason(decision: Any) -> str:
    """The decision's one-sentence reason (`decisions.summary`, `_reason_key`), else the first
    line of its rule trace: a decision made before summaries existed still says something."""
    key = _reason_key(decision)
    if key is not None:
        return str(decision.summary[key])
    return (decision.explanation or "").strip().splitlines()[0] if decision.explanation else ""


def _reason_lang(decision: Any) -> str:
    """`<html lang>` of the reason when it is not in the page's language ("" when it is): a
    rule trace and a fallback summary are English."""
    key = _reason_key(decision) or "en"
    tag = key.replace("_", "-")
    return "" if key == i18n.current() else tag


def _heads(model_version: str | None) -> str:
    from triage.learned_heads import describe_heads  # the classifier's modules, only here

    return describe_heads(model_version)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters.update(
        visible=visible,
        safe_url=safe_url,
        link_host=link_host,
        when=i18n.when,
        day=i18n.day,
        date_text=i18n.date_text,
        number=i18n.number,
        percent=i18n.percent,
        language_name=i18n.language_name,
        lang_tag=i18n.lang_tag,
        refusal=reword,
        learn_reason=learn_reason,
        learn_outcome=learn_outcome,
        label=label,
        view_title=view_title,
        detail=_detail,
        reason=_reason,
        reason_lang=_reason_lang,
        heads=_heads,
    )
    env.tests["lookalike"] = mixed_script
    env.globals.update(
        VIEWS=list(View),
        html_lang=lambda: i18n.HTML_LANG.get(i18n.current(), "en"),
        locale=i18n.current,
        ROUTES=ROUTES,
        SENTIMENTS=SENTIMENTS,
        INTENTS=INTENTS,
    )
    return env


class Renderer:
    def __init__(self) -> None:
        self.env = environment()

    def page(self, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """The template in the request's language (`i18n.speaking`)."""
        return HTMLResponse(
            self.env.get_template(name).render(**context),
            status_code=status_code,
            headers={"content-language": i18n.HTML_LANG.get(i18n.current(), "en")},
        )
