"""The learning loop's rows: people's labels (of posts and of imported examples), the heads it
fitted (every version, with the figures that decided it) and its runs.

A label is a `corrections` row, whoever gave it and however: an agent in the queue, or a row of
a CSV imported with `corrections import`. The newest label per (post or example, task) counts.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Connection, Engine, and_, exists, func, inspect, or_, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config.schema import DatabaseSettings
from kernel.errors import DatabaseUnavailable
from kernel.models import StoredPost
from kernel.scrub import db_error_line
from triage.storage.audit import write_audit
from triage.storage.engine import database_engine
from triage.storage.store import stored_post_from_row
from triage.storage.tables import (
    cases,
    corrections,
    decisions,
    examples,
    head_versions,
    learn_runs,
    posts,
    queue_items,
    replies,
)

#: Correction field -> the head it teaches; `sensitive` corrections teach no head.
TASK_OF_FIELD = {
    "route": "route",
    "sentiment": "sentiment",
    "complaint": "complaint",
    "intent": "intent",
}
#: Any fixed 64-bit number: one learning run at a time across replicas (PostgreSQL).
LEARN_LOCK = 0x7472696167650002


@dataclass(frozen=True, kw_only=True, slots=True)
class TeamLabel:
    """The newest label of one post or imported example for one task."""

    correction_id: int
    task: str
    label: str
    text: str
    brand: str | None
    lang: str | None
    author: str
    origin: str
    created_at: datetime
    post_id: int | None = None
    example_id: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportRow:
    """One valid row of a `corrections import` file, its text masked already."""

    line: int
    text: str
    label: str
    brand: str | None = None
    lang: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportResult:
    attached: int
    examples: int
    unchanged: int


@dataclass(frozen=True, kw_only=True, slots=True)
class HeadVersion:
    id: int
    task: str
    brand: str | None
    status: str
    encoder_version: str
    metadata: dict[str, Any]
    created_at: datetime
    created_by: str
    promoted_at: datetime | None
    retired_at: datetime | None
    reason: str | None
    run_id: int | None
    replaces: int | None = None

    @property
    def name(self) -> str:
        """`route v7`, `route@Acme v9`: how explanations and the CLI name it."""
        where = f"@{self.brand}" if self.brand else ""
        return f"{self.task}{where} v{self.id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class LearnRun:
    id: int
    started_at: datetime
    finished_at: datetime | None
    trigger: str
    dry_run: bool
    last_correction_id: int | None
    status: str
    summary: str | None


def _label(field: str, value: str) -> str:
    if field == "complaint":
        return "complaint" if value in ("complaint", "yes", "true") else "not_complaint"
    if field == "intent":
        return "|".join(p for p in value.split("|") if p and p != "none") or "none"
    return value


_Read = TypeVar("_Read")


def read_if_present(
    database: DatabaseSettings, *, read: Callable[[LearningStore], _Read]
) -> _Read | None:
    """`read` over the learning rows of the configured database, when it already holds them.

    For the commands that judge as the daemon does without otherwise using the database
    (`classify`, `eval`): nothing is created (no SQLite file, no schema), so None when the
    database or its learning tables do not exist yet; `DatabaseUnavailable` when it cannot be
    read."""
    parsed = make_url(database.url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return None
    engine = database_engine(database)
    try:
        if not inspect(engine).has_table("head_versions"):
            return None
        return read(LearningStore(engine))
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(db_error_line(exc)) from exc
    finally:
        engine.dispose()


class LearningStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    # --- labels ------------------------------------------------------------------------------

    def labels(self, task: str | None = None) -> list[TeamLabel]:
        """The newest label per (post or example, task), oldest first."""
        fields = [f for f, t in TASK_OF_FIELD.items() if task is None or t == task]
        stmt = (
            select(
                corrections,
                func.coalesce(posts.c.text, examples.c.text).label("text"),
                func.coalesce(posts.c.lang, examples.c.lang).label("lang"),
                func.coalesce(corrections.c.brand, posts.c.brand, examples.c.brand).label(
                    "label_brand"
                ),
            )
            .select_from(
                corrections.outerjoin(posts, posts.c.id == corrections.c.post_id).outerjoin(
                    examples, examples.c.id == corrections.c.example_id
                )
            )
            .where(corrections.c.field.in_(fields))
            .order_by(corrections.c.id)
        )
        newest: dict[tuple[str, int, str], TeamLabel] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(stmt).mappings():
                if row["text"] is None:  # the post was erased
                    continue
                key = (
                    ("post", row["post_id"], row["field"])
                    if row["post_id"] is not None
                    else ("example", row["example_id"], row["field"])
                )
                newest[key] = TeamLabel(
                    correction_id=int(row["id"]),
                    task=TASK_OF_FIELD[row["field"]],
                    label=_label(row["field"], row["new_value"]),
                    text=row["text"],
                    brand=row["label_brand"],
                    lang=row["lang"],
                    author=row["author"],
                    origin=row["origin"],
                    created_at=row["created_at"],
                    post_id=row["post_id"],
                    example_id=row["example_id"],
                )
        return sorted(newest.values(), key=lambda label: label.correction_id)

    def last_correction_id(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(corrections.c.id))).scalar()
        return int(value or 0)

    def corrections_since(self, correction_id: int) -> int:
        """How many head-teaching labels were given after `correction_id`."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(func.count()).where(
                    corrections.c.id > correction_id,
                    corrections.c.field.in_(list(TASK_OF_FIELD)),
                )
            ).scalar()
        return int(value or 0)

    def import_labels(
        self, rows: Sequence[ImportRow], *, task: str, author: str, origin: str
    ) -> ImportResult:
        """Store `rows` as `author`'s labels for `task`, in one transaction.

        A row whose (masked) text is a stored post's labels that post; the others become
        examples (one per distinct text, reused by a later import of the same text). A row
        whose label is already the newest label of its post or example for `task` changes
        nothing, so importing a file twice stores it once. Nothing stored is modified: labels
        are appended, the newest counts.
        """
        field = next(f for f, t in TASK_OF_FIELD.items() if t == task)
        now = datetime.now(UTC)
        attached = made = unchanged = 0
        with self.engine.begin() as conn:
            texts = list(dict.fromkeys(row.text for row in rows))
            post_of = self._posts_by_text(conn, texts)
            example_of = self._examples_by_text(conn, texts)
            current = self._current_labels(conn, field)
            for row in rows:
                post_id = post_of.get(row.text)
                example_id = None if post_id is not None else example_of.get(row.text)
                if post_id is None and example_id is None:
                    example_id = int(
                        conn.execute(
                            examples.insert()
                            .values(
                                text=row.text,
                                lang=row.lang,
                                brand=row.brand,
                                origin=f"{origin}:{row.line}",
                                created_at=now,
                            )
                            .returning(examples.c.id)
                        ).scalar_one()
                    )
                    example_of[row.text] = example_id
                    made += 1
                key = ("post", post_id) if post_id is not None else ("example", example_id)
                if current.get(key) == _label(field, row.label):
                    unchanged += 1
                    continue
                conn.execute(
                    corrections.insert().values(
                        post_id=post_id,
                        example_id=example_id,
                        field=field,
                        old_value=current.get(key),
                        new_value=row.label,
                        author=author,
                        created_at=now,
                        brand=row.brand,
                        origin=origin,
                    )
                )
                current[key] = _label(field, row.label)
                if post_id is not None:
                    attached += 1
                    self._audit(
                        conn, author, "correct", post_id, field=field, new=row.label, via=origin
                    )
            self._audit(
                conn,
                author,
                "corrections_import",
                None,
                task=task,
                origin=origin,
                rows=len(rows),
                attached=attached,
                examples=made,
                labels=len(rows) - unchanged,
                unchanged=unchanged,
            )
        return ImportResult(
            attached=attached, examples=len(rows) - attached - unchanged, unchanged=unchanged
        )

    def _posts_by_text(self, conn: Connection, texts: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(texts), 500):
            chunk = texts[start : start + 500]
            for post_id, post_text in conn.execute(
                select(posts.c.id, posts.c.text).where(posts.c.text.in_(chunk)).order_by(posts.c.id)
            ):
                found.setdefault(post_text, int(post_id))
        return found

    def _examples_by_text(self, conn: Connection, texts: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(texts), 500):
            chunk = texts[start : start + 500]
            for example_id, example_text in conn.execute(
                select(examples.c.id, examples.c.text)
                .where(examples.c.text.in_(chunk))
                .order_by(examples.c.id)
            ):
                found.setdefault(example_text, int(example_id))
        return found

    def _current_labels(self, conn: Connection, field: str) -> dict[tuple[str, int | None], str]:
        current: dict[tuple[str, int | None], str] = {}
        for post_id, example_id, value in conn.execute(
            select(corrections.c.post_id, corrections.c.example_id, corrections.c.new_value)
            .where(corrections.c.field == field)
            .order_by(corrections.c.id)
        ):
            key = ("post", post_id) if post_id is not None else ("example", example_id)
            current[key] = _label(field, value)
        return current

    def _audit(
        self, conn: Connection, actor: str, action: str, post_id: int | None, **detail: Any
    ) -> None:
        write_audit(conn, actor, action, post_id, detail)

    # --- head versions -----------------------------------------------------------------------

    def save_version(
        self,
        conn: Connection,
        *,
        task: str,
        brand: str | None,
        status: str,
        encoder_version: str,
        metadata: dict[str, Any],
        arrays: dict[str, np.ndarray],
        created_by: str,
        reason: str,
        run_id: int | None,
    ) -> int:
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return int(
            conn.execute(
                head_versions.insert()
                .values(
                    task=task,
                    brand=brand,
                    status=status,
                    encoder_version=encoder_version,
                    metadata=json.loads(json.dumps(metadata, default=_json_default)),
                    weights=buffer.getvalue(),
                    created_at=datetime.now(UTC),
                    created_by=created_by,
                    reason=reason,
                    run_id=run_id,
                )
                .returning(head_versions.c.id)
            ).scalar_one()
        )

    def promote(self, conn: Connection, version_id: int, *, by: str, reason: str) -> None:
        """Make the version the active one of its task (and brand); the one it replaces is
        retired. Audited."""
        row = conn.execute(
            select(head_versions.c.task, head_versions.c.brand).where(
                head_versions.c.id == version_id
            )
        ).one()
        now = datetime.now(UTC)
        replaced = self._active(conn, row.task, row.brand)
        if replaced is not None:
            conn.execute(
                update(head_versions)
                .where(head_versions.c.id == replaced.id)
                .values(status="retired", retired_at=now)
            )
        conn.execute(
            update(head_versions)
            .where(head_versions.c.id == version_id)
            .values(
                status="active",
                promoted_at=now,
                retired_at=None,
                reason=reason,
                replaces=replaced.id if replaced else None,
            )
        )
        self._audit(
            conn,
            by,
            "promote_head",
            None,
            version=version_id,
            task=row.task,
            brand=row.brand,
            replaces=replaced.id if replaced else "shipped",
            reason=reason,
        )

    def rollback(
        self, task: str, brand: str | None, *, by: str
    ) -> tuple[HeadVersion | None, HeadVersion | None]:
        """Retire the active version of `task` (and `brand`) and bring back the one it replaced
        (None: the shipped head). Returns (retired, restored); (None, None) when nothing is
        active. Audited."""
        with self.engine.begin() as conn:
            active = self._active(conn, task, brand)
            if active is None:
                return None, None
            previous_row = None
            if active.replaces is not None:
                previous_row = (
                    conn.execute(select(head_versions).where(head_versions.c.id == active.replaces))
                    .mappings()
                    .first()
                )
            now = datetime.now(UTC)
            conn.execute(
                update(head_versions)
                .where(head_versions.c.id == active.id)
                .values(status="retired", retired_at=now, reason=f"rolled back by {by}")
            )
            restored = None
            if previous_row is not None:
                conn.execute(
                    update(head_versions)
                    .where(head_versions.c.id == previous_row["id"])
                    .values(status="active", promoted_at=now, retired_at=None)
                )
                restored = _version(previous_row)
            self._audit(
                conn,
                by,
                "rollback_head",
                None,
                task=task,
                brand=brand,
                retired=active.id,
                restored=restored.id if restored else "shipped",
            )
        retired = self.version(active.id)
        restored = self.version(restored.id) if restored else None
        return retired, restored

    def _active(self, conn: Connection, task: str, brand: str | None) -> HeadVersion | None:
        row = (
            conn.execute(
                select(head_versions)
                .where(_same_slot(task, brand), head_versions.c.status == "active")
                .order_by(head_versions.c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return _version(row) if row is not None else None

    def active_versions(self) -> list[tuple[HeadVersion, dict[str, np.ndarray]]]:
        """Every active version with its weights, global heads first."""
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(head_versions)
                    .where(head_versions.c.status == "active")
                    .order_by(head_versions.c.brand.is_not(None), head_versions.c.id)
                )
                .mappings()
                .all()
            )
        result = []
        for row in rows:
            with np.load(io.BytesIO(row["weights"])) as data:
                arrays = {name: np.asarray(data[name]) for name in data.files}
            result.append((_version(row), arrays))
        return result

    def active_stamp(self) -> str:
        """Changes whenever a version is promoted, retired or rolled back: the daemon reloads
        its heads when it does (one cheap query per classify pass)."""
        with self.engine.connect() as conn:
            ids = (
                conn.execute(
                    select(head_versions.c.id)
                    .where(head_versions.c.status == "active")
                    .order_by(head_versions.c.id)
                )
                .scalars()
                .all()
            )
        return ",".join(str(i) for i in ids)

    def versions(self, task: str | None = None, limit: int = 50) -> list[HeadVersion]:
        stmt = select(head_versions).order_by(head_versions.c.id.desc()).limit(limit)
        if task is not None:
            stmt = stmt.where(head_versions.c.task == task)
        with self.engine.connect() as conn:
            return [_version(row) for row in conn.execute(stmt).mappings()]

    def version(self, version_id: int) -> HeadVersion | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(head_versions).where(head_versions.c.id == version_id))
                .mappings()
                .first()
            )
        return _version(row) if row is not None else None

    # --- the open queue, after a promotion ---------------------------------------------------

    def untouched(
        self, *, since: datetime, after_id: int = 0, limit: int = 500
    ) -> list[tuple[StoredPost, str, bool]]:
        """(post, route, needs_review) of posts decided by the classifier since `since` that
        nobody has acted on: no work state but open, no reply sent, no helpdesk case. These
        are decided again when better heads are promoted; answered, escalated or ignored
        ones, and those people decided, keep their decision. Paged by post id."""
        stmt = (
            select(posts, decisions.c.route, decisions.c.needs_review)
            .join(
                decisions,
                and_(decisions.c.post_id == posts.c.id, decisions.c.superseded_at.is_(None)),
            )
            .outerjoin(queue_items, queue_items.c.post_id == posts.c.id)
            .where(
                posts.c.id > after_id,
                decisions.c.decided_by == "classifier",
                decisions.c.decided_at >= since,
                or_(queue_items.c.status.is_(None), queue_items.c.status == "open"),
                ~exists().where(replies.c.post_id == posts.c.id),
                ~exists().where(cases.c.post_id == posts.c.id),
            )
            .order_by(posts.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                (stored_post_from_row(row), str(row["route"]), bool(row["needs_review"]))
                for row in conn.execute(stmt).mappings()
            ]

    # --- runs --------------------------------------------------------------------------------

    def start_run(self, conn: Connection, *, trigger: str, dry_run: bool) -> int:
        return int(
            conn.execute(
                learn_runs.insert()
                .values(
                    started_at=datetime.now(UTC),
                    trigger=trigger,
                    dry_run=dry_run,
                    status="running",
                )
                .returning(learn_runs.c.id)
            ).scalar_one()
        )

    def finish_run(
        self, run_id: int, *, status: str, summary: str, last_correction_id: int
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(learn_runs)
                .where(learn_runs.c.id == run_id)
                .values(
                    finished_at=datetime.now(UTC),
                    status=status,
                    summary=summary,
                    last_correction_id=last_correction_id,
                )
            )

    def last_run(self) -> LearnRun | None:
        """The newest finished run that was not a dry run (what the schedule counts from)."""
        stmt = (
            select(learn_runs)
            .where(learn_runs.c.status == "done", learn_runs.c.dry_run.is_(False))
            .order_by(learn_runs.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(stmt).mappings().first()
        return _run(row) if row is not None else None

    def runs(self, limit: int = 20) -> list[LearnRun]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(learn_runs).order_by(learn_runs.c.id.desc()).limit(limit)
            ).mappings()
            return [_run(row) for row in rows]

    @contextmanager
    def lock(self) -> Iterator[bool]:
        """Hold the right to learn: one run at a time across replicas (a PostgreSQL session
        advisory lock; SQLite has one writer, and one daemon per file)."""
        if self.dialect != "postgresql":
            yield True
            return
        with self.engine.connect() as conn:
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEARN_LOCK}).scalar()
            )
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEARN_LOCK})
                    conn.commit()


def _same_slot(task: str, brand: str | None) -> Any:
    brand_clause = (
        head_versions.c.brand.is_(None) if brand is None else head_versions.c.brand == brand
    )
    return and_(head_versions.c.task == task, brand_clause)


def _version(row: Any) -> HeadVersion:
    return HeadVersion(
        id=int(row["id"]),
        task=row["task"],
        brand=row["brand"],
        status=row["status"],
        encoder_version=row["encoder_version"],
        metadata=dict(row["metadata"] or {}),
        created_at=row["created_at"],
        created_by=row["created_by"],
        promoted_at=row["promoted_at"],
        retired_at=row["retired_at"],
        reason=row["reason"],
        run_id=row["run_id"],
        replaces=row["replaces"],
    )


def _run(row: Any) -> LearnRun:
    return LearnRun(
        id=int(row["id"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        trigger=row["trigger"],
        dry_run=bool(row["dry_run"]),
        last_correction_id=row["last_correction_id"],
        status=row["status"],
        summary=row["summary"],
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
