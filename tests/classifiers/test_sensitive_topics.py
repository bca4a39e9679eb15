"""Sensitive topics without a number reach the helpdesk in en/pt/es, and a masked card keeps its
route (issue 19, defect 4), through the real classifier (the embedded encoder and the shipped
heads and rules)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers.pipeline import Classifier
from config.schema import Settings
from kernel.models import Author, Post, Route
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.storage import Store, make_engine, migrate
from triage.storage.decisions import DecisionStore

DATA = Path(__file__).parent / "data" / "sensitive_topics.tsv"
ROWS = list(
    csv.DictReader(
        (
            line
            for line in DATA.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")
        ),
        delimiter="\t",
    )
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.from_settings(Settings())


def test_the_set_is_large_enough_and_covers_every_topic_and_language() -> None:
    sensitive = [r for r in ROWS if r["route"] == "helpdesk"]
    assert len(sensitive) >= 60
    topics = Counter((r["topic"], r["lang"]) for r in sensitive)
    for topic in ("health_breach", "account_takeover", "fraud", "chargeback"):
        for lang in ("en", "pt", "es"):
            assert topics[(topic, lang)] >= 4, (topic, lang)
    assert sum(r["route"] != "helpdesk" for r in ROWS) >= 15  # near misses


#: Incidents found by their words without a number, each reported in every language.
INCIDENTS = (
    "safety",
    "harassment",
    "medication",
    "allergy",
    "phishing",
    "unauthorised",
    "data_exposed",
)


def test_every_incident_kind_is_reported_in_every_language() -> None:
    topics = Counter((r["topic"], r["lang"]) for r in ROWS if r["route"] == "helpdesk")
    for topic in INCIDENTS:
        for lang in ("en", "pt", "es"):
            assert topics[(topic, lang)] >= 2, (topic, lang)


def test_every_labelled_post_takes_its_route(classifier: Classifier) -> None:
    results = classifier.classify([(None, r["text"]) for r in ROWS])
    wrong = []
    for row, (_, decision) in zip(ROWS, results, strict=True):
        to_helpdesk = decision.route is Route.HELPDESK
        if to_helpdesk != (row["route"] == "helpdesk"):
            wrong.append(f"{row['text']!r}: {decision.route.value} by {decision.rule}")
    assert wrong == []


CARDS = (
    "3799 6030 8246 287",  # Amex typed 4-4-4-3: the example
    "3782 822463 10005",  # Amex 4-6-5
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "4111111111111111",
    "5555 5555 5555 4444",
    "601 111 111 111 1117",  # 3-3-3-3-4
)
CARD_TEXTS = [f"@AcmeHelp why was {card} declined??" for card in CARDS] + [
    f"meu cartão {CARDS[0]} foi recusado",
    f"la tarjeta {CARDS[2]} no pasa, ayuda",
]


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def test_the_daemon_and_classify_route_a_card_the_same_way(
    classifier: Classifier, sqlite_store: Store
) -> None:
    # `social-triage classify`: the raw text.
    raw = classifier.classify([(None, text) for text in CARD_TEXTS])
    # The daemon: the stored post, card masked before it was written.
    now = datetime.now(UTC)
    stored_posts = [
        Post(source="x", external_id=str(i), text=text, created_at=now, author=Author(handle="a"))
        for i, text in enumerate(CARD_TEXTS)
    ]
    sqlite_store.save_page("s", "replay", stored_posts, None)
    assert classify_pending(sqlite_store, classifier, default_sink=None) == len(CARD_TEXTS)
    decisions = DecisionStore(sqlite_store.engine)
    for i, (text, (_, decision)) in enumerate(zip(CARD_TEXTS, raw, strict=True)):
        stored = sqlite_store.find_post("x", str(i))
        assert stored is not None
        assert text != stored.post.text  # the card was masked at rest
        current = decisions.current(stored.id)
        assert current is not None
        assert (current.decision.route, current.decision.rule) == (decision.route, decision.rule), (
            text
        )
        assert decision.route is Route.HELPDESK, text


def test_the_classify_command_routes_the_cards_as_the_daemon_does(tmp_path: Path) -> None:
    """`social-triage classify` on the original texts: every card to the helpdesk, the route
    the daemon gives the masked, stored post (the test above)."""
    table = tmp_path / "cards.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text"])
        writer.writerows([text] for text in CARD_TEXTS)
    result = CliRunner().invoke(cli, ["classify", str(table)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["route"] for line in lines] == ["helpdesk"] * len(CARD_TEXTS)
