"""Digests and alerts speak English and Brazilian Portuguese; the shipped catalog is complete
and its compiled .mo matches the .po."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kernel.period import Window
from tests.digest.helpers import at, seed
from triage.digest.compute import build_digest
from triage.digest.i18n import LOCALE_DIR, Formatter
from triage.digest.render import render_html
from triage.storage import Store
from triage.storage.digest_reads import DigestReads

PO = LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PACKAGE = Path(__file__).resolve().parents[2] / "triage" / "digest"


def _entries(catalog: Catalog) -> dict[object, object]:
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_compiled_catalog_matches_its_source() -> None:
    with PO.open("rb") as po, MO.open("rb") as mo:
        assert _entries(read_po(po)) == _entries(read_mo(mo)), (
            "run: pybabel compile (docs/digests.md)"
        )


def test_every_message_has_a_portuguese_translation() -> None:
    extracted = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE),
            method_map=[("**.py", "python"), ("templates/**.j2", "jinja2")],
            options_map={"templates/**.j2": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    with PO.open("rb") as po:
        translated = _entries(read_po(po))
    missing = sorted(str(m) for m in extracted if not translated.get(m))
    assert len(extracted) > 60
    assert not missing, f"untranslated in {PO.name}: {missing}"


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


def test_every_sentiment_has_a_name_and_a_colour_in_every_locale() -> None:
    """The sentiment labels are `kernel.vocab.SENTIMENTS`; each is named in every locale."""
    from kernel.vocab import LOCALES, SENTIMENTS
    from triage.digest.charts import COLOURS

    for locale in LOCALES:
        names = [Formatter(locale).sentiment(label) for label in SENTIMENTS]
        assert all(name and name != label for name, label in zip(names, SENTIMENTS, strict=True))
        assert len(set(names)) == len(SENTIMENTS)
    assert Formatter("pt_BR").sentiment("negative") != Formatter("en").sentiment("negative")
    assert set(SENTIMENTS) <= set(COLOURS)
