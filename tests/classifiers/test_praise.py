"""Sarcasm is read for what it means (issue 17, §5: "thanks for the 12 hour delay"), and sincere
thanks stay clear praise, in en/pt/es: by the word lists, in the signals, through the shipped
rules and through the real classifier."""

from __future__ import annotations

import numpy as np
import pytest

from classifiers.heads import INTENT_LABELS, HeadScores
from classifiers.keywords import keyword_hits
from classifiers.pipeline import KEYWORD_INTENT_FLOOR, Classifier, signals_from_scores
from classifiers.rules import RuleSet
from config.schema import Settings
from kernel.models import Route
from tests.classifiers.test_rules import THRESHOLD

SARCASTIC = [
    "@JetAzul thanks for the 12 hour delay, really appreciate it",
    "@AcmeHelp love waiting on hold for 3 hours, great job",
    "@SkyNorth flight cancelled, amazing, just what I needed today",
    "@Fibrenet awesome, no internet for the third evening in a row 🙃",
    "@VoeLatam obrigado pelas 8 horas de atraso, amei",
    "@ClaroBR valeu demais pela internet caindo todo dia, show de bola 👏",
    "@LojaMais parabéns, pedido extraviado pela segunda vez",
    "@BancoVerde ótimo, 40 minutos na espera e ninguém atende",
    "@AeroSol gracias por cancelar mi vuelo otra vez, excelente servicio",
    "@MovilUno genial, sin señal desde el lunes",
    "@TiendaYa felicidades, pedido retrasado una semana",
    "@BancoSur excelente, dos horas en espera 🙄",
    "@SkyNorth thanks for nothing",
    "@VoeLatam obrigado por nada, de verdade",
    "@AeroSol gracias por arruinar mis vacaciones",
]

SINCERE = [
    "@AcmeHelp thanks team, the new app update is great!",
    "@JetAzul thanks for sorting the delay so fast, made my day",
    "@Fibrenet internet is back up, thanks for the quick fix",
    "@SkyNorth amazing crew today, five stars",
    "@ClaroBR internet caiu e voltou em 5 minutos, valeu pela rapidez",
    "@ClaroBR parabéns pelo atendimento, nota 10",
    "@LojaMais chegou antes do prazo, amei 😍",
    "@AeroSol gracias, a pesar del retraso la tripulación fue genial",
    "@MovilUno excelente atención, muy buena",
    "@TiendaYa llegó rápido, recomiendo",
]


@pytest.mark.parametrize("text", SARCASTIC)
def test_praise_about_an_ordeal_is_sarcasm_not_praise(text: str) -> None:
    hits = keyword_hits(text)
    assert "sarcasm" in hits
    assert "praise" not in hits


@pytest.mark.parametrize("text", SINCERE)
def test_sincere_thanks_are_not_sarcasm(text: str) -> None:
    hits = keyword_hits(text)
    assert "sarcasm" not in hits
    assert "praise" in hits


@pytest.mark.parametrize(
    "text", ["thanks again for the help!", "obrigado mais uma vez", "gracias otra vez"]
)
def test_again_in_a_thank_you_is_no_ordeal(text: str) -> None:
    assert "sarcasm" not in keyword_hits(text)


def heads_that_read_the_words(n: int) -> HeadScores:
    """What the shipped heads said of the issue's sentence: praise, positive, no complaint."""
    intents = {label: np.full(n, 0.05, dtype=np.float32) for label in INTENT_LABELS}
    intents["praise"] = np.full(n, 0.99, dtype=np.float32)
    return HeadScores(
        sentiment=np.tile(np.array([[0.06, 0.10, 0.84]], dtype=np.float32), (n, 1)),
        complaint=np.full(n, 0.10, dtype=np.float32),
        private=np.full(n, 0.03, dtype=np.float32),
        intents=intents,
    )


@pytest.mark.parametrize(
    "text",
    [
        "@acme obrigado pela ajuda ontem, resolveu tudo",
        "@acme valeu pela ajuda!",
        "@acme gracias por la ayuda, ya quedó",
        "@acme thanks for the help yesterday, all sorted",
    ],
)
def test_thanks_for_help_given_is_praise(text: str) -> None:
    assert "praise" in keyword_hits(text)


@pytest.mark.parametrize(
    "text",
    [
        "@acme thanks, I need help",
        "@acme obrigado, preciso de ajuda",
        "@acme gracias, necesito ayuda",
        "@acme thanks for the help but my refund never came",
    ],
)
def test_help_asked_for_is_no_praise(text: str) -> None:
    assert "praise" not in keyword_hits(text)


def test_sarcastic_signals_read_negative_and_as_a_complaint() -> None:
    texts = [SARCASTIC[0], SINCERE[0]]
    sarcastic, sincere = signals_from_scores(texts, heads_that_read_the_words(2))
    assert sarcastic.sentiment == "negative"
    assert sarcastic.sentiment_score == pytest.approx(0.84, abs=1e-6)
    assert sarcastic.sentiment_scores["positive"] == pytest.approx(0.06, abs=1e-6)
    assert sarcastic.complaint >= KEYWORD_INTENT_FLOOR
    assert sarcastic.intents["praise"] <= 1 - KEYWORD_INTENT_FLOOR + 1e-6
    # The sincere post keeps what the heads said.
    assert sincere.sentiment == "positive"
    assert sincere.complaint == pytest.approx(0.10, abs=1e-6)


def test_a_sarcastic_post_is_answered_not_ignored_by_the_shipped_rules() -> None:
    texts = [SARCASTIC[0], SARCASTIC[5], SINCERE[0]]
    rules = RuleSet.default()
    decided = [
        rules.decide(None, text, sig, review_threshold=THRESHOLD)
        for text, sig in zip(
            texts, signals_from_scores(texts, heads_that_read_the_words(3)), strict=True
        )
    ]
    assert "'clear-praise': keyword_category: its praise words read as sarcasm" in (
        decided[0].explanation
    )
    assert [(d.rule, d.route) for d in decided] == [
        ("sarcasm", Route.PUBLIC_REPLY),
        ("sarcasm", Route.PUBLIC_REPLY),
        ("clear-praise-addressed", Route.PUBLIC_REPLY),  # said to the brand: a thank-you
    ]


@pytest.mark.slow
def test_the_real_classifier_answers_sarcasm_in_every_language() -> None:
    classifier = Classifier.from_settings(Settings())
    results = classifier.classify([(None, text) for text in SARCASTIC + SINCERE])
    sarcastic, sincere = results[: len(SARCASTIC)], results[len(SARCASTIC) :]
    ignored = [
        text for text, (_, d) in zip(SARCASTIC, sarcastic, strict=True) if d.route is Route.IGNORE
    ]
    assert ignored == []
    assert all(signals.sentiment == "negative" for signals, _ in sarcastic)
    # Sincere praise said to the brand gets a thank-you in public, never a DM. (A thank-you for
    # a fixed outage may read as a complaint to the heads: answered in public all the same.)
    misread = [
        text
        for text, (_, d) in zip(SINCERE, sincere, strict=True)
        if d.route is not Route.PUBLIC_REPLY
    ]
    assert misread == []
    thanked = [d for _, d in sincere if d.rule == "clear-praise-addressed"]
    assert len(thanked) >= len(SINCERE) - 2 and all(d.priority == "low" for d in thanked)
