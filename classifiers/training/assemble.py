"""Assemble `care_posts.csv` from the project's hand-written drafts, and split it.

    python classifiers/training/assemble.py DRAFT.csv ... [--own own_examples.csv]

`care_posts.csv` was made by this script from the four drafts (en, es, pt1, pt2) as committed
in b70dd64 (`git show b70dd64:classifiers/training/drafts/en.csv`), then extended with the
second batch (`--keep care_posts.csv drafts/neutral_*.csv`: the rows already there keep their
split, so the reference set stays what it was, and a fifth of the new rows joins it), then with
the third and fourth batches the same way (`--keep care_posts.csv drafts/hard_pt.csv
drafts/hard_enes.csv drafts/timeline_pt.csv drafts/timeline_en.csv drafts/timeline_es.csv`,
the drafts as committed in c4fb467); the drafts were then removed, their data cards kept in
`cards/` and DATA_CARD.md.

Every draft row (and every row of the older `own_examples.csv`, brand `Acme`) gets an `id`
(`<draft>-<row>`) and a `split`: `reference` for a fifth of the draft rows, drawn per
(language, route) with a fixed seed, `train` for the rest. The reference rows are never
trained on: `learn` checks every candidate head against them (no forgetting), and the shipped
heads are measured on them (docs/MODEL_CARD.md). The older rows all train: the heads shipped
before were fitted on them. Exact and case-insensitive duplicate texts are dropped (the first
one stays). The data card is DATA_CARD.md beside this file.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["id", "text", "lang", "brand", "sector", "sentiment", "complaint", "intent", "route"]
REFERENCE_SHARE = 0.2
SEED = 20261207


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drafts", nargs="+", type=Path)
    parser.add_argument("--own", type=Path, default=HERE / "own_examples.csv")
    parser.add_argument("--out", type=Path, default=HERE / "care_posts.csv")
    parser.add_argument(
        "--keep", type=Path, default=None, help="an assembled file: its rows and splits stay"
    )
    args = parser.parse_args()
    seen: set[str] = set()
    kept: list[dict[str, str]] = []
    if args.keep is not None:
        with args.keep.open(encoding="utf-8", newline="") as handle:
            kept = list(csv.DictReader(handle))
        seen = {" ".join(row["text"].casefold().split()) for row in kept}
    rows: list[dict[str, str]] = []
    for draft in args.drafts:
        with draft.open(encoding="utf-8", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=1):
                key = " ".join(row["text"].casefold().split())
                if key in seen:
                    continue
                seen.add(key)
                rows.append({"id": f"{draft.stem}-{n}", **{c: row[c] for c in COLUMNS[1:]}})
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        strata[(row["lang"], row["route"])].append(i)
    rng = random.Random(SEED)
    reference: set[int] = set()
    for stratum in sorted(strata):
        members = strata[stratum]
        rng.shuffle(members)
        reference.update(members[: round(len(members) * REFERENCE_SHARE)])
    for i, row in enumerate(rows):
        row["split"] = "reference" if i in reference else "train"
    if kept:
        rows = kept + rows
    with args.own.open(encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle), start=1):
            key = " ".join(row["text"].casefold().split())
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                {
                    "id": f"own-{n}",
                    "text": row["text"],
                    "lang": row["lang"],
                    "brand": "Acme",
                    "sector": "",
                    "sentiment": row["sentiment"],
                    "complaint": row["complaint"],
                    "intent": row["intent"],
                    "route": row["route"],
                    "split": "train",
                }
            )
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, "split"])
        writer.writeheader()
        writer.writerows(rows)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[f"{row['split']} {row['lang']}"] += 1
    shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{args.out}: {len(rows)} rows; {shown}")


if __name__ == "__main__":
    main()
