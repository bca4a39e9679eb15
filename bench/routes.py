"""Whole decisions (the shipped rules on the shipped heads) against the route a careful team
would take, on the project's held-out posts.

    python bench/routes.py [--split reference] [--rules FILE] [--heads DIR] [--examples 3]
                           [--misses helpdesk]

The care posts' `reference` split (classifiers/training/care_posts.csv, 1,840 posts in en, pt and
es that no shipped head was fitted on) carries a route label written by the label guide in
classifiers/training/DATA_CARD.md. For each route this prints precision and recall of the
decision, the confusion matrix, accuracy per language, and the rules behind the commonest
mistakes with examples; `--misses ROUTE` lists every post labelled ROUTE that was decided
otherwise, with the rule and the keyword categories found (for choosing words: use it on the
`train` split, never to pick words from `reference`, the measure). The helpdesk row matters
most: a sensitive post answered in public is the costly mistake, a chatty post sent to the
helpdesk the expensive one.
Embeddings are cached per encoder version (bench/quality.py's cache).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.escalation_precision import route_texts
from classifiers.encoder import Encoder
from classifiers.heads import HeadSet
from classifiers.keywords import keyword_hits
from classifiers.rules import RuleSet
from classifiers.shipped_data import care_rows
from config.classifier import ClassifierSettings
from kernel.vocab import ROUTES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="reference")
    parser.add_argument("--heads", type=Path, default=None, help="heads folder (else shipped)")
    parser.add_argument("--rules", type=Path, default=None, help="rules file (else shipped)")
    parser.add_argument("--examples", type=int, default=3, help="examples per common mistake")
    parser.add_argument(
        "--misses", choices=ROUTES, default=None, help="list every post of this route missed"
    )
    args = parser.parse_args()
    settings = ClassifierSettings()
    encoder = Encoder(None, backend=settings.backend, batch_size=32)
    heads = HeadSet.load(args.heads, encoder_dim=encoder.dim, encoder_version=encoder.version)
    rules = RuleSet.load(args.rules) if args.rules else RuleSet.default()
    texts, labels, langs = care_rows("route", args.split)
    print(f"encoder {encoder.version}; rules {rules.version}; {len(texts)} {args.split} posts")
    routed = route_texts(encoder, heads, rules, texts, f"care-{args.split}")
    got = [route for route, _ in routed]
    right = sum(g == y for g, y in zip(got, labels, strict=True))
    print(f"\naccuracy {right / len(texts):.3f} ({right}/{len(texts)})")
    f1s = []
    print(f"\n{'route':<14}{'precision':>10}{'recall':>8}{'f1':>7}{'labelled':>10}{'decided':>9}")
    for route in ROUTES:
        tp = sum(g == route and y == route for g, y in zip(got, labels, strict=True))
        decided, labelled = got.count(route), labels.count(route)
        p = tp / decided if decided else 0.0
        r = tp / labelled if labelled else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        print(f"{route:<14}{p:>10.3f}{r:>8.3f}{f1:>7.3f}{labelled:>10}{decided:>9}")
    print(f"macro-F1 {sum(f1s) / len(f1s):.3f}")
    print("\nconfusion (rows: labelled, columns: decided)")
    print(" " * 14 + "".join(f"{r:>14}" for r in ROUTES))
    for y in ROUTES:
        row = Counter(g for g, lab in zip(got, labels, strict=True) if lab == y)
        print(f"{y:<14}" + "".join(f"{row[r]:>14}" for r in ROUTES))
    print("\naccuracy per language")
    for lang in sorted({x or "?" for x in langs}):
        idx = [i for i, x in enumerate(langs) if (x or "?") == lang]
        ok = sum(got[i] == labels[i] for i in idx)
        print(f"  {lang}: {ok / len(idx):.3f} ({ok}/{len(idx)})")
    mistakes = Counter(
        (labels[i], got[i], routed[i][1]) for i in range(len(texts)) if got[i] != labels[i]
    )
    print("\ncommonest mistakes (labelled -> decided, by rule)")
    for (y, g, rule), n in mistakes.most_common(12):
        print(f"  {n:>4}  {y} -> {g} via {rule}")
        shown = [
            texts[i] for i in range(len(texts)) if (labels[i], got[i], routed[i][1]) == (y, g, rule)
        ]
        for text in shown[: args.examples]:
            print(f"          {text[:110]!r}")
    if args.misses:
        print_misses(args.misses, texts, labels, langs, routed)


def print_misses(
    route: str, texts: list[str], labels: list[str], langs: list[str], routed: list[tuple[str, str]]
) -> None:
    """Every post labelled `route` and decided otherwise: decided route, rule, language, the
    keyword categories found, the text."""
    missed = [i for i, y in enumerate(labels) if y == route and routed[i][0] != route]
    print(f"\nevery {route} post decided otherwise ({len(missed)})")
    for i in sorted(missed, key=lambda i: (routed[i][1], langs[i] or "")):
        found = ",".join(keyword_hits(texts[i])) or "-"
        print(f"  {routed[i][0]:<12} {routed[i][1]:<22} {langs[i] or '?'}  [{found}] {texts[i]!r}")


if __name__ == "__main__":
    main()
