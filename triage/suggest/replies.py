"""Suggested replies from Jinja2 templates, per route, intent and language.

Which templates a route suggests (`REPLIES`): a public reply for `public_reply`; the public
"let's continue in DM" reply and a DM opener for `private_dm`; a neutral acknowledgement for
`helpdesk`; nothing for `ignore`. For each, the most specific file found wins, looked up in the
configured folder first, then in the shipped `triage/suggest/templates/`:

    NAME.INTENT.LANG.txt.j2, NAME.complaint.LANG.txt.j2, NAME.LANG.txt.j2,
    NAME.INTENT.txt.j2, NAME.complaint.txt.j2, NAME.txt.j2

(`LANG` is the post's language, e.g. `pt`; `INTENT` its top intent above 0.5; `complaint` when
the post is a complaint, `is_complaint`, so it gets an apology rather than "thanks for reaching
out", and a complaint's `praise` intent is not used). The shipped templates speak English,
Portuguese and Spanish. The context holds
nothing a stranger wrote except a cleaned handle and first name, never the post's text: a
public reply must never repeat what the customer posted (card numbers, e-mails); a handle in
which the sensitive-data detector finds something is masked before rendering. Templates run in
Jinja2's sandbox with StrictUndefined; a broken one is a `ConfigError` naming file and line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from kernel.errors import ConfigError
from kernel.util import one_line

SHIPPED = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True, slots=True)
class ReplySpec:
    template: str
    #: `reply` (public) or `dm`: which responder method sends it.
    channel: str
    label: str


REPLIES: dict[str, tuple[ReplySpec, ...]] = {
    "public_reply": (ReplySpec("public_reply", "reply", "Public reply"),),
    "private_dm": (
        ReplySpec("dm_invite", "reply", "Public reply: continue in DM"),
        ReplySpec("dm_opener", "dm", "Direct message"),
    ),
    "helpdesk": (ReplySpec("helpdesk_ack", "reply", "Public acknowledgement"),),
    "ignore": (),
}
_HANDLE_DROP = re.compile(r"[^\w.-]")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def clean_handle(handle: str) -> str:
    """A handle safe to put after `@`: word characters, dots and dashes, at most 50."""
    return _HANDLE_DROP.sub("", unicodedata.normalize("NFKC", handle))[:50]


def first_name(name: str | None) -> str | None:
    """The first word of a display name when it is a word of letters (no digits, no markup)."""
    if not name:
        return None
    first = unicodedata.normalize("NFKC", name).split(maxsplit=1)
    if not first or not _NAME_WORD.fullmatch(first[0]):
        return None  # "<b>Dani", "{{7*7}}", "D4ni": no name rather than a piece of one
    return first[0][:30]


class ReplyTemplates:
    """Loads and renders the reply templates; a folder overrides shipped files by name."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None and not Path(folder).is_dir():
            raise ConfigError(f"suggestions.templates: {folder} is not a folder")
        self.folder = folder
        self._envs = [
            SandboxedEnvironment(
                loader=jinja2.FileSystemLoader(str(path)),
                undefined=jinja2.StrictUndefined,
                autoescape=False,  # plain text posted to a platform; pages escape it themselves
            )
            for path in ([folder] if folder is not None else []) + [SHIPPED]
        ]
        # Compile every override now, so a broken file refuses to start, not mid-shift.
        if folder is not None:
            for path in sorted(Path(folder).glob("*.txt.j2")):
                self._load(self._envs[0], path.name)

    def _load(self, env: SandboxedEnvironment, name: str) -> jinja2.Template | None:
        try:
            return env.get_template(name)
        except jinja2.TemplateNotFound:
            return None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"suggestions.templates: {exc.filename}:{exc.lineno}: {exc.message}"
            ) from exc

    def find(
        self, name: str, *, intent: str | None, lang: str | None, complaint: bool = False
    ) -> jinja2.Template | None:
        """The most specific template: by intent, then `complaint` for a complaint, by language."""
        if complaint and intent == "praise":
            intent = None  # "love the app but the update broke login" is no thank-you
        variants = [v for v in (intent, "complaint" if complaint else None) if v]
        candidates = [f"{name}.{v}.{lang}.txt.j2" for v in variants] if lang else []
        if lang:
            candidates.append(f"{name}.{lang}.txt.j2")
        candidates += [f"{name}.{v}.txt.j2" for v in variants]
        candidates.append(f"{name}.txt.j2")
        for candidate in candidates:
            for env in self._envs:
                template = self._load(env, candidate)
                if template is not None:
                    return template
        return None

    def render(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        try:
            text = template.render(context)
        except jinja2.TemplateError as exc:
            raise ConfigError(
                f"suggestions.templates: {template.filename}: {one_line(exc)}"
            ) from exc
        return one_line(text, 5_000)
