"""Split a labelled CSV into a training part and a held-out part, stratified by label.

    python bench/split.py FILE.csv OUT_DIR [--test 0.2] [--seed 0] [--label-column label]

Writes OUT_DIR/<name>.train.csv and OUT_DIR/<name>.test.csv with every column kept, so that
`social-triage train ... --finetune` can learn from one part and `social-triage eval` can
measure on the other (the fine-tuned figures in docs/BENCHMARKS.md come from this).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def main() -> None:
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--test", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label-column", default="label")
    args = parser.parse_args()
    with args.file.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    labels = [row[args.label_column] for row in rows]
    train, test = train_test_split(
        rows, test_size=args.test, stratify=labels, random_state=args.seed
    )
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.file.stem
    for part, chosen in (("train", train), ("test", test)):
        path = args.out / f"{stem}.{part}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(chosen)
        print(f"{path}: {len(chosen)} rows")


if __name__ == "__main__":
    main()
