"""Locales for digests and alerts: gettext catalogs (Babel) and locale-aware numbers and dates.

The `.po` sources and their compiled `.mo` files are both committed under
`triage/digest/locale/`, so an installed wheel needs no build step; `tests/digest/test_i18n.py`
fails when a `.mo` is older than its `.po`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations

from triage.catalogs import catalog

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
#: "Percentage points" abbreviated as each locale's readers write it (Spanish spaces the two
#: initials, kept together by a no-break space).
POINTS = {"en": "pp", "pt_BR": "p.p.", "es": "p.\u00a0p."}


def translations(locale: str) -> NullTranslations:
    return catalog(LOCALE_DIR, DOMAIN, locale)


@dataclass(frozen=True, slots=True)
class Formatter:
    """Numbers, percentages and dates the way readers of `locale` write them."""

    locale: str = "en"

    def gettext(self, message: str) -> str:
        return translations(self.locale).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.locale).ngettext(singular, plural, n)

    def sentiment(self, label: str) -> str:
        """A sentiment label (`kernel.vocab.SENTIMENTS`) as readers of `locale` name it."""
        _ = self.gettext
        names = {"negative": _("Negative"), "neutral": _("Neutral"), "positive": _("Positive")}
        return names.get(label, label)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "\u2013"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "\u2013"
        # The locale's own pattern keeps its spacing (`26 %` in Spanish, `26%` in English and
        # Portuguese); only the decimals are ours, after the pattern's last integer digit.
        pattern = Locale.parse(self.locale).percent_formats[None].pattern
        if digits:
            integer, _zero, suffix = pattern.rpartition("0")
            pattern = f"{integer}0.{'0' * digits}{suffix}"
        return format_percent(value, format=pattern, locale=self.locale)

    def points(self, value: float | None) -> str:
        """A change in percentage points, signed: +3 pp / -12 p.p. / +3 p. p."""
        if value is None:
            return "\u2013"
        sign = "+" if value > 0.0005 else ("\u2212" if value < -0.0005 else "\u00b1")
        unit = POINTS.get(self.locale, "pp")
        return f"{sign}{self.number(abs(value) * 100)} {unit}"

    def duration(self, seconds: float | None) -> str:
        """A response time: `45 min`, `3.5 h`, `2.1 d` (locale decimals)."""
        if seconds is None:
            return "\u2013"
        minutes = seconds / 60
        if minutes < 90:
            return f"{self.number(minutes)} min"
        if minutes < 48 * 60:
            return f"{self.number(minutes / 60, 1)} h"
        return f"{self.number(minutes / 1440, 1)} d"

    def signed(self, value: float | None) -> str:
        """Net sentiment on a -100..+100 scale."""
        if value is None:
            return "\u2013"
        number = round(value * 100)
        prefix = "+" if number > 0 else ("\u2212" if number < 0 else "")
        return prefix + self.number(abs(number))

    def date(self, value: dt.date, style: str = "medium") -> str:
        return format_date(value, format=style, locale=self.locale)

    def short_day(self, value: dt.date) -> str:
        """`Nov 16` / `16 de nov.`: chart axes."""
        return format_date(
            value, format="MMM d" if self.locale == "en" else "d MMM", locale=self.locale
        )

    def datetime(self, value: dt.datetime) -> str:
        return format_datetime(value, format="medium", tzinfo=value.tzinfo, locale=self.locale)

    @property
    def language(self) -> str:
        return Locale.parse(self.locale).language
