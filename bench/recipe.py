"""The grid behind the shipped heads' recipe (classifiers/recipe.py), on the shared sets.

    python bench/recipe.py [--data ../shared/data] [--only sentiment complaint route intent]
                           [--c 0.5 2 8] [--lexicon 0 0.5 1] [--banking77]

Each head is fitted on its shipped rows (classifiers/shipped_data.py: the care posts' `train`
split) with each inverse regularisation C and lexicon weight, and scored on rows it never saw:
sentiment on tweeteval_val (macro-recall), airline_train and the pt-BR tweets
(computer_br_dev + tweetsentbr_fewshot) (macro-F1); complaint on complaints_train (macro-F1) and
the share of reclameaqui_banking_dev (every row a complaint) it calls a complaint; route by the
ROC-AUC of private_score on each twcs_dev / ibm_care_dev brand with >= 100 rows of both kinds;
every head also on the care posts' reference split. The row marked `*` is the shipped recipe.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.quality import embed
from classifiers import lexicon
from classifiers.dataset import read_table
from classifiers.encoder import Encoder
from classifiers.evaluate import binary_auc, classification_report
from classifiers.recipe import RECIPES
from classifiers.shipped_data import BANKING77_SUBSET, care_rows, route_label
from classifiers.train import fit_head, head_scores, held_out_report, normalise_labels
from config.classifier import ClassifierSettings


def features(encoder: Encoder, texts: list[str], tag: str, weight: float) -> np.ndarray:
    x = embed(encoder, texts, tag)
    if not weight:
        return x
    return np.hstack([x, lexicon.features_for(texts) * np.float32(weight)])


def care(task: str, split: str) -> tuple[list[str], list[str]]:
    texts, labels, _ = care_rows(task, split)
    if task != "route":
        return texts, normalise_labels(task, labels)
    kept = [(t, route_label(label)) for t, label in zip(texts, labels, strict=True)]
    return [t for t, label in kept if label], [str(label) for _, label in kept if label]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--only", nargs="*", default=["sentiment", "complaint", "route", "intent"])
    parser.add_argument("--c", type=float, nargs="*", default=[0.5, 2.0, 8.0])
    parser.add_argument("--lexicon", type=float, nargs="*", default=[0.0, 0.5, 1.0])
    parser.add_argument("--banking77", action="store_true", help="intent: also the b77 subset")
    args = parser.parse_args()
    settings = ClassifierSettings()
    encoder = Encoder(backend=settings.backend, batch_size=settings.encoder_batch_size())
    print(f"encoder {encoder.version}", flush=True)
    for task in args.only:
        train_texts, train_labels = care(task, "train")
        ref_texts, ref_labels = care(task, "reference")
        if task == "intent" and args.banking77:
            b77 = read_table(BANKING77_SUBSET, label_column="intent")
            assert b77.labels is not None
            train_texts, train_labels = train_texts + b77.texts, train_labels + b77.labels
        weights = args.lexicon if task != "intent" else [0.0]
        for c, weight in itertools.product(args.c, weights):
            x = features(encoder, train_texts, "recipe-train", weight)
            head = fit_head(task, x, train_labels, c=c)
            shipped = RECIPES[task]
            mark = "*" if (c, weight) == (shipped.c, shipped.lexicon_weight) else " "
            figures = _shared(task, head, encoder, args.data, weight)
            xr = features(encoder, ref_texts, "recipe-reference", weight)
            predicted, scores = head_scores(head, xr)
            report = held_out_report(task, ref_labels, predicted, np.asarray(scores).tolist())
            figures["reference"] = report["roc_auc"] if task == "route" else report["macro_f1"]
            shown = "  ".join(f"{k} {v:.3f}" for k, v in figures.items())
            print(f"{mark}{task:<10} C={c:<6} lexicon={weight:<4} {shown}", flush=True)


def _shared(task: str, head: object, encoder: Encoder, data: Path, w: float) -> dict[str, float]:
    from classifiers.heads import Head

    assert isinstance(head, Head)
    out: dict[str, float] = {}

    def labelled(rel: str, column: str = "label") -> tuple[list[str], list[str], np.ndarray]:
        table = read_table(data / rel, label_column=column)
        assert table.labels is not None
        return table.texts, table.labels, features(encoder, table.texts, Path(rel).stem, w)

    if task == "sentiment":
        _, gold, x = labelled("sentiment/tweeteval_val.csv")
        out["tweets(recall)"] = classification_report(gold, head_scores(head, x)[0])["macro_recall"]
        _, gold, x = labelled("sentiment/airline_train.csv")
        out["airline"] = classification_report(gold, head_scores(head, x)[0])["macro_f1"]
        _, g1, x1 = labelled("pt/computer_br_dev.csv")
        _, g2, x2 = labelled("pt/tweetsentbr_fewshot.csv")
        predicted = head_scores(head, np.vstack([x1, x2]))[0]
        out["pt-BR tweets"] = classification_report(g1 + g2, predicted)["macro_f1"]
    if task == "complaint":
        _, gold, x = labelled("complaints/complaints_train.csv")
        out["complaints"] = classification_report(gold, head_scores(head, x)[0])["macro_f1"]
        reclame = read_table(data / "pt" / "reclameaqui_banking_dev.csv").texts
        predicted = head_scores(head, features(encoder, reclame, "reclameaqui", w))[0]
        out["reclame recall"] = float(np.mean([p == "complaint" for p in predicted]))
    if task == "route":
        aucs = []
        for rel in ("routing/twcs_dev.csv", "routing/ibm_care_dev.csv"):
            table = read_table(data / rel, label_column="label", extra_columns=("brand",))
            assert table.labels is not None
            scores = head.predict_proba(features(encoder, table.texts, Path(rel).stem, w))
            brands = np.array(table.columns["brand"])
            gold = np.array([label == "private_dm" for label in table.labels])
            for brand in sorted(set(brands)):
                rows = brands == brand
                if rows.sum() >= 100 and gold[rows].any() and not gold[rows].all():
                    aucs.append(binary_auc(gold[rows].tolist(), scores[rows].tolist()) or 0.0)
        out["brand AUC"] = float(np.mean(aucs)) if aucs else 0.0
    return out


if __name__ == "__main__":
    main()
