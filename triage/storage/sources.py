"""Sources' stored state and poll runs: cursors, health, pauses, the poll log and poll locks.

`Store` mixes this in, so callers keep asking the store (`store.get_cursor(...)`); a page of
posts and the cursor after it still share one transaction (`Store.save_page`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from kernel.models import PollRun, SourceState
from kernel.scrub import scrub
from triage.storage.tables import poll_runs, posts, quarantine, source_state


def utcnow() -> datetime:
    return datetime.now(UTC)


class SourceStates:
    """The source-state and poll-run half of `Store`."""

    engine: Engine
    dialect: str

    def get_cursor(self, source_name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(source_state.c.cursor).where(source_state.c.name == source_name)
            ).scalar_one_or_none()
        return dict(value) if value else None

    def set_health(
        self,
        source_name: str,
        source_type: str,
        *,
        healthy: bool,
        message: str | None,
        next_poll_at: datetime | None = None,
        polled: bool = True,
    ) -> None:
        with self.engine.begin() as conn:
            values: dict[str, Any] = {"healthy": healthy, "message": scrub(message)}
            values["next_poll_at"] = next_poll_at
            if polled:
                values["last_poll_at"] = utcnow()
            self._upsert_state(conn, source_name, source_type, **values)

    def _upsert_state(
        self, conn: Connection, source_name: str, source_type: str, **values: Any
    ) -> None:
        values["updated_at"] = utcnow()
        done = conn.execute(
            update(source_state).where(source_state.c.name == source_name).values(**values)
        )
        if done.rowcount == 0:
            insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
            conn.execute(
                insert(source_state)
                .values(**{"name": source_name, "type": source_type, "healthy": True, **values})
                .on_conflict_do_update(index_elements=["name"], set_=values)
            )

    def source_state(self, source_name: str) -> SourceState | None:
        """One source's stored state, without counting its posts (cheap: polls call it)."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(source_state).where(source_state.c.name == source_name))
                .mappings()
                .first()
            )
        return None if row is None else _state(row)

    def source_states(self) -> list[SourceState]:
        with self.engine.connect() as conn:
            counts: dict[str, int] = {
                str(name): int(count)
                for name, count in conn.execute(
                    select(posts.c.fetched_by, func.count()).group_by(posts.c.fetched_by)
                ).all()
            }
            held: dict[str, int] = {
                str(name): int(count)
                for name, count in conn.execute(
                    select(quarantine.c.source, func.count()).group_by(quarantine.c.source)
                ).all()
            }
            rows = conn.execute(select(source_state).order_by(source_state.c.name)).mappings()
            return [
                _state(
                    row,
                    posts=int(counts.get(row["name"], 0)),
                    quarantined=held.get(row["name"], 0),
                )
                for row in rows
            ]

    def start_poll(self, source_name: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                poll_runs.insert()
                .values(source=source_name, started_at=utcnow(), status="running")
                .returning(poll_runs.c.id)
            )
            return int(result.scalar_one())

    def finish_poll(
        self,
        run_id: int,
        *,
        status: str,
        fetched: int,
        new: int,
        pages: int,
        error: str | None = None,
        rate_limit_wait_seconds: float | None = None,
        skipped: int = 0,
        reads: int = 0,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(poll_runs)
                .where(poll_runs.c.id == run_id)
                .values(
                    status=status,
                    fetched=fetched,
                    new=new,
                    pages=pages,
                    error=scrub(error),
                    rate_limit_wait_seconds=rate_limit_wait_seconds,
                    skipped=skipped,
                    reads=reads,
                    finished_at=utcnow(),
                )
            )

    def set_next_poll(self, source_name: str, when: datetime | None) -> None:
        """When the scheduler will poll the source next (shown by `sources`)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(source_state)
                .where(source_state.c.name == source_name)
                .values(next_poll_at=when)
            )

    def pause(self, source_name: str, source_type: str, *, until: datetime, reason: str) -> None:
        """Stop polling a source until `until` (or `resume`); its cursor stays as it is."""
        with self.engine.begin() as conn:
            self._upsert_state(
                conn,
                source_name,
                source_type,
                paused_until=until,
                next_poll_at=until,
                healthy=False,
                message=reason,
            )

    def resume(self, source_name: str) -> bool:
        """Lift a pause; False when the source has no stored state."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(source_state)
                .where(source_state.c.name == source_name)
                .values(paused_until=None, next_poll_at=None, message=None, healthy=True)
            )
            return bool(done.rowcount)

    def reads_since(self, source_name: str, since: datetime) -> int:
        """Items the platform returned to this source's polls since `since` (billed reads)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(func.coalesce(func.sum(poll_runs.c.reads), 0)).where(
                    poll_runs.c.source == source_name, poll_runs.c.started_at >= since
                )
            ).scalar_one()
        return int(value or 0)

    def poll_runs(self, source_name: str | None = None, *, limit: int = 20) -> list[PollRun]:
        stmt = select(poll_runs).order_by(poll_runs.c.id.desc()).limit(limit)
        if source_name is not None:
            stmt = stmt.where(poll_runs.c.source == source_name)
        with self.engine.connect() as conn:
            return [
                PollRun(
                    source=row["source"],
                    started_at=row["started_at"],
                    finished_at=row["finished_at"],
                    fetched=row["fetched"],
                    new=row["new"],
                    status=row["status"],
                    error=row["error"],
                    rate_limit_wait_seconds=row["rate_limit_wait_seconds"],
                    skipped=int(row["skipped"] or 0),
                    reads=int(row["reads"] or 0),
                    pages=int(row["pages"] or 0),
                )
                for row in conn.execute(stmt).mappings()
            ]

    def mark_abandoned_polls(self) -> int:
        """Poll runs left `running` by a killed process are `interrupted` (called at start)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(poll_runs)
                .where(poll_runs.c.status == "running")
                .values(status="interrupted", finished_at=utcnow())
            )
            return int(result.rowcount or 0)

    @contextmanager
    def source_lock(self, source_name: str) -> Iterator[bool]:
        """Hold the right to poll `source_name`: on PostgreSQL, a session advisory lock, so
        replicas sharing a database never poll one source at the same time. SQLite has one
        writer anyway; overlapping polls there only cost duplicate reads that insert-or-skip
        absorbs."""
        if self.dialect != "postgresql":
            yield True
            return
        key = zlib.crc32(f"social-triage:poll:{source_name}".encode())
        with self.engine.connect() as conn:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()


def _state(row: Any, *, posts: int = 0, quarantined: int = 0) -> SourceState:
    return SourceState(
        name=row["name"],
        type=row["type"],
        cursor=row["cursor"],
        healthy=row["healthy"],
        message=row["message"],
        last_poll_at=row["last_poll_at"],
        next_poll_at=row["next_poll_at"],
        posts=posts,
        paused_until=row["paused_until"],
        quarantined=quarantined,
    )
