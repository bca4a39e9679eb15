"""Digests and alerts speak English, Brazilian Portuguese and Spanish; every shipped catalog is
complete and its compiled .mo matches its .po."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kernel.period import Window
from kernel.vocab import LOCALES
from tests.digest.helpers import at, seed
from triage.digest.compute import build_digest
from triage.digest.i18n import LOCALE_DIR, POINTS, Formatter
from triage.digest.notify import alert_email, headline
from triage.digest.render import render_html
from triage.storage import Store
from triage.storage.alerts import Alert
from triage.storage.digest_reads import DigestReads

#: Every locale but English (the msgids) has a catalog.
CATALOGS = [locale for locale in LOCALES if locale != "en"]
PACKAGE = Path(__file__).resolve().parents[2] / "triage" / "digest"


def _entries(catalog: Catalog) -> dict[object, object]:
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def _translated(value: object) -> bool:
    """A plural is translated in every form the locale has, not only the first."""
    return all(value) if isinstance(value, tuple) else bool(value)


def _po(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def test_every_locale_but_english_has_a_catalog() -> None:
    assert CATALOGS == ["pt_BR", "es"]
    assert sorted(p.name for p in LOCALE_DIR.iterdir() if p.is_dir()) == sorted(CATALOGS)


@pytest.mark.parametrize("locale", CATALOGS)
def test_compiled_catalog_matches_its_source(locale: str) -> None:
    po_path = _po(locale)
    with po_path.open("rb") as po, po_path.with_suffix(".mo").open("rb") as mo:
        assert _entries(read_po(po)) == _entries(read_mo(mo)), (
            f"run: pybabel compile -l {locale} (docs/digests.md)"
        )


@pytest.mark.parametrize("locale", CATALOGS)
def test_every_message_has_a_translation(locale: str) -> None:
    extracted = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE),
            method_map=[("**.py", "python"), ("templates/**.j2", "jinja2")],
            options_map={"templates/**.j2": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    with _po(locale).open("rb") as po:
        translated = _entries(read_po(po))
    missing = sorted(str(m) for m in extracted if not _translated(translated.get(m)))
    assert len(extracted) > 60
    assert not missing, f"untranslated in {locale}/messages.po: {missing}"


def test_the_catalogs_hold_the_same_messages() -> None:
    """`alert` is used inside an f-string, which extraction misses: each catalog must still
    have it, and every other message one has."""
    ids: dict[str, set[object]] = {}
    for locale in CATALOGS:
        with _po(locale).open("rb") as po:
            ids[locale] = set(_entries(read_po(po)))
    assert all(messages == ids["pt_BR"] for messages in ids.values())
    assert "alert" in ids["es"]


def test_numbers_and_dates_follow_the_locale() -> None:
    pt, en = Formatter("pt_BR"), Formatter("en")
    assert pt.number(1234.5, 1) == "1.234,5"
    assert en.number(1234.5, 1) == "1,234.5"
    assert pt.percent(0.256) == "26%"
    assert pt.points(0.034) == "+3 p.p."
    assert en.points(-0.12) == "\u221212 pp"
    assert pt.date(date(2026, 11, 17)) == "17 de nov. de 2026"
    assert en.date(date(2026, 11, 17)) == "Nov 17, 2026"
    assert pt.signed(-0.65) == "\u221265"


def test_spanish_numbers_and_dates_follow_babel() -> None:
    es = Formatter("es")
    assert es.number(1234.5, 1) == "1.234,5"
    assert es.percent(0.256) == "26\u00a0%"
    assert es.percent(0.2567, 1) == "25,7\u00a0%"
    assert es.points(0.034) == "+3 p.\u00a0p."
    assert es.date(date(2026, 11, 17)) == "17 nov 2026"
    assert es.short_day(date(2026, 11, 16)) == "16 nov"
    assert es.duration(3.5 * 3600) == "3,5 h"
    assert es.ngettext("%(num)d day", "%(num)d days", 2) % {"num": 2} == "2 días"
    assert es.ngettext("%(num)d day", "%(num)d days", 1) % {"num": 1} == "1 día"
    assert set(POINTS) == set(LOCALES)
    # English and Portuguese keep their unspaced percent with decimals.
    assert Formatter("en").percent(0.2567, 1) == "25.7%"
    assert Formatter("pt_BR").percent(0.2567, 1) == "25,7%"


def test_a_digest_in_portuguese(sqlite_store: Store) -> None:
    seed(sqlite_store, [
        {"text": "sem internet de novo", "created_at": at(16, 9), "sentiment": "negative"},
        {"text": "adorei o plano", "created_at": at(16, 10), "sentiment": "positive"},
    ])  # fmt: skip
    digest = build_digest(
        DigestReads(sqlite_store.engine), Window(start=at(16, 0), end=at(17, 0)), brand="Acme"
    )
    page = render_html(digest, locale="pt_BR").html
    assert '<html lang="pt">' in page
    for phrase in ("Resumo social Acme", "Sentimento líquido", "Volume por dia", "1 dia"):
        assert phrase in page
    assert "Net sentiment" not in page
    english = render_html(digest, locale="en").html
    assert "Acme social digest" in english and "1 day" in english


def test_a_digest_in_spanish(sqlite_store: Store) -> None:
    seed(sqlite_store, [
        {"text": "sin internet otra vez", "created_at": at(16, 9), "sentiment": "negative"},
        {"text": "me encanta el plan", "created_at": at(16, 10), "sentiment": "positive"},
        {"text": "¿a qué hora abren?", "created_at": at(17, 11), "sentiment": "neutral"},
    ])  # fmt: skip
    digest = build_digest(
        DigestReads(sqlite_store.engine), Window(start=at(16, 0), end=at(18, 0)), brand="Acme"
    )
    rendered = render_html(digest, locale="es")
    page = rendered.html
    assert '<html lang="es">' in page
    for phrase in (
        "Resumen social de Acme",
        "Sentimiento neto",
        "Volumen por día",
        "Proporción negativa",
        "2 días",
        "33\u00a0%",  # one negative post in three, Babel's `es` percent
    ):
        assert phrase in page, phrase
    assert "Net sentiment" not in page and "Sentimento" not in page
    assert "Resumen social de Acme" in rendered.text


def test_an_alert_in_spanish() -> None:
    fmt = Formatter("es")
    alert = Alert(
        id=1, kind="negative", scope="intent:billing", bucket_start=at(16, 8), posts=40,
        negative=30, baseline=0.2, score=9.0, post_ids=(1, 2),
    )  # fmt: skip
    title = headline(alert, fmt, "Acme")
    assert title == (
        "Pico negativo para Facturación: 75\u00a0% de publicaciones negativas en la hora a "
        f"partir de {fmt.datetime(at(16, 8))} UTC (normalmente 20\u00a0%)"
    )
    message = alert_email(
        alert, [], fmt=fmt, brand="Acme", link="http://q/queue?ids=1,2", sender="a@x.io",
        to=["m@x.io"],
    )  # fmt: skip
    assert message["Subject"] == f"[alerta] {title}"
    body = message.get_body(("plain",))
    assert body is not None and "Abrir estas publicaciones en la cola" in body.get_content()


def test_every_sentiment_has_a_name_and_a_colour_in_every_locale() -> None:
    """The sentiment labels are `kernel.vocab.SENTIMENTS`; each is named in every locale."""
    from kernel.vocab import LOCALES, SENTIMENTS
    from triage.digest.charts import COLOURS

    for locale in LOCALES:
        names = [Formatter(locale).sentiment(label) for label in SENTIMENTS]
        assert all(name and name != label for name, label in zip(names, SENTIMENTS, strict=True))
        assert len(set(names)) == len(SENTIMENTS)
    assert Formatter("pt_BR").sentiment("negative") != Formatter("en").sentiment("negative")
    assert Formatter("es").sentiment("negative") == "Negativo"
    assert set(SENTIMENTS) <= set(COLOURS)
