"""Fit heads from labelled (text, label) pairs: CSV files today, agents' corrections later.

Training is the only place sklearn is used; the fitted weights are copied into a numpy `Head`.
Every artefact records where its data came from, how many rows, when, on which encoder, and the
cross-validated metrics measured before the final fit on all rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers import lexicon
from classifiers.evaluate import binary_auc, classification_report
from classifiers.heads import INTENT_LABELS, KIND, POSITIVE_LABEL, SENTIMENT_LABELS, Head
from kernel.errors import InputError
from kernel.vocab import HeadModel

if TYPE_CHECKING:
    from classifiers.encoder import Encoder

Model = HeadModel
#: Labels accepted per task (intent rows hold `|`-separated intents, or `none`).
TASK_LABELS: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "complaint": ("complaint", "not_complaint"),
    "route": ("private_dm", "public_reply"),
    "intent": INTENT_LABELS,
}
LABEL_ALIASES = {
    "neg": "negative",
    "pos": "positive",
    "neu": "neutral",
    "yes": "complaint",
    "no": "not_complaint",
    "true": "complaint",
    "false": "not_complaint",
    "private": "private_dm",
    "public": "public_reply",
}


def normalise_labels(task: str, labels: Sequence[str]) -> list[str]:
    """Lower-case, apply aliases and refuse labels the task does not know (naming the row)."""
    allowed = set(TASK_LABELS[task])
    result = []
    for row, raw in enumerate(labels):
        label = raw.strip().lower()
        if task == "intent":
            parts = [p.strip() for p in label.split("|") if p.strip() and p.strip() != "none"]
            bad = [p for p in parts if p not in allowed]
            if bad:
                raise InputError(f"row {row}: unknown intent {bad[0]!r} for task intent")
            result.append("|".join(parts))
            continue
        label = LABEL_ALIASES.get(label, label)
        if task == "route" and label in {"helpdesk"}:
            label = "private_dm"
        if label not in allowed:
            known = ", ".join(sorted(allowed))
            raise InputError(f"row {row}: unknown label {raw!r} for task {task} ({known})")
        result.append(label)
    return result


def label_matrix(task: str, labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Normalised labels as the estimator's target, and the head's label names."""
    if task == "intent":
        y = np.array([[lab in label.split("|") for lab in INTENT_LABELS] for label in labels])
        return y.astype(np.int64), INTENT_LABELS
    if task in POSITIVE_LABEL:
        positive = POSITIVE_LABEL[task]
        return np.array([label == positive for label in labels], dtype=np.int64), (positive,)
    present = tuple(label for label in SENTIMENT_LABELS if label in labels)
    return np.array([present.index(label) for label in labels], dtype=np.int64), present


def _fit_estimator(
    task: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    model: Model,
    c: float,
    balanced: bool,
    sample_weight: np.ndarray | None = None,
    init: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights (inputs, outputs) and biases per layer. `sample_weight` (logistic regression
    only) weighs rows, as the learning loop weighs a team's corrections against shipped rows;
    `init` (weights, biases of a logistic-regression head of the same shape) starts the solver
    there: the same optimum, reached in a third of the iterations when the data moved little."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    weight = "balanced" if balanced else None
    if task == "intent":
        if model == "mlp":
            mlp = MLPClassifier(hidden_layer_sizes=(256,), alpha=1e-3, max_iter=300, random_state=0)
            mlp.fit(x, y)
            return list(mlp.coefs_), list(mlp.intercepts_)
        ws, bs = [], []
        for j in range(y.shape[1]):
            column = y[:, j]
            if column.min() == column.max():  # no examples: never fires
                ws.append(np.zeros((x.shape[1], 1), dtype=np.float32))
                bs.append(np.array([-10.0 if column.max() == 0 else 10.0], dtype=np.float32))
                continue
            lr = LogisticRegression(C=c, class_weight=weight, max_iter=2000)
            if init is not None:
                _warm(lr, init[0][:, j : j + 1], init[1][j : j + 1], np.array([0, 1]))
            lr.fit(x, column, sample_weight=sample_weight)
            ws.append(lr.coef_.T.astype(np.float32))
            bs.append(lr.intercept_.astype(np.float32))
        return [np.hstack(ws)], [np.concatenate(bs)]
    if model == "mlp":
        mlp = MLPClassifier(hidden_layer_sizes=(256,), alpha=1e-3, max_iter=300, random_state=0)
        mlp.fit(x, y)
        return list(mlp.coefs_), list(mlp.intercepts_)
    lr = LogisticRegression(C=c, class_weight=weight, max_iter=2000)
    if init is not None:
        _warm(lr, init[0], init[1], np.unique(y))
    lr.fit(x, y, sample_weight=sample_weight)
    return [lr.coef_.T.astype(np.float32)], [lr.intercept_.astype(np.float32)]


def _warm(lr: Any, weights: np.ndarray, biases: np.ndarray, classes: np.ndarray) -> None:
    lr.set_params(warm_start=True)
    lr.coef_ = np.asarray(weights, dtype=np.float64).T.copy()
    lr.intercept_ = np.asarray(biases, dtype=np.float64).copy()
    lr.classes_ = classes


def fit_head(
    task: str,
    embeddings: np.ndarray,
    labels: Sequence[str],
    *,
    model: Model = "logreg",
    c: float = 4.0,
    balanced: bool = True,
    metadata: dict[str, Any] | None = None,
    sample_weight: np.ndarray | None = None,
    init: Head | None = None,
) -> Head:
    """One head fitted on all rows (no evaluation: see `cross_validate`). `init`: a head of
    the same task, labels and inputs to start the solver from (a logistic regression only)."""
    clean = normalise_labels(task, labels)
    y, head_labels = label_matrix(task, clean)
    if task != "intent" and len(np.unique(y)) < 2:
        raise InputError(f"task {task}: training needs at least two different labels")
    start = None
    if (
        init is not None
        and model == "logreg"
        and len(init.weights) == 1
        and init.labels == head_labels
        and init.weights[0].shape[0] == embeddings.shape[1]
        and (task == "intent" or len(np.unique(y)) == len(head_labels) or len(head_labels) == 1)
    ):
        start = (init.weights[0], init.biases[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn convergence chatter on tiny sets
        weights, biases = _fit_estimator(
            task,
            embeddings,
            y,
            model=model,
            c=c,
            balanced=balanced,
            sample_weight=sample_weight,
            init=start,
        )
    return Head(
        task=task,
        kind=KIND[task],
        labels=head_labels,
        weights=tuple(np.asarray(w, dtype=np.float32) for w in weights),
        biases=tuple(np.asarray(b, dtype=np.float32) for b in biases),
        metadata=dict(metadata or {}),
    )


def head_scores(
    head: Head, embeddings: np.ndarray, lexicon_columns: np.ndarray | None = None
) -> tuple[list[str], np.ndarray]:
    """Predicted labels and the score that ranks the positive class (binary tasks).

    `lexicon_columns`: the texts' lexicon features, for a head fitted with them."""
    proba = head.predict_proba(embeddings, lexicon_columns)
    if head.kind == "softmax":
        return [head.labels[i] for i in proba.argmax(axis=1)], proba.max(axis=1)
    if head.kind == "sigmoid":
        positive = head.labels[0]
        negative = next(label for label in TASK_LABELS[head.task] if label != positive)
        return [positive if p >= 0.5 else negative for p in proba], proba
    return ["|".join(head.labels[j] for j in np.flatnonzero(row >= 0.5)) for row in proba], proba


def cross_validate(
    task: str,
    embeddings: np.ndarray,
    labels: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    folds: int = 5,
    model: Model = "logreg",
    c: float = 4.0,
    balanced: bool = True,
) -> dict[str, Any]:
    """Out-of-fold metrics: stratified k-fold, or leave-one-group-out (e.g. brand) when given."""
    from sklearn.model_selection import LeaveOneGroupOut

    clean = normalise_labels(task, labels)
    n = len(clean)
    if groups is not None:
        splits = list(LeaveOneGroupOut().split(embeddings, clean, groups))
    else:
        splits = kfold_splits(task, clean, folds)
    predicted: list[str] = [""] * n
    scores = np.zeros(n, dtype=np.float32)
    for train_idx, test_idx in splits:
        train_labels = [clean[i] for i in train_idx]
        if task != "intent" and len(set(train_labels)) < 2:
            continue
        head = fit_head(
            task, embeddings[train_idx], train_labels, model=model, c=c, balanced=balanced
        )
        fold_pred, fold_scores = head_scores(head, embeddings[test_idx])
        for j, i in enumerate(test_idx):
            predicted[i] = fold_pred[j]
            if head.kind == "sigmoid":
                scores[i] = fold_scores[j]
    report = held_out_report(task, clean, predicted, scores.tolist())
    report["cv"] = "leave-one-group-out" if groups is not None else f"{len(splits)}-fold"
    return report


def kfold_splits(task: str, clean: list[str], folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs: k-fold for intents, stratified k-fold (k at most the rarest
    label's count, at least 2) for the single-label tasks."""
    from sklearn.model_selection import KFold, StratifiedKFold

    index = np.arange(len(clean))
    if task == "intent":
        return list(KFold(folds, shuffle=True, random_state=0).split(index))
    smallest = min(clean.count(label) for label in set(clean))
    k = max(2, min(folds, smallest))
    return list(StratifiedKFold(k, shuffle=True, random_state=0).split(index, clean))


def held_out_report(
    task: str, gold: list[str], predicted: list[str], scores: Sequence[float]
) -> dict[str, Any]:
    """Metrics of held-out predictions; ROC-AUC of `scores` (the positive class's) if binary."""
    if task == "intent":
        return _multilabel_report(gold, predicted)
    report = classification_report(gold, predicted, labels=list(TASK_LABELS[task]))
    if task in POSITIVE_LABEL:
        positive = [label == POSITIVE_LABEL[task] for label in gold]
        report["roc_auc"] = binary_auc(positive, list(scores))
    return report


def _multilabel_report(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    per_class = {}
    for label in INTENT_LABELS:
        g = np.array([label in x.split("|") for x in gold])
        p = np.array([label in x.split("|") for x in predicted])
        if not g.any():
            continue
        tp = float((g & p).sum())
        precision = tp / p.sum() if p.sum() else 0.0
        recall = tp / g.sum()
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": int(g.sum()),
        }
    f1s = [m["f1"] for m in per_class.values()]
    return {
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "per_class": per_class,
        "rows": len(gold),
    }


def train(
    task: str,
    pairs: Sequence[tuple[str, str]],
    encoder: Encoder,
    *,
    sources: Sequence[dict[str, Any]] = (),
    groups: Sequence[str] | None = None,
    model: Model = "logreg",
    c: float = 4.0,
    balanced: bool = True,
    folds: int = 5,
    lexicon_weight: float = 0.0,
) -> Head:
    """Encode the pairs, cross-validate, fit on everything, and describe it all in metadata.

    `pairs` can come from CSV files or from agents' corrections alike; `sources` describes them
    (file names, row counts) for the artefact's metadata. `lexicon_weight` > 0 appends the
    lexicon features (`classifiers/lexicon.py`) times that weight to each embedding; the head's
    metadata records the recipe, and it then needs the texts at prediction time.
    """
    if task not in TASK_LABELS:
        raise InputError(f"unknown task {task!r} (one of {', '.join(TASK_LABELS)})")
    if len(pairs) < 4:
        raise InputError(f"task {task}: need at least 4 labelled rows, got {len(pairs)}")
    texts = [text for text, _ in pairs]
    labels = [label for _, label in pairs]
    embeddings = encoder.encode(texts)
    features: dict[str, Any] = {}
    if lexicon_weight > 0:
        columns = lexicon.features_for(texts) * np.float32(lexicon_weight)
        embeddings = np.hstack([np.asarray(embeddings, dtype=np.float32), columns])
        features = {
            "features": lexicon.RECIPE,
            "lexicon_weight": lexicon_weight,
            "feature_columns": list(lexicon.COLUMNS),
            "lexicons": list(lexicon.LEXICONS),
        }
    metrics = cross_validate(
        task, embeddings, labels, groups=groups, folds=folds, model=model, c=c, balanced=balanced
    )
    metadata = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "encoder": encoder.name,
        "encoder_version": encoder.version,
        "training_data": list(sources),
        "rows": len(pairs),
        "model": model,
        "C": c,
        "class_weight": "balanced" if balanced else None,
        "metrics": metrics,
        **features,
    }
    return fit_head(
        task, embeddings, labels, model=model, c=c, balanced=balanced, metadata=metadata
    )
