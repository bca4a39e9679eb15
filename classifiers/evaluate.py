"""Metrics a care lead can read: accuracy, macro-F1 and macro-recall, per class and per brand.

Plain numpy, so the same code scores cross-validation folds, `social-triage eval` and the
benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def classification_report(
    gold: Sequence[str], predicted: Sequence[str], *, labels: Sequence[str] | None = None
) -> dict[str, Any]:
    """Accuracy, macro-F1, macro-recall, per-class P/R/F1/support and the confusion matrix.

    Macro averages run over the classes present in `gold` (SemEval's macro-recall convention).
    """
    present = [label for label in (labels or sorted(set(gold))) if label in set(gold)]
    names = list(labels or []) or sorted(set(gold) | set(predicted))
    names += sorted({p for p in predicted if p not in names and p})
    index = {label: i for i, label in enumerate(names)}
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    for g, p in zip(gold, predicted, strict=True):
        if g in index and p in index:
            matrix[index[g], index[p]] += 1
    per_class: dict[str, dict[str, float]] = {}
    for label in present:
        i = index[label]
        tp = float(matrix[i, i])
        predicted_n = float(matrix[:, i].sum())
        support = float(matrix[i, :].sum())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": int(support),
        }
    total = len(gold)
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "rows": total,
        "accuracy": correct / total if total else 0.0,
        "macro_f1": float(np.mean([m["f1"] for m in per_class.values()])) if per_class else 0.0,
        "macro_recall": (
            float(np.mean([m["recall"] for m in per_class.values()])) if per_class else 0.0
        ),
        "per_class": per_class,
        "confusion": {"labels": names, "matrix": matrix.tolist()},
    }


def binary_auc(positive: Sequence[bool], scores: Sequence[float]) -> float | None:
    """ROC-AUC by the rank-sum formula (ties share ranks); None with a single class."""
    y = np.asarray(positive, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def format_report(report: dict[str, Any], *, title: str | None = None) -> str:
    """The report as aligned text lines."""
    lines = [title] if title else []
    lines.append(
        f"rows {report['rows']}  accuracy {report['accuracy']:.3f}  "
        f"macro-F1 {report['macro_f1']:.3f}  macro-recall {report['macro_recall']:.3f}"
        + (f"  ROC-AUC {report['roc_auc']:.3f}" if report.get("roc_auc") is not None else "")
    )
    lines.append(f"  {'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for label, m in report["per_class"].items():
        lines.append(
            f"  {label:<16}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>10.3f}"
            f"{m['support']:>9d}"
        )
    confusion = report.get("confusion")
    if confusion:
        names = confusion["labels"]
        width = max(8, *(len(n) + 1 for n in names))
        lines.append("  confusion (rows gold, columns predicted)")
        lines.append("  " + " " * 16 + "".join(f"{n:>{width}}" for n in names))
        for name, row in zip(names, confusion["matrix"], strict=True):
            lines.append(f"  {name:<16}" + "".join(f"{v:>{width}d}" for v in row))
    return "\n".join(lines)
