"""The store: every read and write of posts, cursors and poll runs goes through here.

Writes that belong together (a page of posts and the cursor after it) share one transaction,
so a crash between them loses nothing and repeats nothing.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from triage.models import Author, PollRun, Post, PostKind, SourceState, StoredPost
from triage.scrub import scrub
from triage.storage import ingest
from triage.storage.tables import poll_runs, post_revisions, posts, quarantine, source_state


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self._insert_posts = (
            insert(posts)
            .on_conflict_do_nothing(index_elements=["source", "external_id"])
            .returning(posts.c.id, posts.c.source, posts.c.external_id)
        )

    # --- posts -----------------------------------------------------------------------------

    def insert_posts(self, conn: Connection, batch: Sequence[Post], *, fetched_by: str) -> int:
        """Insert-or-skip on (source, external_id); returns how many rows were new."""
        return self.store_page(conn, batch, fetched_by=fetched_by).new

    def store_page(
        self,
        conn: Connection,
        batch: Sequence[Post],
        *,
        fetched_by: str,
        skipped: Sequence[str] = (),
    ) -> ingest.PageResult:
        """Normalise, mask and insert-or-skip a page; edits become revisions; items that
        cannot be stored (and those the source skipped) go to quarantine. Never raises for one
        bad item (see `triage.storage.ingest`)."""
        result = ingest.PageResult()
        now = utcnow()
        for reason in skipped:
            ingest.add_quarantine(conn, fetched_by, None, reason, now, result)
        if not batch:
            return result
        grouped = ingest.prepare(batch, fetched_by, now, result, conn)
        latest = {key: versions[-1] for key, versions in grouped.items()}
        earlier = {key: versions[:-1] for key, versions in grouped.items() if len(versions) > 1}
        rows = [_post_row(post, now, fetched_by) for post in latest.values()]
        # executemany of one cached statement: SQLAlchemy batches it into multi-row INSERTs
        # ("insertmanyvalues") and RETURNING gives back only the rows that were new.
        inserted = ingest.insert_rows(conn, self._insert_posts, rows, fetched_by, now, result)
        result.new = len(inserted)
        new_keys = {(row.source, row.external_id) for row in inserted}
        ingest.apply_edits(conn, latest, earlier, new_keys, now, result)
        return result

    def save_page(
        self,
        source_name: str,
        source_type: str,
        batch: Sequence[Post],
        cursor: dict[str, Any] | None,
        *,
        skipped: Sequence[str] = (),
    ) -> int:
        """Store a page of posts and, if given, the cursor after it, in one transaction."""
        return self.save_page_result(source_name, source_type, batch, cursor, skipped=skipped).new

    def save_page_result(
        self,
        source_name: str,
        source_type: str,
        batch: Sequence[Post],
        cursor: dict[str, Any] | None,
        *,
        skipped: Sequence[str] = (),
    ) -> ingest.PageResult:
        with self.engine.begin() as conn:
            result = self.store_page(conn, batch, fetched_by=source_name, skipped=skipped)
            if cursor is not None:
                self._upsert_state(conn, source_name, source_type, cursor=cursor)
        return result

    def count_posts(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(posts)).scalar_one())

    def get_post(self, post_id: int) -> StoredPost | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(posts).where(posts.c.id == post_id)).mappings().first()
        return stored_post_from_row(row) if row else None

    def find_post(self, source: str, external_id: str) -> StoredPost | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(posts).where(
                        posts.c.source == source, posts.c.external_id == external_id
                    )
                )
                .mappings()
                .first()
            )
        return stored_post_from_row(row) if row else None

    def iter_posts(self, *, after_id: int = 0, limit: int | None = None) -> Iterator[StoredPost]:
        stmt = select(posts).where(posts.c.id > after_id).order_by(posts.c.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            for row in conn.execute(stmt).mappings():
                yield stored_post_from_row(row)

    def revisions(self, post_id: int) -> list[tuple[str, datetime]]:
        """Earlier texts of an edited post, oldest first, with when each was replaced."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(post_revisions.c.text, post_revisions.c.replaced_at)
                .where(post_revisions.c.post_id == post_id)
                .order_by(post_revisions.c.id)
            ).all()
        return [(str(text), replaced_at) for text, replaced_at in rows]

    # --- sources, cursors and poll runs ------------------------------------------------------

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
        if row is None:
            return None
        return SourceState(
            name=row["name"],
            type=row["type"],
            cursor=row["cursor"],
            healthy=row["healthy"],
            message=row["message"],
            last_poll_at=row["last_poll_at"],
            next_poll_at=row["next_poll_at"],
            paused_until=row["paused_until"],
        )

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
                SourceState(
                    name=row["name"],
                    type=row["type"],
                    cursor=row["cursor"],
                    healthy=row["healthy"],
                    message=row["message"],
                    last_poll_at=row["last_poll_at"],
                    next_poll_at=row["next_poll_at"],
                    posts=int(counts.get(row["name"], 0)),
                    paused_until=row["paused_until"],
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

    # --- stats -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            by_source = {
                str(source): int(count)
                for source, count in conn.execute(
                    select(posts.c.source, func.count())
                    .group_by(posts.c.source)
                    .order_by(posts.c.source)
                ).all()
            }
        return {"posts": sum(by_source.values()), "by_source": by_source}


def _post_row(post: Post, now: datetime, fetched_by: str) -> dict[str, Any]:
    author = post.author
    return {
        "source": post.source,
        "external_id": post.external_id,
        "url": post.url,
        "author_handle": author.handle,
        "author_name": author.name,
        "author_external_id": author.external_id,
        "author_followers": author.followers,
        "author_verified": author.verified,
        "author_is_brand": author.is_brand,
        "text": post.text,
        "lang": post.lang,
        "created_at": post.created_at,
        "ingested_at": now,
        "conversation_id": post.conversation_id,
        "parent_id": post.parent_id,
        "kind": post.kind.value,
        "query": post.query,
        "fetched_by": fetched_by,
        "raw": post.raw,
    }


def stored_post_from_row(row: Any) -> StoredPost:
    """A `posts` row (a mapping) as the domain record; the other storage modules use it too."""
    return StoredPost(
        id=row["id"],
        ingested_at=row["ingested_at"],
        post=Post(
            source=row["source"],
            external_id=row["external_id"],
            text=row["text"],
            created_at=row["created_at"],
            url=row["url"],
            author=Author(
                handle=row["author_handle"],
                name=row["author_name"],
                followers=row["author_followers"],
                verified=row["author_verified"],
                external_id=row["author_external_id"],
                is_brand=bool(row["author_is_brand"]),
            ),
            lang=row["lang"],
            conversation_id=row["conversation_id"],
            parent_id=row["parent_id"],
            kind=PostKind(row["kind"]),
            query=row["query"],
            raw=row["raw"] or {},
        ),
    )
