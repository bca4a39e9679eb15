"""What a helpdesk ticket says about a case: subject, body and a suggested first response.

The helpdesk is private, so the body carries the full post text and thread; the subject line
shows up in notification e-mails, lists and previews, so every sensitive value found in the
post is redacted there (by the finding's span). Text comes from Jinja2 templates shipped in
`escalation/templates/`; a configured folder overrides any of them by file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from kernel.errors import ConfigError, DeliveryPermanent
from kernel.models import Case, Post, SensitiveFinding
from kernel.plugins import profile_urls
from kernel.util import one_line
from kernel.vocab import INTENT_THRESHOLD

TEMPLATE_NAMES = ("subject.txt.j2", "body.txt.j2", "first_response.txt.j2", "follow_up.txt.j2")
#: Helpdesks cut long subjects anyway; RT's column is 200 characters.
MAX_SUBJECT_CHARS = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class CaseContent:
    subject: str
    body: str
    first_response: str


def redact(text: str, findings: tuple[SensitiveFinding, ...] | list[SensitiveFinding]) -> str:
    """`text` with each finding's span replaced by `[kind redacted]`.

    Spans that fall outside the text or overlap an earlier one are merged rather than trusted
    blindly, so a stale span can never leave half a card number behind.
    """
    spans: list[tuple[int, int, str]] = []
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        start, end = max(0, finding.start), min(len(text), finding.end)
        if start >= end:
            continue
        if spans and start < spans[-1][1]:
            prev_start, prev_end, prev_kind = spans[-1]
            spans[-1] = (prev_start, max(prev_end, end), prev_kind)
        else:
            spans.append((start, end, finding.kind))
    out, cursor = [], 0
    for start, end, kind in spans:
        out.append(text[cursor:start])
        out.append(f"[{kind} redacted]")
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def sensitive_kinds(case: Case) -> list[str]:
    """The kinds of sensitive data found, sorted and unique; never the values."""
    if case.signals is None:
        return []
    return sorted({finding.kind for finding in case.signals.sensitive})


def masked_kinds(post: Post) -> list[str]:
    """Kinds masked before the post was stored (card numbers, credentials; kernel/protect.py)."""
    kinds = post.raw.get("_masked") if isinstance(post.raw, dict) else None
    return [str(k) for k in kinds] if isinstance(kinds, list) else []


def masked_note(post: Post) -> str | None:
    """What the helpdesk is told about values it will never see (PCI DSS: no card numbers)."""
    names = {"payment_card": "card number (last four digits kept)", "credential": "credential"}
    kinds = masked_kinds(post)
    if not kinds:
        return None
    what = ", ".join(names.get(k, k) for k in kinds)
    return f"Note: masked before storage, never kept or sent in clear: {what}."


def profile_url(post: Post) -> str | None:
    handle = post.author.handle.lstrip("@")
    pattern = profile_urls().get(post.source.lower())
    if not pattern or not handle or handle.startswith("["):
        return None
    return pattern.format(handle=handle)


def _media(post: Post) -> list[dict[str, Any]]:
    """Photos and videos the source kept (`raw["media"]`, X), each with a `url`."""
    media = post.raw.get("media") if isinstance(post.raw, dict) else None
    return (
        [m for m in media if isinstance(m, dict) and m.get("url")]
        if isinstance(media, list)
        else []
    )


class Renderer:
    """Renders `CaseContent` from the shipped templates, or from an override folder first."""

    def __init__(self, templates: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if templates is not None:
            if not Path(templates).is_dir():
                raise ConfigError(f"templates: {templates} is not a folder")
            loaders.append(jinja2.FileSystemLoader(str(templates)))
        loaders.append(jinja2.PackageLoader("escalation", "templates"))
        self.templates = templates
        self._env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain text for helpdesks, never HTML
            keep_trailing_newline=False,
        )
        # Load every template now, so a broken override refuses to start instead of killing
        # cases one by one later.
        self._templates: dict[str, jinja2.Template] = {}
        for name in TEMPLATE_NAMES:
            try:
                self._templates[name] = self._env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise ConfigError(f"templates: {exc.filename}:{exc.lineno}: {exc.message}") from exc

    def context(self, case: Case) -> dict[str, Any]:
        post, signals = case.post, case.signals
        findings = signals.sensitive if signals else ()
        intents = sorted((signals.intents if signals else {}).items(), key=lambda kv: -kv[1])
        top = intents[0][0] if intents and intents[0][1] >= INTENT_THRESHOLD else None
        return {
            "case": case,
            "post": post,
            "author": post.author,
            "profile_url": profile_url(post),
            "decision": case.decision,
            "signals": signals,
            "intents": intents,
            "top_intent": top,
            "sensitive_kinds": sensitive_kinds(case),
            "redacted_text": one_line(redact(post.text, findings), 10_000),
            "thread": case.thread,
            "media": _media(post),
        }

    def _render(self, name: str, context: dict[str, Any]) -> str:
        try:
            return self._templates[name].render(context).strip()
        except jinja2.TemplateError as exc:
            where = self.templates or "shipped templates"
            raise DeliveryPermanent(f"template {name} ({where}) failed: {exc}") from exc

    def follow_up(self, case: Case, ticket_status: str | None = None) -> str:
        """The suggested public reply once the helpdesk has closed the case."""
        context = {**self.context(case), "ticket_status": ticket_status}
        return one_line(self._render("follow_up.txt.j2", context), 2_000)

    def render(self, case: Case) -> CaseContent:
        context = self.context(case)
        first_response = one_line(self._render("first_response.txt.j2", context), 2_000)
        context["first_response"] = first_response
        subject = self._render("subject.txt.j2", context)
        # Belt and braces for overridden templates that put `post.text` in the subject.
        for finding in case.signals.sensitive if case.signals else ():
            value = case.post.text[finding.start : finding.end]
            if len(value) >= 4:
                subject = subject.replace(value, f"[{finding.kind} redacted]")
        body = self._render("body.txt.j2", context) + "\n"
        note = masked_note(case.post)
        if note:
            body += f"\n{note}\n"
        return CaseContent(
            subject=one_line(subject, MAX_SUBJECT_CHARS),
            body=body,
            first_response=first_response,
        )
