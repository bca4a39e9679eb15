"""Property-based tests: the default rules engine decides every input (any text and signals) with a
rule and a confidence in [0, 1], and a card or credential always goes to the helpdesk."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from classifiers.rules import RuleSet
from classifiers.sensitive import KINDS
from kernel.models import Author, Post, SensitiveFinding, Signals
from tests.strategies import EXAMPLES, texts

RULES = RuleSet.default()


@EXAMPLES
@given(
    texts,
    st.sampled_from(["negative", "neutral", "positive"]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
    st.dictionaries(st.sampled_from(["billing", "account", "outage", "x"]), st.floats(0, 1)),
    st.lists(st.sampled_from(KINDS), max_size=3),
    st.one_of(st.none(), st.text(max_size=5)),
    st.one_of(st.none(), st.integers(-5, 2**63 - 1)),
    st.one_of(st.none(), st.booleans()),
)
def test_the_rules_engine_decides_every_input(
    text: str,
    sentiment: str,
    score: float,
    complaint: float,
    private: float,
    intents: dict[str, float],
    kinds: list[str],
    language: str | None,
    followers: int | None,
    verified: bool | None,
) -> None:
    signals = Signals(
        sentiment=sentiment,
        sentiment_score=score,
        complaint=complaint,
        private_score=private,
        intents=intents,
        sensitive=tuple(SensitiveFinding(kind=k, start=0, end=0, preview="*") for k in kinds),
        language=language,
    )
    post = Post(
        source="x",
        external_id="1",
        text=text,
        created_at=datetime.now(UTC),
        author=Author(handle="h", followers=followers, verified=verified),
    )
    decision = RULES.decide(post, text, signals, review_threshold=0.55)
    assert (
        decision.rule and 0.0 <= decision.confidence <= 1.0 and not math.isnan(decision.confidence)
    )
    if kinds and any(k in {"payment_card", "credential"} for k in kinds):
        assert decision.route.value == "helpdesk"
