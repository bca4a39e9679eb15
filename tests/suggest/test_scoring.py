"""The blended, calibrated article score (issue 18, item 8): properties of the probability."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.suggestions import ArticleBlend
from triage.suggest.scoring import features, probabilities

BLEND = ArticleBlend()
cosines = st.lists(st.floats(-1.0, 1.0), min_size=2, max_size=12)


def candidates(draw: st.DrawFn) -> tuple[list[float], list[float | None], list[int]]:
    similarity = draw(cosines)
    n = len(similarity)
    history = draw(st.lists(st.none() | st.floats(-1.0, 1.0), min_size=n, max_size=n))
    links = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    return similarity, history, links


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[float], list[float | None], list[int]]:
    return candidates(draw)


def chances(similarity: list[float], history: list[float | None], links: list[int]) -> np.ndarray:
    return probabilities(BLEND, features(np.array(similarity), history, links))


@given(cases())
@settings(max_examples=200, deadline=None)
def test_probabilities_are_probabilities(
    case: tuple[list[float], list[float | None], list[int]],
) -> None:
    p = chances(*case)
    assert np.all(p > 0) and np.all(p < 1)
    assert p.sum() < 1.0  # the rest is "none of these is the one"


@given(cases(), st.floats(-0.5, 0.5))
@settings(max_examples=100, deadline=None)
def test_only_the_gaps_between_cosines_count(
    case: tuple[list[float], list[float | None], list[int]], shift: float
) -> None:
    """Another encoder's cosines sit at another level; the same gaps give the same answer."""
    similarity, history, links = case
    moved_history = [None if h is None else h + shift for h in history]
    assert chances([s + shift for s in similarity], moved_history, links) == pytest.approx(
        chances(similarity, history, links), rel=1e-6, abs=1e-12
    )


@given(cases(), st.data())
@settings(max_examples=100, deadline=None)
def test_more_similar_more_linked_or_sent_before_is_more_likely(
    case: tuple[list[float], list[float | None], list[int]], data: st.DataObject
) -> None:
    similarity, history, links = case
    i = data.draw(st.integers(0, len(similarity) - 1))
    before = chances(similarity, history, links)
    closer = list(similarity)
    closer[i] = min(closer[i] + 0.05, 1.0)
    linked = list(links)
    linked[i] += 10
    sent = list(history)
    sent[i] = 1.0  # the post equals one this article answered
    for after in (chances(closer, history, links), chances(similarity, history, linked)):
        assert after[i] >= before[i] - 1e-12
        others = [j for j in range(len(links)) if j != i]
        assert all(after[j] <= before[j] + 1e-12 for j in others)
    assert chances(similarity, sent, links)[i] >= before[i] - 1e-12


def test_no_signal_at_all_gives_equal_modest_chances() -> None:
    p = chances([0.8] * 5, [None] * 5, [0] * 5)
    assert p == pytest.approx(np.full(5, p[0]))
    assert 0.0 < p.sum() < 1.0 and p[0] < 0.5


def test_a_clear_winner_gets_a_clearly_higher_chance_than_the_crowd() -> None:
    """What 82-88% for every article could not say: one article stands out."""
    crowd = chances([0.84, 0.83, 0.85, 0.84, 0.83], [None] * 5, [0] * 5)
    winner = chances([0.95, 0.83, 0.85, 0.84, 0.83], [0.97, None, 0.7, None, None], [9, 1, 1, 0, 0])
    assert crowd.max() - crowd.min() < 0.25
    assert winner[0] > 0.5 and winner[0] > 3 * winner[1:].max()
