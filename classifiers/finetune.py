"""Fine-tune the shared encoder on a team's own labelled posts (`social-triage train --finetune`).

A logistic head on frozen MiniLM embeddings stops short of the quality targets (docs/MODEL_CARD.md);
moving the encoder itself a little towards the task closes most of the gap (complaints: macro-F1
0.80 -> 0.87 on one split). The project cannot ship such an encoder, since the labelled sets that
get there are research-only, so each deployment builds its own from its own data:

    OUT/encoder/   the fine-tuned transformer and tokenizer (Hugging Face format), plus
                   `social_triage_finetune.json` (base model, task, data, date, options)
    OUT/*.json|npz every head, refitted on the new encoder: the task's from the given rows, the
                   others from the rows the project ships (classifiers/shipped_data.py)

and runs with `classifier.model: OUT/encoder` and `classifier.heads_dir: OUT`. Loading heads
fitted on a different encoder is refused (classifiers/heads.py), so the two cannot drift apart.

Recipe: mean-pooled encoder plus one linear layer, AdamW, linear warm-up then decay, class-
weighted cross-entropy (binary cross-entropy per label for intents), a few epochs; on CPU about
as long per epoch as encoding the rows four times. Evaluation fine-tunes again on each training
part and scores the held-out part through the path the daemon runs (frozen tuned encoder plus a
refitted logistic head), never on rows the encoder saw.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers.encoder import FINETUNE_MARKER, Encoder
from classifiers.model_cache import PREFIX_FILE
from classifiers.train import (
    TASK_LABELS,
    fit_head,
    head_scores,
    held_out_report,
    kfold_splits,
    label_matrix,
    normalise_labels,
)
from kernel.errors import InputError

if TYPE_CHECKING:
    from classifiers.heads import Head

Progress = Callable[[int], None]


@dataclass(frozen=True)
class FinetuneOptions:
    epochs: int = 3
    learning_rate: float = 4e-5
    batch_size: int = 32
    weight_decay: float = 0.01
    warmup: float = 0.1
    seed: int = 0


def steps(rows: int, options: FinetuneOptions) -> int:
    """Optimiser steps a fine-tune on `rows` rows takes (for progress bars)."""
    return options.epochs * -(-rows // options.batch_size)


def finetune_model(
    encoder: Encoder,
    task: str,
    texts: Sequence[str],
    labels: Sequence[str],
    options: FinetuneOptions = FinetuneOptions(),
    progress: Progress | None = None,
) -> Any:
    """A fine-tuned fp32 copy of `encoder.model` (the encoder itself is left untouched)."""
    import copy

    import torch

    clean = normalise_labels(task, labels)
    y, names = label_matrix(task, clean)
    multilabel = task == "intent"
    if not multilabel and len(names) == 1:  # binary tasks keep one column: use two classes
        names = (names[0], "other")
        y = 1 - y
    torch.manual_seed(options.seed)
    model = copy.deepcopy(encoder.model).float()
    model.train()
    width = y.shape[1] if multilabel else len(names)
    linear = torch.nn.Linear(encoder.dim, width)
    params = list(model.parameters()) + list(linear.parameters())
    optimiser = torch.optim.AdamW(
        params, lr=options.learning_rate, weight_decay=options.weight_decay
    )
    total = steps(len(clean), options)
    warm = max(1, int(total * options.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    loss_fn: Any
    if multilabel:
        positives = np.clip(y.sum(axis=0), 1, None)
        pos_weight = torch.tensor((len(y) - positives) / positives, dtype=torch.float32)
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight.clamp(max=20.0))
        target = torch.from_numpy(y.astype(np.float32))
    else:
        counts = np.clip(np.bincount(y, minlength=width), 1, None)
        weight = torch.tensor(len(y) / (width * counts), dtype=torch.float32)
        loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
        target = torch.from_numpy(y.astype(np.int64))
    rng = np.random.default_rng(options.seed)
    for _ in range(options.epochs):
        order = rng.permutation(len(clean))
        for start in range(0, len(order), options.batch_size):
            rows = order[start : start + options.batch_size]
            pooled = _pooled(encoder, model, [texts[i] for i in rows])
            loss = loss_fn(linear(pooled), target[torch.from_numpy(rows)])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            if progress is not None:
                progress(1)
    model.eval()
    return model


def _pooled(encoder: Encoder, model: Any, texts: list[str]) -> Any:
    import torch

    batch = encoder.tokenizer(
        encoder.prefixed(texts),
        padding=True,
        truncation=True,
        max_length=encoder.max_length,
        return_tensors="pt",
    )
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if "token_type_ids" in batch:
        inputs["token_type_ids"] = torch.zeros_like(batch["input_ids"])
    hidden = model(**inputs).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def save_encoder(
    encoder: Encoder, model: Any, folder: Path, *, task: str, metadata: dict[str, Any]
) -> Path:
    """Write the fine-tuned model, its tokenizer and the marker that names its training."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder))
    encoder.tokenizer.save_pretrained(str(folder))
    if encoder.prefix:  # the tuned copy reads texts as its base model did
        (folder / PREFIX_FILE).write_text(json.dumps({"prefix": encoder.prefix}) + "\n")
    marker = {"base_model": encoder.version, "task": task, **metadata}
    (folder / FINETUNE_MARKER).write_text(
        json.dumps(marker, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return folder


def evaluate_finetune(
    encoder: Encoder,
    task: str,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 1,
    options: FinetuneOptions = FinetuneOptions(),
    c: float = 1.0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Held-out metrics of fine-tune + head: one stratified 80/20 split, or k folds (k >= 2)."""
    from sklearn.model_selection import train_test_split

    clean = normalise_labels(task, labels)
    if task != "intent":
        rarest = min(set(clean), key=clean.count)
        if clean.count(rarest) < 2:
            raise InputError(
                f"task {task}: label {rarest!r} has only 1 row; holding rows out needs at "
                "least 2 of every label (--folds 0 skips the evaluation)"
            )
    if folds >= 2:
        splits = kfold_splits(task, clean, folds)
    else:
        stratify = None if task == "intent" else clean
        index = np.arange(len(clean))
        try:
            splits = [train_test_split(index, test_size=0.2, stratify=stratify, random_state=0)]
        except ValueError as exc:  # e.g. fewer held-out rows than labels
            raise InputError(
                f"task {task}: cannot hold 20% of {len(clean)} rows out: {exc} "
                "(--folds 0 skips the evaluation)"
            ) from exc
    predicted: dict[int, str] = {}
    scores: dict[int, float] = {}
    for train_idx, test_idx in splits:
        train_texts = [texts[i] for i in train_idx]
        train_labels = [clean[i] for i in train_idx]
        model = finetune_model(encoder, task, train_texts, train_labels, options, progress)
        tuned = _load_tuned(encoder, model)
        head = fit_head(task, tuned.encode(train_texts), train_labels, c=c)
        fold_pred, fold_scores = head_scores(head, tuned.encode([texts[i] for i in test_idx]))
        for j, i in enumerate(test_idx):
            predicted[int(i)] = fold_pred[j]
            scores[int(i)] = float(np.ravel(fold_scores[j])[0])
    held = sorted(predicted)
    gold = [clean[i] for i in held]
    guesses = [predicted[i] for i in held]
    report = held_out_report(task, gold, guesses, [scores[i] for i in held])
    report["cv"] = f"fine-tune {len(splits)}-fold" if folds >= 2 else "fine-tune 80/20 holdout"
    report["held_out_rows"] = len(held)
    return report


def _load_tuned(encoder: Encoder, model: Any) -> Encoder:
    """An Encoder over an in-memory fine-tuned model (saved to a scratch folder and loaded)."""
    with tempfile.TemporaryDirectory(prefix="triage-finetune-") as scratch:
        folder = save_encoder(encoder, model, Path(scratch), task="scratch", metadata={})
        return Encoder(folder, batch_size=encoder.batch_size, max_length=encoder.max_length)


def finetune(
    encoder: Encoder,
    task: str,
    pairs: Sequence[tuple[str, str]],
    out: Path,
    *,
    sources: Sequence[dict[str, Any]] = (),
    options: FinetuneOptions = FinetuneOptions(),
    folds: int = 1,
    c: float = 1.0,
    progress: Progress | None = None,
) -> tuple[Encoder, dict[str, Head]]:
    """Evaluate (unless folds == 0), fine-tune on every row, save encoder and all heads in `out`."""
    from classifiers.heads import TASKS
    from classifiers.shipped_data import shipped_pairs
    from classifiers.train import train

    if task not in TASK_LABELS:
        raise InputError(f"unknown task {task!r} (one of {', '.join(TASK_LABELS)})")
    if len(pairs) < 10:
        raise InputError(f"task {task}: fine-tuning needs at least 10 labelled rows")
    texts = [text for text, _ in pairs]
    labels = [label for _, label in pairs]
    if task != "intent" and len(set(normalise_labels(task, labels))) < 2:
        # Found now, not after minutes of training.
        raise InputError(f"task {task}: fine-tuning needs at least two different labels")
    metrics = (
        evaluate_finetune(
            encoder, task, texts, labels, folds=folds, options=options, c=c, progress=progress
        )
        if folds
        else None
    )
    model = finetune_model(encoder, task, texts, labels, options, progress)
    trained_at = datetime.now(UTC).isoformat(timespec="seconds")
    marker = {
        "trained_at": trained_at,
        "training_data": list(sources),
        "rows": len(pairs),
        "options": asdict(options),
        "metrics": metrics,
    }
    tuned_folder = save_encoder(encoder, model, out / "encoder", task=task, metadata=marker)
    # Heads are fitted on the embeddings the configured backend will give (an int8 copy loses
    # about a point on fp32 heads; on its own embeddings it stays within half a point).
    tuned = Encoder(
        tuned_folder,
        batch_size=encoder.batch_size,
        max_length=encoder.max_length,
        backend=encoder.backend,
    )
    heads: dict[str, Head] = {}
    for name in TASKS:
        if name == task:
            head = train(name, pairs, tuned, sources=sources, c=c)
            if metrics is not None:
                head.metadata["metrics"] = metrics
            else:  # cross-validated on an encoder that saw every row: optimistic
                head.metadata["metrics"]["cv"] += " (optimistic: encoder tuned on these rows)"
        else:
            shipped, shipped_sources = shipped_pairs(name)
            head = train(name, shipped, tuned, sources=shipped_sources, c=2.0)
        head.metadata["finetuned_for"] = task
        head.save(out)
        heads[name] = head
    return tuned, heads
