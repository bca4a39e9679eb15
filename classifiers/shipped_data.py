"""The permissively licensed rows the project ships, per task: what the shipped heads were
fitted on, what `learn` fits every candidate on (with the team's labels), and the reference set
every candidate is checked against.

- `training/care_posts.csv`: short posts addressed to brands, written and labelled by the
  project in English, Portuguese and Spanish (Apache-2.0; data card: training/DATA_CARD.md),
  one column per task. Rows with `split` = `reference` are never trained on.
- `training/banking77_subset.csv`: 25 rows per banking77 label (PolyAI-LDN/task-specific-datasets,
  CC BY 4.0, "Efficient Intent Detection with Dual Sentence Encoders", Casanueva et al. 2020),
  mapped onto our intents by `classifiers/intent_map.py`: intent head, when its recipe says so.
- `training/goemotions_sentiment.csv`: 6,000 Reddit comments drawn (numpy seed 0) from GoEmotions'
  train split in its sentiment grouping (Demszky et al. 2020, google-research/goemotions,
  grouping of monologg/GoEmotions-pytorch; Apache-2.0), with their ids: sentiment head, when its
  recipe says so.

Which of them each head uses, and how much each row weighs, is its recipe
(`classifiers/recipe.py`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from classifiers.dataset import read_table
from classifiers.recipe import RECIPES

TRAINING = Path(__file__).parent / "training"
CARE_POSTS = TRAINING / "care_posts.csv"
BANKING77_SUBSET = TRAINING / "banking77_subset.csv"
GOEMOTIONS = TRAINING / "goemotions_sentiment.csv"

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


@dataclass(frozen=True, kw_only=True)
class TrainingRows:
    """The rows a shipped head is fitted on (and every candidate `learn` fits, with the team's
    labels), each with a weight, and where they came from."""

    texts: list[str]
    labels: list[str]
    languages: list[str | None]
    weights: list[float]
    sources: list[dict[str, Any]]


def training_rows(task: str) -> TrainingRows:
    """The shipped `task` head's rows, by its recipe (classifiers/recipe.py)."""
    recipe = RECIPES[task]
    # A batch weighing 0 is left out, not kept at weight 0: the class-balanced fit counts the
    # classes by rows, so rows of weight 0 would still move the other rows' weights.
    kept = [
        (row["text"], row[task] if task != "route" else route_label(row[task]), row)
        for row in _care_posts()
        if row["split"] == "train"
        and (task != "route" or route_label(row[task]) is not None)
        and recipe.weight_of(row["id"]) > 0
    ]
    source: dict[str, Any] = {
        "file": "classifiers/training/care_posts.csv (split train)",
        "column": task,
        "rows": len(kept),
        "licence": "Apache-2.0 (written by the project)",
    }
    if recipe.batch_weights:
        source["batch_weights"] = dict(recipe.batch_weights)
    rows = TrainingRows(
        texts=[k[0] for k in kept],
        labels=[str(k[1]) for k in kept],
        languages=[k[2]["lang"] or None for k in kept],
        weights=[recipe.weight_of(k[2]["id"]) for k in kept],
        sources=[source],
    )
    if task == "sentiment" and recipe.goemotions_weight:
        table = read_table(GOEMOTIONS, label_column="label")
        assert table.labels is not None
        _extend(rows, list(zip(table.texts, table.labels, strict=True)), recipe.goemotions_weight)
        rows.sources.append(
            {
                "file": "classifiers/training/goemotions_sentiment.csv (GoEmotions train split, "
                "sentiment grouping, 6,000 rows drawn with numpy seed 0)",
                "rows": len(table.texts),
                "weight": recipe.goemotions_weight,
                "licence": "Apache-2.0",
            }
        )
    if task == "intent" and recipe.banking77:
        b77 = read_table(BANKING77_SUBSET, label_column="intent")
        assert b77.labels is not None
        _extend(rows, list(zip(b77.texts, b77.labels, strict=True)), 1.0)
        rows.sources.append(
            {
                "file": "classifiers/training/banking77_subset.csv "
                "(PolyAI-LDN/task-specific-datasets)",
                "rows": len(b77.texts),
                "licence": "CC BY 4.0",
                "mapping": "classifiers/intent_map.py",
            }
        )
    return rows


def _extend(rows: TrainingRows, pairs: list[tuple[str, str]], weight: float) -> None:
    rows.texts.extend(text for text, _ in pairs)
    rows.labels.extend(label for _, label in pairs)
    rows.languages.extend([None] * len(pairs))
    rows.weights.extend([weight] * len(pairs))


def shipped_pairs(task: str) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """(text, label) pairs of the shipped `task` head's rows (weights aside), and their
    sources: what `train --finetune` refits the heads it was not given data for on."""
    rows = training_rows(task)
    return list(zip(rows.texts, rows.labels, strict=True)), rows.sources


#: Batches whose reference posts are held out (never trained on) but are not part of the set
#: that guards `learn` against forgetting: their labels are the judgement calls teams differ on
#: most (sarcasm, flat bad news, chatter not addressed to the brand). Gated on them too, 300 of
#: one airline's labels could not be promoted (-0.017 there) and lifted it by 0.012; gated on
#: the first two batches' posts, by 0.061 (-0.003 there). docs/learning.md, "The reference set".
NOT_GATING = ("hard_", "timeline_")


def reference_rows(task: str, *, gating: bool = True) -> Rows:
    """(texts, labels, languages) of the reference set: care posts never trained on. `gating`:
    only those that guard `learn` (not the `NOT_GATING` batches' posts)."""
    rows = [
        row
        for row in _care_posts()
        if row["split"] == "reference" and not (gating and row["id"].startswith(NOT_GATING))
    ]
    texts = [row["text"] for row in rows]
    labels = [row[task] for row in rows]
    languages: list[str | None] = [row["lang"] or None for row in rows]
    if task != "route":
        return texts, labels, languages
    kept = [
        (text, route_label(label), lang)
        for text, label, lang in zip(texts, labels, languages, strict=True)
        if route_label(label) is not None
    ]
    return [k[0] for k in kept], [str(k[1]) for k in kept], [k[2] for k in kept]
