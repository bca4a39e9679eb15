"""Reading labelled and unlabelled CSV files (UTF-8, with a header) into plain rows.

Every problem is one `InputError` line naming the file (and the column or row).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kernel.errors import InputError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True, kw_only=True)
class Table:
    path: Path
    texts: list[str]
    labels: list[str] | None = None
    #: Other columns the caller asked for (e.g. `brand`), when present in the file.
    columns: dict[str, list[str]] = field(default_factory=dict)


def read_table(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str | None = None,
    extra_columns: tuple[str, ...] = (),
) -> Table:
    """Texts (and labels, and extra columns when present) of a CSV file, in file order."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            for column in (text_column, label_column):
                if column is not None and column not in header:
                    found = ", ".join(header) or "none"
                    raise InputError(f"{path}: no column {column!r} (columns: {found})")
            extras = [c for c in extra_columns if c in header]
            texts: list[str] = []
            labels: list[str] = []
            columns: dict[str, list[str]] = {c: [] for c in extras}
            for row in reader:
                texts.append(row.get(text_column) or "")
                if label_column is not None:
                    labels.append(row.get(label_column) or "")
                for column in extras:
                    columns[column].append(row.get(column) or "")
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file: {exc}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return Table(
        path=path,
        texts=texts,
        labels=labels if label_column is not None else None,
        columns=columns,
    )
