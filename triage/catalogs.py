"""Gettext catalogs (Babel) of the application: the digests' `messages` and the web app's
`web`, each a folder of `<locale>/LC_MESSAGES/<domain>.mo` committed beside its `.po`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from kernel.vocab import LOCALES


@cache
def catalog(folder: Path, domain: str, locale: str) -> NullTranslations:
    """`locale`'s translations of `domain` under `folder`; English is the msgids themselves."""
    if locale not in LOCALES:
        raise ValueError(f"locale {locale!r}: expected one of {', '.join(LOCALES)}")
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(folder), [locale], domain=domain)
