"""The learning loop's rows: people's labels (of posts and of imported examples) as training
rows, and the open queue a promotion decides again.

A label is a `corrections` row, whoever gave it and however: an agent in the queue, or a row of
a CSV imported with `corrections import`. The newest label per (post or example, task) counts.
The heads fitted on them (`triage.storage.head_versions`) and the loop's runs
(`triage.storage.learn_runs`) are mixed into `LearningStore` here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, and_, exists, func, inspect, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from config.schema import DatabaseSettings
from kernel.errors import DatabaseUnavailable
from kernel.models import StoredPost
from kernel.scrub import db_error_line
from triage.storage.audit import write_audit
from triage.storage.engine import database_engine
from triage.storage.head_versions import HeadVersion, HeadVersions
from triage.storage.learn_runs import LearnRuns
from triage.storage.store import stored_post_from_row
from triage.storage.tables import (
    cases,
    corrections,
    decisions,
    examples,
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


class LearningStore(HeadVersions, LearnRuns):
    """The team's labels here; head versions from `HeadVersions`, runs from `LearnRuns`."""

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


#: `HeadVersion` is handed on: the learning page (`triage.web.routes_learning`) imports it here.
__all__ = [
    "TASK_OF_FIELD",
    "HeadVersion",
    "ImportResult",
    "ImportRow",
    "LearningStore",
    "TeamLabel",
    "read_if_present",
]
