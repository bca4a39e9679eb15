"""How often the shipped classifier sends general chatter to the helpdesk, rule by rule (issue 10).

    python bench/escalation_precision.py [--data ../shared/data] [--backend onnx-int8]
                                         [--encoder MODEL]
                                         [--heads DIR] [--rules FILE]

The shared sets hold no "chatter" label; these stand in for it, as the issue does:
- English general chatter: `sentiment/tweeteval_val.csv` (tweets on every topic, SemEval) and
  `sentiment/goemotions_dev.csv` (Reddit comments);
- Portuguese general chatter: `pt/tweetsentbr_fewshot.csv` (general pt-BR tweets) and
  `pt/computer_br_dev.csv` (pt-BR tweets that name a computer brand: chatter, ads, a few
  complaints);
- reported but not held to the target, because some of them do belong with the helpdesk:
  `sentiment/airline_train.csv` (en tweets to airlines' care accounts) and
  `pt/reviews_b2w_train.csv` (pt product reviews: Procon and lawyer threats, smoke, injuries).
For each set: the share routed to the helpdesk (target: under 0.5% of general chatter), the
share per rule that sent them there, and the route mix. Then the recall on the detector's cases
(`tests/classifiers/data/sensitive_cases.tsv`): every row whose expected kind makes the
`sensitive-data` rule fire must reach the helpdesk (target 1.0).
Embeddings are cached per encoder version (bench/quality.py's cache).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.quality import embed
from classifiers.dataset import read_table
from classifiers.encoder import Encoder
from classifiers.heads import HeadSet
from classifiers.pipeline import signals_from_scores
from classifiers.rules import RuleSet
from config.classifier import ClassifierSettings

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "classifiers" / "data" / "sensitive_cases.tsv"
#: (set name, file under --data, language, counts towards the < 0.5% target)
SETS = (
    ("tweeteval_val", "sentiment/tweeteval_val.csv", "en", True),
    ("goemotions_dev", "sentiment/goemotions_dev.csv", "en", True),
    ("airline_train (brand)", "sentiment/airline_train.csv", "en", False),
    ("tweetsentbr_fewshot", "pt/tweetsentbr_fewshot.csv", "pt", True),
    ("computer_br_dev", "pt/computer_br_dev.csv", "pt", True),
    ("reviews_b2w_train (reviews)", "pt/reviews_b2w_train.csv", "pt", False),
)
#: Detector kinds the `sensitive-data` rule sends to the helpdesk (default_rules.yaml).
HELPDESK_KINDS = {
    "payment_card",
    "iban",
    "cpf",
    "cnpj",
    "ssn",
    "credential",
    "account_number",
}
TARGET = 0.005


def route_texts(
    encoder: Encoder, heads: HeadSet, rules: RuleSet, texts: list[str], tag: str
) -> list[tuple[str, str]]:
    """(route, rule) per text, from cached embeddings."""
    scores = heads.predict(embed(encoder, texts, tag), texts)
    signals = signals_from_scores(texts, scores)
    out = []
    for text, sig in zip(texts, signals, strict=True):
        decision = rules.decide(None, text, sig, review_threshold=0.55)
        out.append((str(decision.route), decision.rule))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--backend", default=ClassifierSettings().backend, choices=["torch", "bf16", "onnx-int8"]
    )
    parser.add_argument(
        "--encoder",
        default=None,
        help="classifier.model (default: the default encoder); the shipped heads of "
        "sentence-transformers/all-MiniLM-L6-v2 load for it",
    )
    parser.add_argument("--heads", type=Path, default=None, help="heads folder (else shipped)")
    parser.add_argument("--rules", type=Path, default=None, help="rules file (else shipped)")
    parser.add_argument("--examples", type=int, default=3, help="helpdesk examples per set")
    args = parser.parse_args()
    batch = 32 if args.backend == "onnx-int8" else 64
    encoder = Encoder(args.encoder, backend=args.backend, batch_size=batch)
    heads = HeadSet.load(args.heads, encoder_dim=encoder.dim, encoder_version=encoder.version)
    rules = RuleSet.load(args.rules) if args.rules else RuleSet.default()
    print(f"encoder {encoder.version}; rules {rules.version}", flush=True)
    pooled: dict[str, list[int]] = {"en": [0, 0], "pt": [0, 0]}
    all_pt = [0, 0]
    for name, rel, lang, chatter in SETS:
        path = args.data / rel
        if not path.is_file():
            print(f"{name}: {path} missing, skipped")
            continue
        texts = read_table(path).texts
        routed = route_texts(encoder, heads, rules, texts, f"chatter-{name.split()[0]}")
        helpdesk = [
            (t, rule) for t, (route, rule) in zip(texts, routed, strict=True) if route == "helpdesk"
        ]
        share = len(helpdesk) / len(texts)
        flag = ("ok" if share < TARGET else "ABOVE TARGET") if chatter else "no target"
        print(
            f"\n{name} [{lang}] {len(texts)} rows: helpdesk {len(helpdesk)} = {share:.2%} ({flag})"
        )
        mix = Counter(route for route, _ in routed)
        print("  routes: " + ", ".join(f"{r} {n / len(texts):.1%}" for r, n in mix.most_common()))
        for rule, n in Counter(rule for _, rule in helpdesk).most_common():
            print(f"  helpdesk via {rule:<24} {n:>5}  {n / len(texts):.2%}")
        for text, rule in helpdesk[: args.examples]:
            print(f"    e.g. [{rule}] {text[:100]!r}")
        if lang == "pt":
            all_pt[0] += len(helpdesk)
            all_pt[1] += len(texts)
        if chatter:
            pooled[lang][0] += len(helpdesk)
            pooled[lang][1] += len(texts)
    print()
    if all_pt[1]:
        print(
            f"all Portuguese sets (tweets and reviews): helpdesk {all_pt[0]}/{all_pt[1]} = "
            f"{all_pt[0] / all_pt[1]:.2%}"
        )
    for lang, (hits, total) in pooled.items():
        if total:
            verdict = "ok" if hits / total < TARGET else "ABOVE TARGET"
            print(
                f"general chatter [{lang}]: helpdesk {hits}/{total} = {hits / total:.2%} "
                f"(target < {TARGET:.1%}: {verdict})"
            )
    recall_on_cases(encoder, heads, rules)


def recall_on_cases(encoder: Encoder, heads: HeadSet, rules: RuleSet) -> None:
    with CASES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    cases = [row["text"] for row in rows if row["expected"] in HELPDESK_KINDS]
    routed = route_texts(encoder, heads, rules, cases, "sensitive-cases")
    reached = sum(route == "helpdesk" for route, _ in routed)
    missed = [t for t, (route, _) in zip(cases, routed, strict=True) if route != "helpdesk"]
    print(
        f"detector cases with a helpdesk kind ({CASES.name}): {reached}/{len(cases)} reach the "
        f"helpdesk = recall {reached / max(len(cases), 1):.3f} (target 1.0)"
    )
    for text in missed[:5]:
        print(f"  missed: {text!r}")


if __name__ == "__main__":
    main()
