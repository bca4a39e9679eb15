"""Rebuild the heads the project ships, from permissively licensed data only.

    python -m classifiers.build_heads --banking77 PATH/banking77_train.csv [--out classifiers/heads]

Data: our own labelled examples (`classifiers/training/own_examples.csv`, written by the
project, en/pt/es) for every head, plus banking77 (PolyAI, CC BY 4.0) mapped onto our intents
for the intent head. Nothing non-commercial or research-only goes into a shipped artefact; see
docs/MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from classifiers.dataset import read_table
from classifiers.encoder import Encoder
from classifiers.heads import TASKS, shipped_heads_dir
from classifiers.intent_map import banking77_intents
from classifiers.train import train

OWN_EXAMPLES = Path(__file__).parent / "training" / "own_examples.csv"
#: Rows per banking77 label: enough to teach the topics without drowning our own examples.
BANKING77_PER_LABEL = 25


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--banking77", type=Path, help="banking77_train.csv (CC BY 4.0)")
    parser.add_argument("--out", type=Path, default=shipped_heads_dir())
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    args = parser.parse_args(argv)
    encoder = Encoder()
    for task in args.tasks:
        table = read_table(OWN_EXAMPLES, label_column=task)
        assert table.labels is not None
        pairs = list(zip(table.texts, table.labels, strict=True))
        sources = [
            {
                "file": "classifiers/training/own_examples.csv",
                "column": task,
                "rows": len(pairs),
                "licence": "Apache-2.0 (written by the project)",
            }
        ]
        if task == "intent" and args.banking77:
            b77 = read_table(args.banking77, label_column="label")
            assert b77.labels is not None
            by_label: dict[str, list[str]] = {}
            for text, label in zip(b77.texts, b77.labels, strict=True):
                by_label.setdefault(label, []).append(text)
            rng = random.Random(0)
            extra = []
            for label in sorted(by_label):
                chosen = rng.sample(by_label[label], min(BANKING77_PER_LABEL, len(by_label[label])))
                extra += [(text, banking77_intents(text, label)) for text in chosen]
            pairs += extra
            sources.append(
                {
                    "file": "banking77_train.csv (PolyAI-LDN/task-specific-datasets)",
                    "rows": len(extra),
                    "licence": "CC BY 4.0",
                    "mapping": "classifiers/intent_map.py",
                }
            )
        head = train(task, pairs, encoder, sources=sources, c=2.0)
        path = head.save(args.out)
        metrics = head.metadata["metrics"]
        print(f"{task}: {len(pairs)} rows -> {path} (cv macro-F1 {metrics['macro_f1']:.3f})")


if __name__ == "__main__":
    main()
