"""Precision and recall of the sensitive-data detector, per kind and overall.

    python bench/sensitive_quality.py [CASES.tsv] [--errors]

CASES.tsv has `text` and `expected` (comma-separated kinds, empty for none) columns; the default
is the assembled set in tests/classifiers/data/sensitive_cases.tsv (how it was built: see
build_sensitive_cases.py beside it). Counting is per row and kind: a kind detected in a row
that expects it is a true positive, detected but not expected a false positive, expected but
not detected a false negative. Targets: precision >= 0.99, recall >= 0.98.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.sensitive import KINDS, detect, redact  # noqa: E402

DEFAULT_CASES = ROOT / "tests" / "classifiers" / "data" / "sensitive_cases.tsv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--errors", action="store_true", help="print every wrong row (redacted)")
    args = parser.parse_args()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    rows = 0
    with args.cases.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            rows += 1
            expected = {k for k in rec["expected"].split(",") if k}
            found = {f.kind for f in detect(rec["text"])}
            for kind in found & expected:
                tp[kind] += 1
            for kind in found - expected:
                fp[kind] += 1
            for kind in expected - found:
                fn[kind] += 1
            if args.errors and found != expected:
                print(
                    f"  expected {sorted(expected)} found {sorted(found)}: {redact(rec['text'])!r}"
                )
    print(f"{args.cases.name}: {rows} rows")
    print(f"{'kind':<16}{'support':>8}{'tp':>6}{'fp':>6}{'fn':>6}{'precision':>11}{'recall':>8}")
    for kind in [*KINDS, "overall"]:
        if kind == "overall":
            t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        else:
            t, f_p, f_n = tp[kind], fp[kind], fn[kind]
        if t + f_p + f_n == 0:
            continue
        precision = t / (t + f_p) if t + f_p else 1.0
        recall = t / (t + f_n) if t + f_n else 1.0
        print(f"{kind:<16}{t + f_n:>8}{t:>6}{f_p:>6}{f_n:>6}{precision:>11.3f}{recall:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
