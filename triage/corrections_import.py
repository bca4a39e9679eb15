"""`social-triage corrections import`: a team's earlier labels (an export from the tool they used
before, a labelled spreadsheet) become corrections, exactly like those given in the queue:
attributed to a person, audited, and read by `learn`.

Every row is checked before anything is stored; a bad row is one line naming the file and the
line and is skipped. Texts are masked as posts are (card numbers, credentials) before they are
compared with stored posts or kept.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.sensitive import detect
from classifiers.train import LABEL_ALIASES, TASK_LABELS
from kernel.errors import InputError
from kernel.models import MAX_TEXT_CHARS, Route
from kernel.normalise import clean_str
from kernel.protect import mask_text
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.learning import ImportResult, ImportRow, LearningStore

#: Roles whose labels the loop learns from (marketing reads, it does not label).
LABELLING_ROLES = frozenset({"agent", "lead", "admin"})
#: A label longer than this is no label.
MAX_LABEL_CHARS = 200


@dataclass
class Imported:
    #: The file as messages name it (its path, or the name an upload came with).
    file: Path | str
    task: str
    valid: int = 0
    result: ImportResult | None = None
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.result is None:
            return f"{self.file}: nothing imported ({len(self.problems)} bad row(s))"
        r = self.result
        return (
            f"{self.file}: {self.valid} {self.task} label(s) read; {r.attached} on stored posts, "
            f"{r.examples} as labelled examples, {r.unchanged} already known"
            + (f"; {len(self.problems)} bad row(s) skipped" if self.problems else "")
        )


def import_file(
    store: Store,
    path: Path,
    *,
    task: str,
    text_column: str = "text",
    label_column: str = "label",
    brand_column: str | None = None,
    lang_column: str | None = None,
    user: str,
    shown: str | None = None,
) -> Imported:
    """Import `path`; `shown` is the name messages and the labels' origin use (an upload's own
    file name rather than the temporary file it was saved to)."""
    person = UserStore(store.engine).get(user)
    if person is None or not person.active:
        raise InputError(f"--as: no active user named {user!r} (add one with `users add`)")
    if person.role not in LABELLING_ROLES:
        raise InputError(f"--as: {user} is {person.role}; labels come from agents, leads, admins")
    name = shown or str(path)
    imported = Imported(file=name, task=task)
    rows = _read(path, name, task, text_column, label_column, brand_column, lang_column, imported)
    imported.valid = len(rows)
    if rows:
        imported.result = LearningStore(store.engine).import_labels(
            rows, task=task, author=person.name, origin=f"import:{Path(name).name}"
        )
    return imported


def _read(
    path: Path,
    name: str,
    task: str,
    text_column: str,
    label_column: str,
    brand_column: str | None,
    lang_column: str | None,
    imported: Imported,
) -> list[ImportRow]:
    rows: list[ImportRow] = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            for column in (text_column, label_column, brand_column, lang_column):
                if column is not None and column not in header:
                    found = ", ".join(header) or "none"
                    raise InputError(f"{name}: no column {column!r} (columns: {found})")
            for row in reader:
                line = reader.line_num
                try:
                    rows.append(
                        _row(row, line, task, text_column, label_column, brand_column, lang_column)
                    )
                except ValueError as exc:
                    imported.problems.append(f"{name}:{line}: {exc}")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise InputError(f"{name}: not a readable CSV file: {exc}") from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    return rows


def _row(
    row: dict[str, str | None],
    line: int,
    task: str,
    text_column: str,
    label_column: str,
    brand_column: str | None,
    lang_column: str | None,
) -> ImportRow:
    if None in row:
        raise ValueError("more fields than the header has columns")
    text = clean_str(row.get(text_column) or "").strip()
    if not text:
        raise ValueError(f"empty {text_column!r}")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"{text_column!r} is longer than {MAX_TEXT_CHARS} characters")
    label = _label(task, row.get(label_column) or "", label_column)
    masked, _kinds = mask_text(text, detect)
    brand = (row.get(brand_column) or "").strip() or None if brand_column else None
    lang = (row.get(lang_column) or "").strip().lower() or None if lang_column else None
    if lang is not None and len(lang) > 16:
        raise ValueError(f"{lang_column!r} {lang[:20]!r} is not a language code")
    return ImportRow(line=line, text=masked, label=label, brand=brand, lang=lang)


def _label(task: str, raw: str, column: str) -> str:
    value = raw.strip().lower()
    if not value:
        raise ValueError(f"empty {column!r}")
    if len(value) > MAX_LABEL_CHARS:
        raise ValueError(f"{column!r} is too long to be a label")
    if task == "intent":
        parts = [p.strip() for p in value.replace(",", "|").split("|") if p.strip()]
        parts = [p for p in parts if p != "none"]
        bad = [p for p in parts if p not in TASK_LABELS["intent"]]
        if bad:
            known = ", ".join(TASK_LABELS["intent"])
            raise ValueError(f"unknown intent {bad[0]!r} (one of {known}, or none)")
        return "|".join(parts) or "none"
    value = LABEL_ALIASES.get(value, value)
    allowed = tuple(r.value for r in Route) if task == "route" else TASK_LABELS[task]
    if value not in allowed:
        raise ValueError(f"unknown {task} label {raw.strip()!r} (one of {', '.join(allowed)})")
    return value
