"""The learning loop's runs: each one's trigger, outcome and the labels it saw, the runs a
lead asked for on the Learning page, and the lock that lets one replica learn at a time.

`LearningStore` (`triage.storage.learning`) mixes this in beside `HeadVersions`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, text, update

from triage.storage.audit import write_audit
from triage.storage.tables import learn_runs

#: Any fixed 64-bit number: one learning run at a time across replicas (PostgreSQL).
LEARN_LOCK = 0x7472696167650002
#: A `learn_runs` row a lead asked for on the Learning page, waiting for a daemon to take it.
REQUESTED = "requested"


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


class LearnRuns:
    """The runs part of `LearningStore`."""

    engine: Engine
    dialect: str

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

    # --- runs asked for from the web app ----------------------------------------------------

    def request_run(self, *, by: str) -> tuple[int, bool]:
        """Ask the daemon to learn at its next look (`learn_job.requested_learning`); a run
        already asked for and not yet started is the one returned, not a second. (id, new?)"""
        with self.engine.begin() as conn:
            pending = conn.execute(
                select(learn_runs.c.id).where(learn_runs.c.status == REQUESTED).limit(1)
            ).scalar()
            if pending is not None:
                return int(pending), False
            run_id = conn.execute(
                learn_runs.insert()
                .values(started_at=datetime.now(UTC), trigger=by, dry_run=False, status=REQUESTED)
                .returning(learn_runs.c.id)
            ).scalar_one()
            write_audit(conn, by, "learn_request", None, {"run": int(run_id)})
        return int(run_id), True

    def pending_request(self) -> LearnRun | None:
        """The run asked for and not yet taken by a daemon, if any."""
        stmt = select(learn_runs).where(learn_runs.c.status == REQUESTED).order_by(learn_runs.c.id)
        with self.engine.connect() as conn:
            row = conn.execute(stmt.limit(1)).mappings().first()
        return _run(row) if row is not None else None

    def take_request(self, run_id: int) -> bool:
        """Take the asked-for run for this replica (its record gives way to the real run's);
        False when another replica took it first."""
        with self.engine.begin() as conn:
            taken = conn.execute(
                delete(learn_runs).where(
                    learn_runs.c.id == run_id, learn_runs.c.status == REQUESTED
                )
            ).rowcount
        return taken == 1

    def set_run_summary(self, run_id: int, summary: str) -> None:
        """Rewrite a finished run's summary (the re-decided count is known only after it)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(learn_runs).where(learn_runs.c.id == run_id).values(summary=summary)
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
