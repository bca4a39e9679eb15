"""The lexicon-feature grid behind the shipped heads (issue 10): weights and C, per head.

    python bench/lexicon.py [--data ../shared/data] [--weights 0 0.5 2] [--c 0.125 0.5]

Each head is fitted as `classifiers.build_heads` fits it (the same rows: own examples, x10 plus
6,000 GoEmotions rows for sentiment), on [embedding, lexicon features x weight], and scored on
the shared sets it never trained on: sentiment on tweeteval_val (macro-recall), airline_train,
pt-BR tweets and b2w reviews (macro-F1); complaint on complaints_train (macro-F1); route by the
mean ROC-AUC over brands with >= 100 rows (as bench/quality.py). Weight 0 is embeddings only.
Figures land within about 0.005 of the heads build_heads fits (onnx-int8 quantises activations
per batch, and the rows are batched differently here).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.quality import embed
from classifiers.build_heads import OWN_WEIGHT, goemotions_pairs
from classifiers.dataset import read_table
from classifiers.encoder import Encoder
from classifiers.evaluate import binary_auc, classification_report
from classifiers.lexicon import features_for
from classifiers.shipped_data import shipped_pairs
from classifiers.train import fit_head, head_scores
from config.classifier import ClassifierSettings

SENTIMENT_SETS = {
    "tweets": (["sentiment/tweeteval_val.csv"], "macro_recall"),
    "airline": (["sentiment/airline_train.csv"], "macro_f1"),
    "pt-BR tweets": (["pt/computer_br_dev.csv", "pt/tweetsentbr_fewshot.csv"], "macro_f1"),
    "b2w": (["pt/reviews_b2w_train.csv"], "macro_f1"),
}


def inputs(encoder: Encoder, texts: list[str], tag: str, weight: float) -> np.ndarray:
    x = embed(encoder, texts, tag)
    return np.hstack([x, features_for(texts) * weight]) if weight else x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--weights", type=float, nargs="*", default=[0.0, 0.5, 2.0])
    parser.add_argument("--c", type=float, nargs="*", default=[0.125, 0.5, 2.0])
    args = parser.parse_args()
    settings = ClassifierSettings()
    encoder = Encoder(backend=settings.backend, batch_size=settings.encoder_batch_size())
    print(f"encoder {encoder.version}", flush=True)
    own, _ = shipped_pairs("sentiment")
    extra, _ = goemotions_pairs(args.data)
    pairs = own * OWN_WEIGHT + extra
    texts, labels = [t for t, _ in pairs], [y for _, y in pairs]
    evals = {}
    for name, (files, metric) in SENTIMENT_SETS.items():
        tables = [read_table(args.data / f, label_column="label") for f in files]
        evals[name] = (
            [t for tab in tables for t in tab.texts],
            [y for tab in tables for y in tab.labels or []],
            metric,
        )
    for weight in args.weights:
        x = inputs(encoder, texts, "lexicon-sentiment-train", weight)
        for c in args.c:
            head = fit_head("sentiment", x, labels, c=c)
            figures = []
            for name, (eval_texts, gold, metric) in evals.items():
                xe = inputs(encoder, eval_texts, f"chatter-{name}", weight)
                predicted, _ = head_scores(head, xe)
                figures.append((name, classification_report(gold, predicted)[metric]))
            mean = np.mean([v for _, v in figures])
            text = "  ".join(f"{n} {v:.3f}" for n, v in figures)
            print(f"sentiment weight {weight:<5} C {c:<6} {text}  mean {mean:.3f}", flush=True)
    complaints = read_table(args.data / "complaints" / "complaints_train.csv", label_column="label")
    routing = [
        read_table(args.data / rel, label_column="label", extra_columns=("brand",))
        for rel in ("routing/twcs_dev.csv", "routing/ibm_care_dev.csv")
    ]
    for task in ("complaint", "route"):
        task_pairs, _ = shipped_pairs(task)
        task_texts = [t for t, _ in task_pairs]
        for weight in args.weights:
            head = fit_head(
                task,
                inputs(encoder, task_texts, f"lexicon-{task}-train", weight),
                [y for _, y in task_pairs],
                c=2.0,
            )
            if task == "complaint":
                x = inputs(encoder, complaints.texts, "complaints", weight)
                predicted, _ = head_scores(head, x)
                figure = classification_report(complaints.labels or [], predicted)["macro_f1"]
                print(f"complaint weight {weight:<5} C 2.0    macro-F1 {figure:.3f}", flush=True)
                continue
            aucs = []
            for table, tag in zip(routing, ("twcs", "ibm"), strict=True):
                scores = head.predict_proba(inputs(encoder, table.texts, tag, weight))
                brands = np.array(table.columns["brand"])
                gold = np.array([y == "private_dm" for y in table.labels or []])
                for brand in sorted(set(brands)):
                    rows = brands == brand
                    if rows.sum() >= 100 and gold[rows].any() and not gold[rows].all():
                        aucs.append(binary_auc(gold[rows].tolist(), scores[rows].tolist()))
            print(f"route weight {weight:<5} C 2.0    ROC-AUC {np.mean(aucs):.3f}", flush=True)


if __name__ == "__main__":
    main()
