"""The permissively licensed rows the project ships, per task: what the shipped heads were
fitted on, what `learn` fits every candidate on (with the team's labels), and the reference set
every candidate is checked against.

- `training/care_posts.csv`: short posts addressed to brands, written and labelled by the
  project in English, Portuguese and Spanish (Apache-2.0; data card: training/DATA_CARD.md),
  one column per task. Rows with `split` = `reference` are never trained on.
- `training/banking77_subset.csv`: 25 rows per banking77 label (PolyAI-LDN/task-specific-datasets,
  CC BY 4.0, "Efficient Intent Detection with Dual Sentence Encoders", Casanueva et al. 2020),
  mapped onto our intents by `classifiers/intent_map.py`; intent head only.
- `training/goemotions_sentiment.csv`, when present: GoEmotions rows in their sentiment grouping
  (Apache-2.0); sentiment head only (see build_heads.py for how many and why).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

from classifiers.dataset import read_table

TRAINING = Path(__file__).parent / "training"
CARE_POSTS = TRAINING / "care_posts.csv"
BANKING77_SUBSET = TRAINING / "banking77_subset.csv"
GOEMOTIONS = TRAINING / "goemotions_sentiment.csv"
#: Tasks the care posts label (their column names).
CARE_TASKS = ("sentiment", "complaint", "intent", "route")

Rows = tuple[list[str], list[str], list[str | None]]


@cache
def _care_posts() -> tuple[dict[str, str], ...]:
    with CARE_POSTS.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def care_rows(task: str, split: str = "train") -> Rows:
    """(texts, labels, languages) of the care posts of `split` for `task`. Route labels are
    the four routes; `route_label` turns them into the route head's two."""
    rows = [row for row in _care_posts() if row["split"] == split]
    return (
        [row["text"] for row in rows],
        [row[task] for row in rows],
        [row["lang"] or None for row in rows],
    )


def route_label(route: str) -> str | None:
    """The route head's label for a route: `helpdesk` leaves the public channel as a DM does;
    `ignore` says nothing about public or private (None: not a route head row)."""
    if route == "helpdesk":
        return "private_dm"
    if route == "ignore":
        return None
    return route


def shipped_pairs(task: str) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """(text, label) pairs the shipped `task` head is fitted on (GoEmotions aside: see
    `training_rows`) and a description of where they came from."""
    texts, labels, _ = care_rows(task)
    pairs = _pairs(task, texts, labels)
    sources: list[dict[str, Any]] = [
        {
            "file": "classifiers/training/care_posts.csv (split train)",
            "column": task,
            "rows": len(pairs),
            "licence": "Apache-2.0 (written by the project)",
        }
    ]
    if task == "intent":
        b77 = read_table(BANKING77_SUBSET, label_column="intent")
        assert b77.labels is not None
        pairs += list(zip(b77.texts, b77.labels, strict=True))
        sources.append(
            {
                "file": "classifiers/training/banking77_subset.csv "
                "(PolyAI-LDN/task-specific-datasets)",
                "rows": len(b77.texts),
                "licence": "CC BY 4.0",
                "mapping": "classifiers/intent_map.py",
            }
        )
    return pairs, sources


def goemotions_pairs() -> list[tuple[str, str]]:
    """The GoEmotions sentiment rows shipped for the sentiment head (none when absent)."""
    if not GOEMOTIONS.is_file():
        return []
    table = read_table(GOEMOTIONS, label_column="label")
    assert table.labels is not None
    return list(zip(table.texts, table.labels, strict=True))


def learning_base(task: str) -> Rows:
    """(texts, labels, languages): every row the shipped `task` head was fitted on, which
    `learn` fits each candidate on too, with the team's labels."""
    pairs, _ = shipped_pairs(task)
    languages: list[str | None] = []
    texts, _, langs = care_rows(task)
    language_of = dict(zip(texts, langs, strict=True))
    if task == "sentiment":
        pairs += goemotions_pairs()
    languages = [language_of.get(text) for text, _ in pairs]
    return [t for t, _ in pairs], [label for _, label in pairs], languages


def reference_rows(task: str) -> Rows:
    """(texts, labels, languages) of the reference set: care posts never trained on."""
    texts, labels, languages = care_rows(task, "reference")
    if task != "route":
        return texts, labels, languages
    kept = [
        (text, route_label(label), lang)
        for text, label, lang in zip(texts, labels, languages, strict=True)
        if route_label(label) is not None
    ]
    return [k[0] for k in kept], [str(k[1]) for k in kept], [k[2] for k in kept]


def _pairs(task: str, texts: list[str], labels: list[str]) -> list[tuple[str, str]]:
    if task != "route":
        return list(zip(texts, labels, strict=True))
    return [
        (text, str(route_label(label)))
        for text, label in zip(texts, labels, strict=True)
        if route_label(label) is not None
    ]
