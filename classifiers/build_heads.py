"""Rebuild the heads the project ships, from permissively licensed rows, under the default backend.

    python -m classifiers.build_heads [--out classifiers/heads] [--tasks sentiment ...]
                                      [--backend onnx-int8]

Each head is its recipe (`classifiers/recipe.py`) on its rows (`classifiers/shipped_data.py`:
the project's own care posts, split `train`), fitted by the same code as every candidate of
`social-triage learn` (`classifiers.learning.fit`, without team labels), so that a learned head
differs from the shipped one only by its data. Nothing non-commercial or research-only goes into
a shipped artefact. The metrics stored with each head are measured on the care posts' reference
split, which no head was trained on; bench/quality.py measures the heads on the shared sets.

The heads are fitted on embeddings of the configured default backend (`onnx-int8`): the heads
see at run time exactly what they were trained on.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from classifiers import learning
from classifiers.encoder import Encoder
from classifiers.heads import TASKS, Head, shipped_heads_dir
from classifiers.shipped_data import reference_rows, training_rows
from config.classifier import ClassifierSettings

#: Where the stored metrics come from.
MEASURED_ON = (
    "classifiers/training/care_posts.csv, split reference, the posts that gate learn "
    "(never trained on)"
)


def build(task: str, encoder: Encoder, vectors: dict[str, np.ndarray]) -> Head:
    """The shipped `task` head, with its metrics on the reference split in its metadata."""
    rows = training_rows(task)
    base = learning.rows(
        task,
        rows.texts,
        rows.labels,
        np.stack([vectors[t] for t in rows.texts]),
        languages=rows.languages,
        weights=rows.weights,
    )
    empty = learning.rows(task, [], [], np.zeros((0, encoder.dim), dtype=np.float32))
    head = learning.fit(
        task,
        base,
        empty,
        metadata={
            "encoder": encoder.name,
            "encoder_version": encoder.version,
            "training_data": rows.sources,
            "origin": "shipped",
        },
    )
    texts, labels, languages = reference_rows(task)
    reference = learning.rows(
        task, texts, labels, np.stack([vectors[t] for t in texts]), languages=languages
    )
    metrics = learning.score(task, head, reference)
    metrics["measured_on"] = MEASURED_ON
    texts, labels, languages = reference_rows(task, gating=False)
    every = learning.rows(
        task, texts, labels, np.stack([vectors[t] for t in texts]), languages=languages
    )
    metrics["every_reference_post"] = learning.score(task, head, every)["figure"]
    return Head(
        task=head.task,
        kind=head.kind,
        labels=head.labels,
        weights=head.weights,
        biases=head.biases,
        metadata={**head.metadata, "metrics": metrics},
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=shipped_heads_dir())
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    settings = ClassifierSettings()
    parser.add_argument(
        "--backend", default=settings.backend, choices=["torch", "bf16", "onnx-int8"]
    )
    args = parser.parse_args(argv)
    chosen = ClassifierSettings(backend=args.backend)
    encoder = Encoder(backend=args.backend, batch_size=chosen.encoder_batch_size(), threads=1)
    texts = sorted(
        {
            t
            for task in args.tasks
            for t in training_rows(task).texts + reference_rows(task, gating=False)[0]
        }
    )
    vectors = dict(zip(texts, encoder.encode(texts), strict=True))
    for task in args.tasks:
        head = build(task, encoder, vectors)
        path = head.save(args.out)
        metrics = head.metadata["metrics"]
        print(
            f"{task}: {head.metadata['rows']} rows -> {path} (reference "
            f"{'ROC-AUC' if task == 'route' else 'macro-F1'} {metrics['figure']:.3f}; every "
            f"held-out post {metrics['every_reference_post']:.3f})"
        )


if __name__ == "__main__":
    main()
