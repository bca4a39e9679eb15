"""Learning curves from simulated agents: what `learn` makes of a team's labels.

    python bench/learning.py [--data ../shared/data] [--sizes 0 50 100 300 1000]
                             [--only sentiment route complaint] [--test-rows 1000]
                             [--groups N] [--group NAME ...]

For each shared labelled set with a natural group (airline by airline, TWCS and IBM care by
brand, complaints by domain), the rows of one group are shuffled (seed 0); the last
`--test-rows` (at most; fewer for a small group) are that group's test rows, and the first n
play the team's labels. For each n the same code as `social-triage learn` runs
(`classifiers.learning.compare`: candidates fitted on the shipped rows plus the n labels at
each team weight, cross-validated on them against the shipped head, checked on the shipped
reference set, the best kept, and promoted or not), and the head the team would then use is
scored on the group's test rows and on the reference set (`classifiers/training/care_posts.csv`,
split `reference`).

Route labels are also run as a brand's own route head (`--brand-heads`, the default): the
candidate is judged on that brand's labels only and used for that brand's posts, so the
reference set does not gate it (the global head stays). n = 0 is the shipped default. Figures:
macro-F1 (sentiment, complaint), ROC-AUC of the private-channel score (route).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.quality import embed
from classifiers import learning
from classifiers.encoder import Encoder
from classifiers.heads import HeadSet
from classifiers.shipped_data import reference_rows, training_rows
from config.classifier import ClassifierSettings

#: (task, file under --data, group column, label column, smallest group worth a curve).
SETS = (
    ("sentiment", "sentiment/airline_train.csv", "airline", "label", 300),
    ("route", "routing/twcs_dev.csv", "brand", "label", 300),
    ("route", "routing/ibm_care_dev.csv", "brand", "label", 60),
    ("complaint", "complaints/complaints_train.csv", "domain", "label", 150),
)


def read(path: Path, group: str, label: str) -> tuple[list[str], list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r[label] for r in rows], [r[group] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--sizes", type=int, nargs="*", default=[0, 50, 100, 300, 1000])
    parser.add_argument("--only", nargs="*", default=["sentiment", "route", "complaint"])
    parser.add_argument("--test-rows", type=int, default=1000)
    parser.add_argument("--no-brand-heads", action="store_true")
    parser.add_argument(
        "--team-weights",
        type=float,
        nargs="*",
        default=list(learning.TEAM_WEIGHTS),
        help="the team weights learn tries (default: what learn uses)",
    )
    parser.add_argument("--groups", type=int, default=None, help="at most this many per set")
    parser.add_argument(
        "--group", action="append", default=None, help="only this group (repeatable), by name"
    )
    args = parser.parse_args()
    settings = ClassifierSettings()
    encoder = Encoder(backend=settings.backend, batch_size=settings.encoder_batch_size())
    shipped = HeadSet.load(None, encoder_dim=encoder.dim, encoder_version=encoder.version).heads
    print(f"encoder {encoder.version}; team weights tried {args.team_weights}", flush=True)
    print(
        f"{'set / group':<34}{'n':>5}  {'verdict':<10}{'group':>7}{'lift':>7}{'reference':>11}"
        f"{'Δref':>7}  candidate group / reference",
        flush=True,
    )
    summary: list[str] = []
    shipped_texts = sorted(
        {t for task in args.only for t in training_rows(task).texts + reference_rows(task)[0]}
    )
    vectors = dict(zip(shipped_texts, embed(encoder, shipped_texts, "learn-shipped"), strict=True))
    for task, rel, group_column, label_column, smallest in SETS:
        if task not in args.only or not (args.data / rel).is_file():
            continue
        train = training_rows(task)
        base = _rows(vectors, task, train.texts, train.labels, train.languages, train.weights)
        reference = _rows(vectors, task, *reference_rows(task))
        texts, labels, groups = read(args.data / rel, group_column, label_column)
        x = embed(encoder, texts, Path(rel).stem)
        data = learning.rows(task, texts, labels, x, brands=groups)
        ordered = sorted(set(groups), key=lambda g: (-groups.count(g), g))
        big = [g for g in ordered if groups.count(g) >= smallest][: args.groups]
        if args.group:
            big = [g for g in big if g in args.group]
        for group in big:
            index = np.flatnonzero([g == group for g in groups])
            if task == "route" and len({labels[i] for i in index}) < 2:
                continue
            rng = np.random.default_rng(0)
            rng.shuffle(index)
            test_n = min(args.test_rows, len(index) // 3)
            test = data.take(index[-test_n:])
            pool = index[:-test_n]
            active = shipped[task]
            start = learning.score(task, active, test)["figure"]
            ref_start = learning.score(task, active, reference)["figure"]
            modes = [None] if task != "route" or args.no_brand_heads else [None, group]
            for brand in modes:
                name = f"{Path(rel).stem} {group}" + (" (brand head)" if brand else "")
                for n in args.sizes:
                    if n > len(pool):
                        break
                    if n == 0:
                        print(
                            f"{name:<34}{0:>5}  {'shipped':<10}{start:>7.3f}{'':>7}"
                            f"{ref_start:>11.3f}",
                            flush=True,
                        )
                        continue
                    team = data.take(pool[:n])
                    began = time.perf_counter()
                    c = learning.compare(
                        task,
                        active,
                        base,
                        team,
                        reference,
                        brand=brand,
                        team_weights=args.team_weights,
                    )
                    used = c.candidate if c.promote else active
                    got = learning.score(task, used, test)["figure"]
                    ref = learning.score(task, used, reference)["figure"]
                    cand = learning.score(task, c.candidate, test)["figure"]
                    verdict = "promoted" if c.promote else "kept"
                    print(
                        f"{name:<34}{n:>5}  {verdict:<10}{got:>7.3f}{got - start:>+7.3f}"
                        f"{ref:>11.3f}{ref - ref_start:>+7.3f}  {cand:.3f} / "
                        f"{c.reference_candidate or 0:.3f} w={c.team_weight:g} "
                        f"({time.perf_counter() - began:.0f}s)",
                        flush=True,
                    )
                    if n == 300:
                        met = got - start >= 0.10 and (brand or ref - ref_start >= -0.01)
                        summary.append(
                            f"{name}: 300 labels lift {got - start:+.3f}, reference "
                            f"{ref - ref_start:+.3f}: {'target met' if met else 'target NOT met'}"
                        )
    print("\ntarget: 300 labels lift the group by >= 0.10 with the reference within 1 point")
    for line in summary:
        print(line)


def _rows(
    vectors: dict[str, np.ndarray],
    task: str,
    texts: list[str],
    labels: list[str],
    languages: list[str | None],
    weights: list[float] | None = None,
) -> learning.Rows:
    x = np.stack([vectors[text] for text in texts])
    return learning.rows(task, texts, labels, x, languages=languages, weights=weights)


if __name__ == "__main__":
    main()
