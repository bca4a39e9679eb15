"""The web app's languages: which one a request is in, its gettext catalog, and Babel's dates
and numbers for the templates.

English is the msgid; `pt_BR` and `es` are the `web` domain's catalogs under
`triage/web/locale/` (sources and compiled `.mo` both committed, like the digests': an installed
wheel needs no build step; `tests/web/test_i18n.py` fails when one is stale or incomplete).

A signed-in person reads their own `users.locale`, else the deployment's `locale` setting; the
log-in page (nobody yet) follows the browser's `Accept-Language` when it names one of ours. The
language is a context variable set around each handler (`speaking`), so the templates' `_()`,
the handlers' `gettext` and macros imported without the page's context all agree, and two
requests in two threads never see each other's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.support import NullTranslations

from kernel.vocab import LOCALES
from triage.catalogs import catalog
from triage.digest.i18n import Formatter

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "web"
#: What each locale is called on the Account page, in its own language (never translated).
LOCALE_NAMES = {"en": "English", "pt_BR": "Português (Brasil)", "es": "Español"}
#: `<html lang>` for each locale (BCP 47).
HTML_LANG = {"en": "en", "pt_BR": "pt-BR", "es": "es"}

_current: ContextVar[str] = ContextVar("web_locale", default="en")


def translations(locale: str) -> NullTranslations:
    return catalog(LOCALE_DIR, DOMAIN, locale)


def current() -> str:
    """The language of the request being handled."""
    return _current.get()


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Handle (and render) in `locale` until the block ends."""
    token = _current.set(locale if locale in LOCALES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; `gettext` translates it at use."""
    return message


def for_user(locale: str | None, default: str) -> str:
    """A person's chosen language, else the deployment's."""
    return locale if locale in LOCALES else default


def from_accept_language(header: str, default: str) -> str:
    """The first language of an `Accept-Language` header that is ours (by weight, `pt` and
    `pt-PT` as `pt_BR`, `es-AR` as `es`), else `default`."""
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and weight > 0:
            wanted.append((-weight, index, tag.strip().lower()))
    for _weight, _index, tag in sorted(wanted):
        exact = tag.replace("-", "_")
        for locale in LOCALES:
            if locale.lower() == exact:
                return locale
        language = tag.split("-")[0]
        for locale in LOCALES:
            if locale.split("_")[0] == language:
                return locale
    return default


# --- dates and numbers, as the templates' filters ---------------------------------------------


def when(value: datetime | None) -> str:
    """A moment in UTC: `2026-12-07 14:05 UTC`; `07/12/2026 14:05 UTC` in pt_BR and es."""
    if value is None:
        return ""
    value = value.astimezone(UTC)
    if current() == "en":
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return format_datetime(value, "dd/MM/yyyy HH:mm", tzinfo=UTC, locale=current()) + " UTC"


def date_text(value: date) -> str:
    """A day in running text: `2026-12-01`; `01/12/2026` in pt_BR and es (as `when`)."""
    if current() == "en":
        return value.isoformat()
    return format_date(value, "dd/MM/yyyy", locale=current())


def day(value: date) -> str:
    """A day in a table's row: `Mon 07 Dec`, `seg. 07 dez.`."""
    return format_date(value, "EEE dd MMM", locale=current())


def number(value: float | int | None, digits: int = 0) -> str:
    """`1,234.5`, `1.234,5`: the digests' `Formatter`, in the request's language."""
    return Formatter(current()).number(value, digits)


def percent(value: float | None, digits: int = 0) -> str:
    """A share (0..1) as a percentage: `87%`, `87 %` where readers write it so (`Formatter`)."""
    return Formatter(current()).percent(value, digits)


_TAG = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2})?")


def lang_tag(code: str | None) -> str:
    """A post's language code as an HTML `lang` value (`pt_BR` -> `pt-BR`); "" when it is not
    a plain language code (a screen reader then reads the text in the page's language)."""
    if not code or not _TAG.fullmatch(code):
        return ""
    return code.replace("_", "-")


def language_name(code: str | None) -> str:
    """A post's language code (`pt`, `en`, `es_AR`) as the reader names it: `português`."""
    if not code:
        return ""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(current()) or code
    except (ValueError, UnknownLocaleError):
        return code


def moment(value: datetime, zone: object) -> str:
    """When a first response falls due, in the queue's time zone: `Mon 07 Dec 14:05`."""
    return format_datetime(value, "EEE dd MMM HH:mm", tzinfo=zone, locale=current())  # type: ignore[arg-type]
