"""The shipped rules (`classifiers/default_rules.yaml`): what each sends where, and its docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from classifiers.rules import RuleSet
from kernel.models import Author, Route
from tests.classifiers.test_rules import THRESHOLD, post, signals


@pytest.mark.parametrize(
    ("text", "sig", "author", "rule", "route"),
    [
        ("cartão 4111 1111 1111 1111", {}, None, "sensitive-data", "helpdesk"),
        ("vou processar vocês, já falei com meu advogado", {}, None, "legal-threat", "helpdesk"),
        ("the charger caught fire", {"complaint": 0.9}, None, "safety", "helpdesk"),
        ("the charger caught fire", {}, None, "safety-words", "private_dm"),
        ("new deals today!", {}, Author(handle="acme", is_brand=True), "brand-own-posts", "ignore"),
        ("buy followers", {"intents": {"spam": 0.95}}, None, "spam", "ignore"),
        ("where is my refund", {"intents": {"refund": 0.9}}, None, "account-specific-intent",
         "private_dm"),
        ("cobrança indevida na fatura", {}, None, "account-specific-words", "private_dm"),
        ("mail me at jane@example.com", {}, None, "contact-details", "private_dm"),
        ("hm", {"private_score": 0.9}, None, "private-channel", "private_dm"),
        ("app is slow", {"complaint": 0.95}, None, "complaint", "public_reply"),
        ("how do I export?", {"intents": {"question": 0.95}}, None, "question", "public_reply"),
        ("meh", {"private_score": 0.5}, None, "maybe-private", "private_dm"),
        ("ugh", {"sentiment": "negative", "sentiment_score": 0.8}, None, "maybe-complaint",
         "public_reply"),
        ("what a day", {}, None, "default", "ignore"),
    ],
)  # fmt: skip
def test_shipped_rules(
    text: str, sig: dict[str, Any], author: Author | None, rule: str, route: str
) -> None:
    p = post(text, author=author) if author else post(text)
    decision = RuleSet.default().decide(p, text, signals(text, **sig), review_threshold=THRESHOLD)
    assert (decision.rule, decision.route.value) == (rule, route)


SENSITIVE_TEXTS = (
    "IBAN GB82 WEST 1234 5698 7654 32",
    "CPF 529.982.247-25",
    "SSN 123-45-6780",
    "my password is Hunter22",
    "account number 48392017",
)


def test_shipped_rules_send_sensitive_data_to_the_helpdesk_urgently() -> None:
    for text in SENSITIVE_TEXTS:
        decision = RuleSet.default().decide(None, text, signals(text), review_threshold=THRESHOLD)
        assert (decision.route, decision.priority) == (Route.HELPDESK, "urgent"), text


def test_health_details_reach_the_helpdesk_in_a_complaint_and_leave_public_otherwise() -> None:
    rules = RuleSet.default()
    text = "fiz quimioterapia e não consigo ir à loja"
    urgent = rules.decide(None, text, signals(text, complaint=0.8), review_threshold=THRESHOLD)
    assert (urgent.rule, urgent.route, urgent.priority) == (
        "health-complaint",
        Route.HELPDESK,
        "urgent",
    )
    chatter = rules.decide(None, text, signals(text), review_threshold=THRESHOLD)
    assert (chatter.rule, chatter.route) == ("health-details", Route.PRIVATE_DM)


def test_the_shipped_file_is_documented_rule_by_rule() -> None:
    ruleset = RuleSet.default()
    lines = (Path(__file__).parents[2] / "classifiers" / "default_rules.yaml").read_text()
    blocks = lines.split("  - name: ")[1:]
    assert len(blocks) == len(ruleset.rules)
    previous = lines.split("  - name: ")[:-1]
    for chunk in previous[1:]:
        assert chunk.rstrip().splitlines()[-1].strip().startswith("#")
    assert ruleset.rules[-1].when.is_empty()
    assert len(ruleset.describe()) == len(ruleset.rules)
