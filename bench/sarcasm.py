"""How often the sarcasm reading fires on real labelled posts, how often it is right, and what it
does to the shipped heads' figures.

    python bench/sarcasm.py [--data ../shared/data] [--figures]

For each shared set with sentiment or complaint labels: the posts `keyword_hits` calls
`sarcasm` (classifiers/praise.py), and the share of them the set's own labels call negative (or
a complaint): the precision of the reading. With `--figures`, the shipped heads' figure on the
whole set as `bench/quality.py` reports it, and the same after the pipeline's reading
(`classifiers.pipeline.read_as_meant`: a sarcastic post predicted positive becomes negative,
and a complaint).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from classifiers.dataset import read_table
from classifiers.evaluate import classification_report
from classifiers.keywords import keyword_hits

#: (file, label meaning "the reading is right", figure bench/quality.py reports, task)
SETS = (
    ("sentiment/tweeteval_val.csv", "negative", "macro_recall", "sentiment"),
    ("sentiment/airline_train.csv", "negative", "macro_f1", "sentiment"),
    ("sentiment/goemotions_dev.csv", "negative", "macro_f1", "sentiment"),
    ("pt/computer_br_dev.csv", "negative", "macro_f1", "sentiment"),
    ("pt/tweetsentbr_fewshot.csv", "negative", "macro_f1", "sentiment"),
    ("pt/reviews_b2w_train.csv", "negative", "macro_f1", "sentiment"),
    ("complaints/complaints_train.csv", "complaint", "macro_f1", "complaint"),
)


#: bench/quality.py's cache tags, so both scripts share the embeddings.
QUALITY_TAGS = {"complaints/complaints_train.csv": "complaints"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--figures", action="store_true", help="also the heads' figures")
    parser.add_argument("--examples", type=int, default=0, help="print N flagged posts per set")
    args = parser.parse_args()
    encoder = heads = None
    if args.figures:
        from classifiers.encoder import Encoder
        from classifiers.heads import HeadSet
        from config.classifier import ClassifierSettings

        settings = ClassifierSettings()
        # The batch size the daemon and bench/quality.py use: int8 activations are quantised
        # per batch, so another size moves every figure by up to 0.01.
        encoder = Encoder(None, backend=settings.backend, batch_size=settings.encoder_batch_size())
        heads = HeadSet.load(None, encoder_dim=encoder.dim, encoder_version=encoder.version).heads
    print(f"{'set':<34}{'rows':>7}{'flagged':>9}{'right':>8}  figure: heads -> with the reading")
    for rel, right, metric, task in SETS:
        path = args.data / rel
        if not path.is_file():
            continue
        table = read_table(path, label_column="label")
        assert table.labels is not None
        flagged = [i for i, text in enumerate(table.texts) if "sarcasm" in keyword_hits(text)]
        hits = sum(table.labels[i] == right for i in flagged)
        share = f"{hits / len(flagged):.2f}" if flagged else "  -"
        figures = ""
        if encoder is not None and heads is not None:
            figures = _figures(table, flagged, task, metric, encoder, heads, rel)
        print(f"{rel:<34}{len(table.texts):>7}{len(flagged):>9}{share:>8}  {figures}", flush=True)
        for i in flagged[: args.examples]:
            print(f"    [{table.labels[i]}] {table.texts[i][:110]!r}")


def _figures(table, flagged, task, metric, encoder, heads, rel) -> str:  # type: ignore[no-untyped-def]
    from bench.quality import embed
    from classifiers.lexicon import features_for
    from classifiers.train import head_scores

    x = embed(encoder, table.texts, QUALITY_TAGS.get(rel, "chatter-" + Path(rel).stem))
    predicted, _ = head_scores(heads[task], x, features_for(table.texts))
    before = classification_report(table.labels, predicted)[metric]
    read = list(predicted)
    for i in flagged:
        if task == "sentiment" and read[i] == "positive":
            read[i] = "negative"
        elif task == "complaint":
            read[i] = "complaint"
    after = classification_report(table.labels, read)[metric]
    return f"{metric} {before:.3f} -> {after:.3f}"


if __name__ == "__main__":
    main()
