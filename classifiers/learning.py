"""Candidate heads from a team's labels, and the comparison that decides whether they replace
the heads in use. Pure: texts' embeddings in, heads and figures out (the application,
`triage/learn.py`, reads the labels, stores the versions and re-decides the queue).

A candidate is fitted on the shipped training rows *plus* the team's labels, each team label
weighing several shipped rows (`TEAM_WEIGHTS`, the best kept): the shipped rows keep what the
product knows (no forgetting), the team's rows move the boundary towards the team's judgement.
It is compared with the head in use on two sets, the same way for both sides:

- the team's labels, by k-fold cross-validation: every fold's candidate is fitted on the shipped
  rows and the other folds, and scored on this fold; the head in use is scored on the same rows;
- the reference set shipped with the project (the care posts' `reference` split, never
  trained on): the candidate fitted on everything, and the head in use.

It is promoted when it is better on the first by at least `min_gain` and not worse on the second
by more than `max_reference_loss`. Figures: macro-F1 (sentiment, complaint, intent) or ROC-AUC of
the private-channel score (route), the metric the rules read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from classifiers import lexicon
from classifiers.heads import KIND, Head
from classifiers.recipe import RECIPES
from classifiers.train import (
    TASK_LABELS,
    fit_head,
    head_scores,
    held_out_report,
    kfold_splits,
    normalise_labels,
)

#: How many shipped rows one team label may weigh: `learn` tries each and keeps the best on
#: the team's labels that does not forget (bench/learning.py: a weight of 10 lifts 50-100 labels
#: most, and makes 300 forget; 1-3 suits hundreds).
TEAM_WEIGHTS = (1.0, 3.0, 10.0)
#: The weight a caller gets when it fits one candidate (`fit`).
TEAM_WEIGHT = 3.0
#: A brand's own labels weigh this many times another brand's in that brand's route head.
BRAND_WEIGHT = 3.0


@dataclass(frozen=True, kw_only=True)
class Rows:
    """Labelled texts of one task with the inputs a head takes: the embedding, and the lexicon
    columns (unweighted) for the tasks whose heads read them."""

    texts: list[str]
    labels: list[str]
    embeddings: np.ndarray
    lexicon: np.ndarray | None = None
    brands: list[str | None] = field(default_factory=list)
    #: Each row's weight in a fit (shipped rows: their recipe's; None: 1 each).
    weights: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, index: Sequence[int] | np.ndarray) -> Rows:
        idx = np.asarray(index, dtype=np.int64)
        return Rows(
            texts=[self.texts[i] for i in idx],
            labels=[self.labels[i] for i in idx],
            embeddings=self.embeddings[idx],
            lexicon=None if self.lexicon is None else self.lexicon[idx],
            brands=[self.brands[i] for i in idx] if self.brands else [],
            weights=None if self.weights is None else self.weights[idx],
        )

    def where_brand(self, brand: str) -> np.ndarray:
        return np.array([b == brand for b in self.brands], dtype=bool)


def rows(
    task: str,
    texts: Sequence[str],
    labels: Sequence[str],
    embeddings: np.ndarray,
    *,
    brands: Sequence[str | None] | None = None,
    languages: Sequence[str | None] | None = None,
    weights: Sequence[float] | None = None,
) -> Rows:
    """`Rows` of `task`, labels normalised (a bad label is one InputError naming the row)."""
    clean = normalise_labels(task, list(labels))
    columns = None
    if RECIPES[task].lexicon_weight:
        columns = lexicon.features_for(list(texts), list(languages) if languages else None)
    return Rows(
        texts=list(texts),
        labels=clean,
        embeddings=np.asarray(embeddings, dtype=np.float32),
        lexicon=columns,
        brands=list(brands) if brands is not None else [None] * len(texts),
        weights=None if weights is None else np.asarray(weights, dtype=np.float64),
    )


def _inputs(task: str, data: Rows) -> np.ndarray:
    weight = RECIPES[task].lexicon_weight
    if not weight or data.lexicon is None:
        return data.embeddings
    return np.hstack([data.embeddings, data.lexicon * np.float32(weight)])


def fit(
    task: str,
    base: Rows,
    team: Rows,
    *,
    team_weight: float = TEAM_WEIGHT,
    brand: str | None = None,
    brand_weight: float = BRAND_WEIGHT,
    metadata: dict[str, Any] | None = None,
    init: Head | None = None,
) -> Head:
    """A head fitted on `base` (each row by its recipe weight) plus `team` (`team_weight` a
    row; a `brand`'s own rows `brand_weight` times more), by the task's recipe. `init`: the
    head in use, where the solver starts (the optimum is the same; it gets there sooner)."""
    x = np.vstack([_inputs(task, base), _inputs(task, team)]) if len(team) else _inputs(task, base)
    labels = base.labels + team.labels
    base_weights = base.weights if base.weights is not None else np.ones(len(base))
    weights = np.concatenate(
        [base_weights.astype(np.float64), np.full(len(team), team_weight, dtype=np.float64)]
    )
    if brand is not None and len(team):
        weights[len(base) :][team.where_brand(brand)] *= brand_weight
    meta = dict(metadata or {})
    recipe = RECIPES[task]
    weight = recipe.lexicon_weight
    if weight:
        meta.update(
            features=lexicon.RECIPE,
            lexicon_weight=weight,
            feature_columns=list(lexicon.COLUMNS),
            lexicons=list(lexicon.LEXICONS),
        )
    meta.update(
        C=recipe.c,
        model="logreg",
        class_weight="balanced",
        team_weight=team_weight,
        rows=len(labels),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if brand is not None:
        meta.update(brand=brand, brand_weight=brand_weight)
    return fit_head(task, x, labels, c=recipe.c, metadata=meta, sample_weight=weights, init=init)


def score(task: str, head: Head, data: Rows) -> dict[str, Any]:
    """The head's report on `data` (its `figure` is the metric the comparison uses)."""
    predicted, scores = head_scores(head, data.embeddings, data.lexicon)
    report = held_out_report(task, data.labels, predicted, np.asarray(scores).tolist())
    report["figure"] = figure(task, report)
    return report


def figure(task: str, report: dict[str, Any]) -> float:
    """The number a comparison reads: ROC-AUC for the route head, else macro-F1."""
    if task == "route":
        return float(report.get("roc_auc") or 0.0)
    return float(report["macro_f1"])


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """Both sides' figures, and the verdict."""

    task: str
    brand: str | None
    team_rows: int
    reference_rows: int
    #: Out-of-fold figure on the team's labels: the candidate's, and the head in use's.
    team_candidate: float
    team_active: float
    #: Figure on the shipped reference set (None: no reference rows for this task).
    reference_candidate: float | None
    reference_active: float | None
    promote: bool
    reason: str
    candidate: Head
    #: How many shipped rows a team label weighed in the kept candidate.
    team_weight: float = TEAM_WEIGHT

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "brand": self.brand,
            "team_rows": self.team_rows,
            "reference_rows": self.reference_rows,
            "team": {"candidate": self.team_candidate, "active": self.team_active},
            "reference": {
                "candidate": self.reference_candidate,
                "active": self.reference_active,
            },
            "promote": self.promote,
            "reason": self.reason,
        }


def compare(
    task: str,
    active: Head,
    base: Rows,
    team: Rows,
    reference: Rows | None,
    *,
    folds: int = 5,
    min_gain: float = 0.005,
    max_reference_loss: float = 0.01,
    team_weights: Sequence[float] = TEAM_WEIGHTS,
    brand: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Comparison:
    """Cross-validate candidates against `active` on the team's rows (of `brand` only, when
    given: a brand head is judged on that brand's labels, and fitted on every team label with
    the brand's weighing more), score them and `active` on `reference`, and decide.

    One candidate per team weight: the one kept is the best on the team's labels among those
    that do not forget (a few labels need a large weight to count, a thousand a small one not
    to drown the shipped rows), else the best on the team's labels."""
    judged = np.flatnonzero(team.where_brand(brand)) if brand is not None else np.arange(len(team))
    splits = kfold_splits(task, [team.labels[i] for i in judged], folds)
    judged_rows = team.take(judged)
    team_active = score(task, active, judged_rows)["figure"]
    gated = reference is not None and len(reference) > 0 and brand is None
    if reference is not None and len(reference) == 0:
        reference = None
    ref_active = score(task, active, reference)["figure"] if reference is not None else None
    tried: list[dict[str, Any]] = []
    best: tuple[bool, float, float] | None = None
    chosen: tuple[float, float, float | None, Head] | None = None
    for weight in team_weights:
        team_figure = _cross_validated(task, base, team, judged, splits, weight, brand, active)
        candidate = fit(
            task, base, team, team_weight=weight, brand=brand, metadata=metadata, init=active
        )
        ref_figure = score(task, candidate, reference)["figure"] if reference is not None else None
        keeps = (
            not gated
            or ref_figure is None
            or ref_active is None
            or ref_active - ref_figure <= max_reference_loss
        )
        tried.append({"team_weight": weight, "team": team_figure, "reference": ref_figure})
        rank = (keeps, team_figure, -weight)
        if best is None or rank > best:
            best, chosen = rank, (weight, team_figure, ref_figure, candidate)
    assert chosen is not None
    weight, team_candidate, ref_candidate, candidate = chosen
    gain = team_candidate - team_active
    promote = gain >= min_gain
    if not promote:
        reason = (
            f"not better on the team's labels ({team_candidate:.3f} vs {team_active:.3f} in use, "
            f"needs +{min_gain:.3f})"
        )
    elif gated and ref_candidate is not None and ref_active is not None:
        loss = ref_active - ref_candidate
        promote = loss <= max_reference_loss
        reason = (
            f"better on the team's labels (+{gain:.3f}) and on the reference set within "
            f"{max_reference_loss:.3f} ({ref_candidate:.3f} vs {ref_active:.3f})"
            if promote
            else f"better on the team's labels (+{gain:.3f}) but forgets: reference "
            f"{ref_candidate:.3f} vs {ref_active:.3f} in use (more than {max_reference_loss:.3f})"
        )
    else:
        reason = f"better on the team's labels (+{gain:.3f})"
    comparison_meta = {
        "team_rows": len(judged),
        "reference_rows": 0 if reference is None else len(reference),
        "team": {"candidate": team_candidate, "active": team_active},
        "reference": {"candidate": ref_candidate, "active": ref_active},
        "team_weight": weight,
        "tried": tried,
        "folds": len(splits),
        "promote": promote,
        "reason": reason,
    }
    candidate = Head(
        task=candidate.task,
        kind=candidate.kind,
        labels=candidate.labels,
        weights=candidate.weights,
        biases=candidate.biases,
        temperature=candidate.temperature,
        metadata={**candidate.metadata, "comparison": comparison_meta},
    )
    return Comparison(
        task=task,
        brand=brand,
        team_rows=len(judged),
        reference_rows=0 if reference is None else len(reference),
        team_candidate=team_candidate,
        team_active=team_active,
        reference_candidate=ref_candidate,
        reference_active=ref_active,
        promote=promote,
        reason=reason,
        candidate=candidate,
        team_weight=weight,
    )


def _cross_validated(
    task: str,
    base: Rows,
    team: Rows,
    judged: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    weight: float,
    brand: str | None,
    init: Head | None = None,
) -> float:
    """The out-of-fold figure, on the judged team rows, of candidates fitted with `weight`."""
    predicted: dict[int, str] = {}
    positive: dict[int, float] = {}  # the positive class's probability (binary heads)
    for _train, test in splits:
        held_out = judged[test]
        keep = np.setdiff1d(np.arange(len(team)), held_out)
        head = fit(task, base, team.take(keep), team_weight=weight, brand=brand, init=init)
        fold = team.take(held_out)
        labels, scores = head_scores(head, fold.embeddings, fold.lexicon)
        for j, i in enumerate(held_out.tolist()):
            predicted[i] = labels[j]
            positive[i] = float(scores[j]) if KIND[task] == "sigmoid" else 0.0
    order = judged.tolist()
    oof = held_out_report(
        task,
        [team.labels[i] for i in order],
        [predicted[i] for i in order],
        [positive[i] for i in order],
    )
    return figure(task, oof)


def label_counts(task: str, labels: Sequence[str]) -> dict[str, int]:
    """How many rows per label (intents counted one by one)."""
    counts: dict[str, int] = {label: 0 for label in TASK_LABELS[task]}
    for label in labels:
        for part in label.split("|") if task == "intent" else [label]:
            if part in counts:
                counts[part] += 1
    return counts
