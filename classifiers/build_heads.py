"""Rebuild the heads the project ships, from the permissively licensed rows it ships.

    python -m classifiers.build_heads [--out classifiers/heads] [--tasks sentiment ...]

Data (see `classifiers/shipped_data.py` and docs/MODEL_CARD.md): our own labelled examples for
every head, plus a banking77 subset (CC BY 4.0) mapped onto our intents for the intent head.
Nothing non-commercial or research-only goes into a shipped artefact.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from classifiers.encoder import Encoder
from classifiers.heads import TASKS, shipped_heads_dir
from classifiers.shipped_data import shipped_pairs
from classifiers.train import train


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=shipped_heads_dir())
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    args = parser.parse_args(argv)
    encoder = Encoder()
    for task in args.tasks:
        pairs, sources = shipped_pairs(task)
        head = train(task, pairs, encoder, sources=sources, c=2.0)
        path = head.save(args.out)
        metrics = head.metadata["metrics"]
        print(f"{task}: {len(pairs)} rows -> {path} (cv macro-F1 {metrics['macro_f1']:.3f})")


if __name__ == "__main__":
    main()
