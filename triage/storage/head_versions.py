"""The heads the learning loop fitted, every version with the figures that decided it
(candidates, promotions, retirements, rollbacks). The loop's runs are `learn_runs.LearnRuns`.

`LearningStore` (`triage.storage.learning`) mixes this in, so callers keep asking the learning
store (`learning.promote(...)`); the team's labels the heads are fitted on live there.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, select, update

from triage.storage.audit import write_audit
from triage.storage.tables import head_versions


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


class HeadVersions:
    """The head-version part of `LearningStore`."""

    engine: Engine
    dialect: str

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
        write_audit(
            conn,
            by,
            "promote_head",
            None,
            {
                "version": version_id,
                "task": row.task,
                "brand": row.brand,
                "replaces": replaced.id if replaced else "shipped",
                "reason": reason,
            },
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
            write_audit(
                conn,
                by,
                "rollback_head",
                None,
                {
                    "task": task,
                    "brand": brand,
                    "retired": active.id,
                    "restored": restored.id if restored else "shipped",
                },
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


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
