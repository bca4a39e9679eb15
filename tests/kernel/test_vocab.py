"""The word lists are defined once (kernel/vocab.py) and every place that shows a word to a
person names each of them: adding a label to the vocabulary fails here until it is named
everywhere, instead of showing up raw in a digest or a summary."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from classifiers.summary import SENSITIVE
from kernel.models import CaseStatus, Route
from kernel.vocab import (
    HEAD_MODELS,
    INTENTS,
    LOCALES,
    PRIORITIES,
    ROUTES,
    ROUTES_BY_URGENCY,
    SENSITIVE_KINDS,
    SENTIMENTS,
    TASKS,
)
from triage.digest.i18n import LOCALE_DIR, Formatter
from triage.digest.render import case_status_name, intent_name, route_name


def test_each_list_is_a_set_of_distinct_words() -> None:
    for words in (INTENTS, LOCALES, PRIORITIES, ROUTES, SENSITIVE_KINDS, SENTIMENTS, TASKS):
        assert len(set(words)) == len(words) and all(w == w.strip() and w for w in words)
    assert HEAD_MODELS == ("logreg", "mlp")


def test_the_reading_order_of_routes_holds_every_route_once() -> None:
    assert sorted(ROUTES_BY_URGENCY) == sorted(ROUTES) == sorted(r.value for r in Route)
    assert ROUTES_BY_URGENCY[0] == Route.HELPDESK.value


@pytest.mark.parametrize("locale", LOCALES)
def test_the_summaries_name_every_sensitive_kind(locale: str) -> None:
    assert set(SENSITIVE_KINDS) <= set(SENSITIVE[locale])


@pytest.mark.parametrize("locale", [locale for locale in LOCALES if locale != "en"])
def test_the_digest_names_every_label_with_a_translated_message(locale: str) -> None:
    """Each label's name is a message of the digest's catalog (so it is translated), not the
    raw label the name functions fall back to."""
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = {str(m.id): m.string for m in read_po(po) if m.id}
    en = Formatter("en")
    names = [intent_name(en, intent) for intent in INTENTS]
    names += [route_name(en, route) for route in ROUTES]
    names += [en.sentiment(sentiment) for sentiment in SENTIMENTS]
    names += [case_status_name(en, status.value) for status in CaseStatus]
    assert not [name for name in names if not catalog.get(name)]
