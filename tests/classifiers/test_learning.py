"""The comparison `learn` makes, on synthetic embeddings (no encoder): a candidate that follows
the team is promoted, one that forgets the reference set is not, a brand head is judged on its
brand's labels only, and starting the solver from the head in use changes nothing but speed."""

from __future__ import annotations

import numpy as np
import pytest

from classifiers import learning

DIM = 12


def _cloud(rng: np.random.Generator, centre: int, n: int) -> np.ndarray:
    x = rng.normal(0.0, 0.35, size=(n, DIM))
    x[:, centre] += 3.0
    return x.astype(np.float32)


def _rows(x: np.ndarray, labels: list[str], brands: list[str | None] | None = None):
    texts = [f"post {i} {label}" for i, label in enumerate(labels)]
    return learning.rows("complaint", texts, labels, x, brands=brands)


@pytest.fixture
def world() -> dict[str, learning.Rows]:
    """Complaints live around axis 0, the rest around axis 1; the team also labels posts
    around axis 2 (a topic the shipped rows never saw) as complaints."""
    rng = np.random.default_rng(0)
    base_x = np.vstack([_cloud(rng, 0, 150), _cloud(rng, 1, 150)])
    base = _rows(base_x, ["complaint"] * 150 + ["not_complaint"] * 150)
    ref_x = np.vstack([_cloud(rng, 0, 60), _cloud(rng, 1, 60)])
    reference = _rows(ref_x, ["complaint"] * 60 + ["not_complaint"] * 60)
    team_x = np.vstack([_cloud(rng, 2, 30), _cloud(rng, 1, 30)])
    team = _rows(team_x, ["complaint"] * 30 + ["not_complaint"] * 30)
    return {"base": base, "reference": reference, "team": team}


def test_a_candidate_that_follows_the_team_without_forgetting_is_promoted(world) -> None:
    active = learning.fit("complaint", world["base"], _rows(np.zeros((0, DIM)), []))
    c = learning.compare("complaint", active, world["base"], world["team"], world["reference"])
    assert c.promote, c.reason
    assert c.team_candidate > c.team_active + 0.2  # the new topic is learned
    assert c.reference_candidate is not None and c.reference_active is not None
    assert c.reference_candidate >= c.reference_active - 0.01
    assert c.team_weight in learning.TEAM_WEIGHTS
    assert c.candidate.metadata["comparison"]["promote"] is True
    assert {t["team_weight"] for t in c.candidate.metadata["comparison"]["tried"]} == set(
        learning.TEAM_WEIGHTS
    )


def test_a_candidate_that_forgets_the_reference_set_is_not_promoted(world) -> None:
    """The team calls the shipped complaints' region not a complaint: it gains on its own
    labels and loses on the reference set, which the gate refuses."""
    rng = np.random.default_rng(1)
    flipped = _rows(
        np.vstack([_cloud(rng, 0, 40), _cloud(rng, 1, 40)]),
        ["not_complaint"] * 40 + ["complaint"] * 40,
    )
    active = learning.fit("complaint", world["base"], _rows(np.zeros((0, DIM)), []))
    c = learning.compare("complaint", active, world["base"], flipped, world["reference"])
    assert not c.promote
    tried = {t["team_weight"]: t for t in c.candidate.metadata["comparison"]["tried"]}
    heavy = tried[max(tried)]  # the weight that follows the team most: it would forget
    assert heavy["team"] > c.team_active + 0.2
    assert heavy["reference"] < c.reference_active - 0.01


def test_a_brand_head_is_judged_on_its_brand_and_not_gated_by_the_reference(world) -> None:
    rng = np.random.default_rng(2)
    team = _rows(
        np.vstack([_cloud(rng, 0, 40), _cloud(rng, 1, 40), _cloud(rng, 2, 20)]),
        ["not_complaint"] * 40 + ["complaint"] * 40 + ["complaint"] * 20,
        brands=["Acme"] * 80 + ["Outra"] * 20,
    )
    active = learning.fit("complaint", world["base"], _rows(np.zeros((0, DIM)), []))
    c = learning.compare("complaint", active, world["base"], team, world["reference"], brand="Acme")
    assert c.team_rows == 80  # Acme's labels only
    assert c.promote, c.reason  # Acme's policy differs from the reference: its own head
    assert c.candidate.metadata["brand"] == "Acme"


def test_starting_from_the_head_in_use_reaches_the_same_head(world) -> None:
    empty = _rows(np.zeros((0, DIM)), [])
    active = learning.fit("complaint", world["base"], empty)
    cold = learning.fit("complaint", world["base"], world["team"], team_weight=3.0)
    warm = learning.fit("complaint", world["base"], world["team"], team_weight=3.0, init=active)
    x = world["reference"].embeddings
    assert warm.predict_proba(x) == pytest.approx(cold.predict_proba(x), abs=2e-3)
