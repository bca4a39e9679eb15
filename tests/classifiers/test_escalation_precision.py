"""Issue 10: the helpdesk route is earned, and sensitive topics reach it (or DM) in en and pt.

Every example sentence of the issue, through the shipped rules with the head scores that sent
it the wrong way before (a safety head that fires on praise, a keyword lift on "entrega").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from classifiers.heads import INTENT_LABELS, HeadScores
from classifiers.keywords import keyword_hits
from classifiers.pipeline import signals_from_scores
from classifiers.rules import RuleSet
from kernel.models import Route
from tests.classifiers.test_rules import THRESHOLD, signals

#: What the old safety head said about harmless praise (it sent both to the helpdesk, urgent).
MISFIRING_SAFETY_HEAD = {"intents": {"safety": 0.93}, "sentiment": "positive"}


def decide(text: str, **sig: Any) -> tuple[str, Route, str]:
    decision = RuleSet.default().decide(
        None, text, signals(text, **sig), review_threshold=THRESHOLD
    )
    return decision.rule, decision.route, decision.priority


@pytest.mark.parametrize("text", ["atendimento nota 10, obrigada", "lua blanco maravilhosa 😍👏"])
def test_praise_is_not_escalated_when_the_safety_head_misfires(text: str) -> None:
    rule, route, _ = decide(text, **MISFIRING_SAFETY_HEAD)
    assert route is not Route.HELPDESK
    assert rule == "clear-praise"


def test_a_model_score_alone_never_reaches_the_helpdesk() -> None:
    sig = {"intents": {"safety": 0.99, "legal_threat": 0.99}, "complaint": 0.9,
           "sentiment": "negative"}  # fmt: skip
    rule, route, _ = decide("this is the worst thing ever", **sig)
    assert route is Route.PRIVATE_DM and rule in {"legal-threat-model", "safety-model"}


def quiet_heads(n: int = 1) -> HeadScores:
    """Heads that see nothing in particular: what the text alone does shows."""
    return HeadScores(
        sentiment=np.tile(np.array([[0.2, 0.5, 0.3]], dtype=np.float32), (n, 1)),
        complaint=np.zeros(n, dtype=np.float32),
        private=np.zeros(n, dtype=np.float32),
        intents={label: np.full(n, 0.1, dtype=np.float32) for label in INTENT_LABELS},
    )


def test_a_keyword_lift_does_not_override_clear_praise() -> None:
    text = "entrega chegou muito rápido, parabéns"
    (sig,) = signals_from_scores([text], quiet_heads())
    assert sig.intents["delivery"] == pytest.approx(0.1, abs=1e-6)  # not lifted to 0.8
    assert sig.intents["praise"] >= 0.8
    rule, route, _ = decide(text, intents={"delivery": 0.7})  # even if the head says delivery
    assert (rule, route) == ("clear-praise", Route.IGNORE)


@pytest.mark.parametrize(
    "text",
    [
        "@acme obrigada, mas a entrega não chegou",
        "@acme thanks, but my order never arrived",
        "@acme parabéns pelo app, cadê meu reembolso?",
    ],
)
def test_praise_with_a_complaint_is_not_clear_praise(text: str) -> None:
    assert "praise" not in keyword_hits(text)
    (sig,) = signals_from_scores([text], quiet_heads())  # the topic word lifts its intent
    decision = RuleSet.default().decide(None, text, sig, review_threshold=THRESHOLD)
    assert decision.route is Route.PRIVATE_DM, decision.rule


@pytest.mark.parametrize(
    ("text", "route"),
    [
        # pt: fraud, pix scam, cloned card, blocked account, unrecognised purchase, chargeback
        ("Caí num golpe pelo pix e o banco diz que não pode fazer nada", "helpdesk"),
        ("sofri um golpe no pix ontem, alguém me ajuda", "helpdesk"),
        ("meu cartão foi clonado e fizeram três compras", "helpdesk"),
        ("não reconheço a compra de R$ 900 na minha fatura", "helpdesk"),
        ("quero fazer chargeback dessa compra", "helpdesk"),
        ("isso é fraude, tiraram dinheiro da minha conta", "helpdesk"),
        ("Minha conta foi bloqueada do nada e meu salário tá preso", "private_dm"),
        ("bloquearam minha conta sem aviso", "private_dm"),
        # en
        ("I got scammed by someone pretending to be your support", "helpdesk"),
        ("my card was cloned and used in another country", "helpdesk"),
        ("I don't recognize this charge on my statement", "helpdesk"),
        ("there's a fraudulent transaction on my card", "helpdesk"),
        ("I want to dispute the charge, I never got the item", "helpdesk"),
        ("my account was locked and my salary is stuck in it", "private_dm"),
        # An account takeover is the helpdesk's since issue 19 (LABEL_GUIDE.md: helpdesk).
        ("someone hacked my account and changed the email", "helpdesk"),
        # es
        ("me estafaron con una transferencia falsa", "helpdesk"),
        ("no reconozco estos cargos en mi tarjeta", "helpdesk"),
        ("bloquearon mi cuenta y no puedo entrar", "private_dm"),
    ],
)
def test_sensitive_topics_without_a_number_leave_the_public_channel(text: str, route: str) -> None:
    # the real heads read each of these as a complaint (0.76-0.95)
    rule, got, _ = decide(text, sentiment="negative", complaint=0.6)
    assert got.value == route, rule


@pytest.mark.parametrize(
    ("text", "kind", "rule"),
    [
        # An American Express number written 4-4-4-3.
        ("my amex 3782 8224 6310 005 was charged for something I didn't buy", "payment_card",
         "sensitive-data"),
        # An SSN-shaped number the customer says is theirs, in a range SSA never issued.
        ("you printed my SSN 987-65-4320 on the envelope!!", "ssn", "sensitive-data"),
        ("a chargeback request for account id 55829103, double charge in May", "account_number",
         "sensitive-data"),
        # A Spanish account-access plea with the customer's e-mail.
        ("no puedo entrar a mi cuenta, ayúdenme por favor, mi correo es maria.lopez@gmail.com",
         "email", "account-access-with-contact"),
    ],
)  # fmt: skip
def test_sensitive_values_the_detector_missed_now_reach_the_helpdesk(
    text: str, kind: str, rule: str
) -> None:
    found = {finding.kind for finding in signals(text).sensitive}
    assert kind in found
    assert decide(text)[:2] == (rule, Route.HELPDESK)


@pytest.mark.parametrize(
    "text",
    [
        "O aplicativo de vocês mostrou meu prontuário médico para outra pessoa",
        "your app showed my medical records to someone else",
        "la app mostró mi historial médico a otra persona",
    ],
)
def test_medical_records_shown_to_someone_else_is_an_urgent_helpdesk_case(text: str) -> None:
    assert decide(text) == ("privacy-breach", Route.HELPDESK, "urgent")


@pytest.mark.parametrize(
    "text",
    [
        "Four were killed, 19 injured, reports the local paper",  # news: no complaint
        "this team is on fire tonight",
        "my lawyer friend loved the new season",
    ],
)
def test_topic_words_in_chatter_do_not_reach_the_helpdesk(text: str) -> None:
    assert decide(text, sentiment="positive")[1] is not Route.HELPDESK


@pytest.mark.parametrize(
    "text",
    [
        "@AcmeStore the charger popped, the plastic melted around the prongs, burn mark on my desk",
        "@VoltStore my new hair dryer shorted out and left scorch marks on the counter",
        "@LojaMais o carregador faiscou e derreteu o plástico da tomada",
        "@TiendaYa el cargador echó chispas, cortocircuito total",
    ],
)
def test_a_product_that_sparks_or_melts_is_a_safety_case(text: str) -> None:
    assert "safety" in keyword_hits(text)
    rule, route, priority = decide(text, complaint=0.8, sentiment="negative")
    assert (rule, route, priority) == ("safety", Route.HELPDESK, "urgent")


@pytest.mark.parametrize(
    "text", ["that last episode sparked a lot of debate lol", "the ice cream melted on the way"]
)
def test_figures_of_speech_are_no_safety_words(text: str) -> None:
    assert "safety" not in keyword_hits(text)
