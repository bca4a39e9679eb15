"""People's corrections as training data: the newest label per post and task."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from kernel.errors import InputError
from triage.storage import corrections

#: Correction field -> the head (`train --task`) it teaches.
TASK_OF_FIELD = {
    "route": "route",
    "sentiment": "sentiment",
    "complaint": "complaint",
    "intent": "intent",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Label:
    post_id: int
    source: str
    external_id: str
    task: str
    text: str
    label: str
    author: str
    created_at: datetime


def latest_labels(engine: Engine, task: str | None = None) -> list[Label]:
    """The newest correction per (post, task), oldest post first; `sensitive` is not a head."""
    fields = None if task is None else [f for f, t in TASK_OF_FIELD.items() if t == task]
    newest: dict[tuple[int, str], Label] = {}
    with engine.connect() as conn:
        for row in corrections.with_posts(conn, fields):
            field = row["field"]
            if field not in TASK_OF_FIELD:
                continue
            value = row["new_value"]
            if field == "complaint":
                value = "complaint" if value in ("complaint", "yes") else "not_complaint"
            if field == "intent":
                value = "|".join(p for p in value.split("|") if p and p != "none") or "none"
            newest[(row["post_id"], field)] = Label(
                post_id=row["post_id"],
                source=row["source"],
                external_id=row["external_id"],
                task=TASK_OF_FIELD[field],
                text=row["text"],
                label=value,
                author=row["author"],
                created_at=row["created_at"],
            )
    return sorted(newest.values(), key=lambda label: (label.post_id, label.task))


def training_pairs(engine: Engine, task: str) -> list[tuple[str, str]]:
    """(text, label) for `train --from-corrections`; route `ignore` is not a head label."""
    pairs = [
        (label.text, label.label)
        for label in latest_labels(engine, task)
        if not (task == "route" and label.label == "ignore")
    ]
    if not pairs:
        raise InputError(f"train --from-corrections: no stored corrections for task {task}")
    return pairs


def export_csv(engine: Engine, path: Path) -> int:
    """Write every newest label to `path` (text with sensitive values masked); returns rows."""
    from classifiers.sensitive import redact

    labels = latest_labels(engine)
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "post_id",
                    "source",
                    "external_id",
                    "task",
                    "text",
                    "label",
                    "author",
                    "created_at",
                ]
            )
            for label in labels:
                writer.writerow(
                    [
                        label.post_id,
                        label.source,
                        label.external_id,
                        label.task,
                        redact(label.text),
                        label.label,
                        label.author,
                        label.created_at.isoformat(timespec="seconds"),
                    ]
                )
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from exc
    return len(labels)
