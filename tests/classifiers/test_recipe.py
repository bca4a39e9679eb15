"""The shipped heads' rows: each care post weighed by its batch as the recipe says."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from classifiers.recipe import RECIPES, Recipe
from classifiers.shipped_data import CARE_POSTS, reference_rows, training_rows


def _care_posts() -> list[dict[str, str]]:
    with CARE_POSTS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_batch_weighs_what_its_prefix_says_and_the_rest_one() -> None:
    recipe = Recipe(c=1.0, batch_weights=(("hard_", 2.0), ("timeline_en", 0.0)))
    assert recipe.weight_of("hard_pt-3") == 2.0
    assert recipe.weight_of("timeline_en-9") == 0.0
    assert recipe.weight_of("timeline_pt-9") == 1.0
    assert recipe.weight_of("pt1-9") == 1.0


@pytest.mark.parametrize("task", ["sentiment", "complaint", "route", "intent"])
def test_every_train_row_carries_its_batch_weight(task: str) -> None:
    rows = training_rows(task)
    train = [r for r in _care_posts() if r["split"] == "train"]
    by_text = {r["text"]: RECIPES[task].weight_of(r["id"]) for r in train}
    care = [(t, w) for t, w in zip(rows.texts, rows.weights, strict=True) if t in by_text]
    assert care, "no care post among the head's rows"
    for text, weight in care:
        assert weight == pytest.approx(by_text[text])
    if RECIPES[task].batch_weights:
        assert rows.sources[0]["batch_weights"] == dict(RECIPES[task].batch_weights)


def test_the_complaint_head_leaves_the_third_and_fourth_batches_out() -> None:
    rows = set(training_rows("complaint").texts)
    batches = Counter(r["id"].split("-")[0] for r in _care_posts() if r["text"] in rows)
    assert batches and not any(b.startswith(("hard_", "timeline_")) for b in batches)
    assert 0.0 not in training_rows("complaint").weights


def test_no_reference_post_is_a_training_row() -> None:
    for task in RECIPES:
        assert not set(reference_rows(task, gating=False)[0]) & set(training_rows(task).texts)


def test_the_posts_that_gate_learn_leave_out_the_hard_and_timeline_batches() -> None:
    ids = {r["text"]: r["id"] for r in _care_posts() if r["split"] == "reference"}
    gating = reference_rows("sentiment")[0]
    every = reference_rows("sentiment", gating=False)[0]
    assert set(gating) < set(every)
    assert not any(ids[t].startswith(("hard_", "timeline_")) for t in gating)
    assert {ids[t].split("-")[0] for t in set(every) - set(gating)} <= {
        "hard_pt",
        "hard_enes",
        "timeline_pt",
        "timeline_en",
        "timeline_es",
    }
