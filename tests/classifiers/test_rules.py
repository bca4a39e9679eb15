"""The ordered rules engine: conditions, first-match semantics, explanations (bad files:
test_rules_file_errors.py).

Signals are built by hand here; no model is loaded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from classifiers.rule_checks import CONDITION_NAMES
from classifiers.rule_conditions import Conditions, Context, Outcome
from classifiers.rules import RuleSet
from classifiers.sensitive import detect
from kernel.models import Author, Post, Route, SensitiveFinding, Signals

THRESHOLD = 0.55


def signals(text: str = "", **overrides: Any) -> Signals:
    values: dict[str, Any] = {
        "sentiment": "neutral",
        "sentiment_score": 0.9,
        "complaint": 0.0,
        "private_score": 0.0,
        "intents": {},
        "sensitive": detect(text),
        "language": "en",
    }
    values.update(overrides)
    return Signals(**values)


def post(text: str = "hello", **overrides: Any) -> Post:
    values: dict[str, Any] = {
        "source": "x",
        "external_id": "1",
        "text": text,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "author": Author(handle="jane", followers=1200, verified=True),
        "query": "@acme support",
        "lang": "en",
    }
    values.update(overrides)
    return Post(**values)


def one_rule(when: dict[str, Any], **rule: Any) -> RuleSet:
    """A rule named `r` with the given conditions, then a default named `fallback`."""
    spec = {"name": "r", "when": when, "route": "helpdesk", **rule}
    default = {"name": "fallback", "when": {}, "route": "ignore"}
    return RuleSet.parse(yaml.safe_dump({"rules": [spec, default]}), source="test.yaml")


def matches(when: dict[str, Any], text: str = "hello", p: Post | None = None, **sig: Any) -> bool:
    decision = one_rule(when).decide(p, text, signals(text, **sig), review_threshold=THRESHOLD)
    return decision.rule == "r"


# --- every condition, positive and negative ----------------------------------------------------

CONDITION_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    # name, when, kwargs that match, kwargs that do not
    ("source", {"source": ["x", "reddit"]}, {"p": post()}, {"p": post(source="feed")}),
    ("source-scalar", {"source": "x"}, {"p": post()}, {"p": None}),
    ("query", {"query": "SUPPORT"}, {"p": post()}, {"p": post(query="@acme deals")}),
    ("language", {"language": ["pt"]}, {"language": "pt-BR"}, {"language": "en"}),
    (
        "keywords_any",
        {"keywords_any": ["cobrança", "refund"]},
        {"text": "COBRANCA duplicada"},
        {"text": "cobranças"},
    ),
    (
        "keywords_all",
        {"keywords_all": ["app", "login"]},
        {"text": "the App login fails"},
        {"text": "the app crashes"},
    ),
    ("regex", {"regex": r"order\s+#?\d{6}"}, {"text": "Order #123456"}, {"text": "order soon"}),
    (
        "keyword_category",
        {"keyword_category": ["billing", "refund"]},
        {"text": "cadê meu estorno"},
        {"text": "lovely day"},
    ),
    ("sentiment", {"sentiment": "negative"}, {"sentiment": "negative"}, {"sentiment": "positive"}),
    (
        "sentiment-list",
        {"sentiment": ["negative", "neutral"]},
        {"sentiment": "neutral"},
        {"sentiment": "positive"},
    ),
    (
        "sentiment_score_min",
        {"sentiment_score_min": 0.8},
        {"sentiment_score": 0.85},
        {"sentiment_score": 0.7},
    ),
    (
        "sensitive_any",
        {"sensitive_any": ["payment_card"]},
        {"text": "card 4111 1111 1111 1111"},
        {"text": "mail me at a@b.com"},
    ),
    ("sensitive_any-any", {"sensitive_any": "any"}, {"text": "mail a@b.com"}, {"text": "hi"}),
    (
        "intent",
        {"intent": {"billing": 0.6, "refund": 0.5}},
        {"intents": {"billing": 0.1, "refund": 0.55}},
        {"intents": {"billing": 0.59, "refund": 0.2}},
    ),
    ("complaint_min", {"complaint_min": 0.6}, {"complaint": 0.6}, {"complaint": 0.59}),
    (
        "private_score_min",
        {"private_score_min": 0.5},
        {"private_score": 0.7},
        {"private_score": 0.4},
    ),
    (
        "private_score_max",
        {"private_score_max": 0.3},
        {"private_score": 0.2},
        {"private_score": 0.4},
    ),
    (
        "author_followers_min",
        {"author_followers_min": 1000},
        {"p": post()},
        {"p": post(author=Author(handle="small", followers=10))},
    ),
    (
        "author_verified",
        {"author_verified": True},
        {"p": post()},
        {"p": post(author=Author(handle="u", verified=False))},
    ),
    (
        "author_is_brand",
        {"author_is_brand": True},
        {"p": post(author=Author(handle="acme", is_brand=True))},
        {"p": post()},
    ),
    (
        "addressed",
        {"addressed": True},
        {"p": post("@acme where is it?"), "text": "@acme where is it?"},
        {"p": post("acme lost it again"), "text": "acme lost it again"},
    ),
    (
        "not",
        {"not": {"sentiment": "positive"}},
        {"sentiment": "negative"},
        {"sentiment": "positive"},
    ),
]


@pytest.mark.parametrize(
    ("name", "when", "positive", "negative"), CONDITION_CASES, ids=[c[0] for c in CONDITION_CASES]
)
def test_condition(
    name: str, when: dict[str, Any], positive: dict[str, Any], negative: dict[str, Any]
) -> None:
    assert matches(when, **positive)
    assert not matches(when, **negative)


def test_every_condition_has_a_test() -> None:
    tested = {next(iter(case[1])) for case in CONDITION_CASES}
    assert tested == set(CONDITION_NAMES)


def test_all_conditions_in_a_block_must_hold() -> None:
    when = {"sentiment": "negative", "complaint_min": 0.5}
    assert matches(when, sentiment="negative", complaint=0.9)
    assert not matches(when, sentiment="negative", complaint=0.1)
    assert not matches(when, sentiment="positive", complaint=0.9)


def test_without_a_post_source_and_author_conditions_do_not_hold() -> None:
    for when in ({"source": "x"}, {"query": "acme"}, {"author_verified": False}):
        assert not matches(when, p=None)
    assert matches({"not": {"author_is_brand": True}}, p=None)


def test_language_falls_back_to_the_post_language() -> None:
    assert matches({"language": "pt"}, p=post(lang="pt"), language=None)


def test_rule_match_is_the_single_hook() -> None:
    rule = one_rule({"complaint_min": 0.5}).rules[0]
    outcome = rule.match(None, "text", signals(complaint=0.75))
    assert isinstance(outcome, Outcome)
    assert outcome.holds
    assert outcome.confidence == pytest.approx(0.75)  # 0.5 + 0.5 * (0.75 - 0.5) / 0.5


# --- first match decides -----------------------------------------------------------------------


RULES_ABC = """
rules:
  - name: a
    when: {sentiment: positive}
    route: public_reply
  - name: b
    when: {complaint_min: 0.5}
    route: private_dm
    priority: high
  - name: c
    when: {complaint_min: 0.1}
    route: helpdesk
  - name: default
    when: {}
    route: ignore
"""


def test_the_first_matching_rule_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[Conditions] = []
    original = Conditions.check

    def spy(self: Conditions, ctx: Context) -> Outcome:
        checked.append(self)
        return original(self, ctx)

    monkeypatch.setattr(Conditions, "check", spy)
    ruleset = RuleSet.parse(RULES_ABC)
    decision = ruleset.decide(None, "t", signals(complaint=0.9), review_threshold=THRESHOLD)
    assert decision.rule == "b"
    assert decision.route is Route.PRIVATE_DM
    assert decision.priority == "high"
    assert decision.rules_tried == ("a",)
    # c matches too, but it and the default were never evaluated.
    assert checked == [ruleset.rules[0].when, ruleset.rules[1].when]


def test_the_default_catches_the_rest() -> None:
    decision = RuleSet.parse(RULES_ABC).decide(None, "t", signals(), review_threshold=THRESHOLD)
    assert decision.rule == "default"
    assert decision.route is Route.IGNORE
    assert decision.rules_tried == ("a", "b", "c")


def test_every_tried_rule_is_explained_in_order() -> None:
    decision = RuleSet.parse(RULES_ABC).decide(None, "t", signals(), review_threshold=THRESHOLD)
    lines = decision.explanation.splitlines()
    start = lines.index("tried first, did not match:")
    assert lines[start + 1 : start + 4] == [
        "  #1 'a': sentiment: neutral (0.90) not in ['positive']",
        "  #2 'b': complaint_min: complaint 0.00 < 0.50",
        "  #3 'c': complaint_min: complaint 0.00 < 0.10",
    ]


# --- work done once per block, not per post -----------------------------------------------------


def test_a_block_works_out_its_checks_once_and_stays_a_plain_value() -> None:
    when = {
        "keywords_any": ["refund", "estorno"],
        "regex": r"order\s+\d+",
        "intent": {"billing": 0.6, "refund": 0.5},
    }
    used, fresh = Conditions.model_validate(when), Conditions.model_validate(when)
    ctx = Context(post=None, text="REFUND for order 123", signals=signals(intents={"billing": 0.7}))
    outcome = used.check(ctx)
    names = [check.__name__ for check in used.active_checks]
    assert names == ["_keywords_any", "_regex", "_intent"]
    assert used == fresh
    assert used.check(ctx) == outcome
    assert outcome == Outcome(
        holds=True,
        reason=r"keywords_any: found ['refund']; regex: 'order\\s+\\d+' matches; "
        "intent: intent.billing 0.70 >= 0.60",
        confidence=pytest.approx(0.5 + 0.5 * 0.1 / 0.4),  # billing's margin over 0.6
        scores={"intent.billing": 0.7, "intent.refund": 0.0},
    )


def test_a_one_condition_block_has_that_condition_s_outcome() -> None:
    ctx = Context(post=None, text="t", signals=signals(complaint=0.75))
    assert Conditions(complaint_min=0.5).check(ctx) == Outcome(
        holds=True,
        reason="complaint_min: complaint 0.75 >= 0.50",
        confidence=0.75,
        scores={"complaint": 0.75},
    )


def test_an_intent_block_missing_every_minimum() -> None:
    block = Conditions.model_validate({"intent": {"billing": 0.6, "refund": 0.5}})
    ctx = Context(post=None, text="t", signals=signals(intents={"billing": 0.1, "refund": 0.4}))
    outcome = block.check(ctx)
    assert not outcome.holds
    shown = "billing 0.10 < 0.60, refund 0.40 < 0.50"
    assert outcome.reason == f"intent: none reaches its minimum ({shown})"
    # The closest miss decides how sure the miss is: refund, 0.1 under 0.5.
    assert outcome.confidence == pytest.approx(0.5 + 0.5 * 0.1 / 0.5)
    assert outcome.scores == {"intent.billing": 0.1, "intent.refund": 0.4}


# --- confidence and review ------------------------------------------------------------------------


def test_deterministic_matches_are_certain() -> None:
    text = "card 4111 1111 1111 1111"
    decision = RuleSet.default().decide(post(text), text, signals(text), review_threshold=0.55)
    assert decision.rule == "sensitive-data"
    assert decision.confidence == 1.0
    assert not decision.needs_review


def test_a_score_near_its_threshold_needs_review() -> None:
    ruleset = one_rule({"complaint_min": 0.6}, route="public_reply")
    near = ruleset.decide(None, "t", signals(complaint=0.62), review_threshold=THRESHOLD)
    clear = ruleset.decide(None, "t", signals(complaint=0.95), review_threshold=THRESHOLD)
    assert near.rule == clear.rule == "r"
    assert near.needs_review and near.confidence < THRESHOLD
    assert not clear.needs_review and clear.confidence > 0.9


def test_a_near_miss_of_an_earlier_rule_lowers_confidence() -> None:
    ruleset = RuleSet.parse(RULES_ABC)
    decision = ruleset.decide(None, "t", signals(complaint=0.48), review_threshold=THRESHOLD)
    assert decision.rule == "c"
    # b (private_dm) missed 0.5 by 0.02: the helpdesk decision is a coin flip.
    assert decision.confidence < THRESHOLD
    assert decision.needs_review


def test_a_rule_can_always_ask_for_review() -> None:
    ruleset = one_rule({"sensitive_any": "any"}, review=True)
    decision = ruleset.decide(None, "a@b.com", signals("a@b.com"), review_threshold=0.0)
    assert decision.needs_review
    assert "the rule asks for review" in decision.explanation


def test_tier_sink_and_versions_are_recorded() -> None:
    ruleset = one_rule({"sensitive_any": "any"}, tier=3, sink="zendesk")
    decision = ruleset.decide(None, "a@b.com", signals("a@b.com"), review_threshold=THRESHOLD)
    assert decision.tier == 3
    assert decision.sink == "zendesk"
    assert decision.rules_version == ruleset.version
    assert len(ruleset.version) == 12
    default = RuleSet.parse(RULES_ABC).decide(None, "t", signals(), review_threshold=THRESHOLD)
    assert default.tier is None  # ignore has no tier


def test_the_version_follows_the_content() -> None:
    assert RuleSet.parse(RULES_ABC).version == RuleSet.parse(RULES_ABC).version
    assert RuleSet.parse(RULES_ABC).version != RuleSet.parse(RULES_ABC + "\n# x").version


# --- explanations -------------------------------------------------------------------------------


def test_the_explanation_says_what_matched_what_failed_and_the_scores() -> None:
    ruleset = RuleSet.parse(RULES_ABC)
    decision = ruleset.decide(
        None, "t", signals(sentiment="negative", complaint=0.9), review_threshold=THRESHOLD
    )
    text = decision.explanation
    assert "matched rule 'b' (#2 of 4): complaint_min: complaint 0.90 >= 0.50" in text
    assert "#1 'a': sentiment: negative (0.90) not in ['positive']" in text
    assert "'c'" not in text  # never evaluated
    assert "complaint=0.90" in text
    assert "route private_dm" in text
    assert decision.scores["complaint"] == 0.9


def test_the_explanation_never_shows_a_sensitive_value() -> None:
    text = "my card 4111 1111 1111 1111, cpf 529.982.247-25, senha: Batata#12"
    decision = RuleSet.default().decide(None, text, signals(text), review_threshold=THRESHOLD)
    assert decision.route is Route.HELPDESK
    assert "**** **** **** 1111" in decision.explanation
    for secret in ("4111 1111 1111 1111", "529.982.247-25", "Batata#12"):
        assert secret not in decision.explanation
        assert secret not in str(decision.scores)


def test_sensitive_findings_from_signals_are_used_as_given() -> None:
    finding = SensitiveFinding(kind="iban", start=0, end=4, preview="PT** ****")
    sig = signals(sensitive=(finding,))
    decision = one_rule({"sensitive_any": ["iban"]}).decide(None, "....", sig, review_threshold=0)
    assert decision.rule == "r"
    assert "iban (PT** ****)" in decision.explanation
