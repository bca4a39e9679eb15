"""The store: every read and write of posts, cursors and poll runs goes through here.

Writes that belong together (a page of posts and the cursor after it) share one transaction,
so a crash between them loses nothing and repeats nothing. Sources' state and poll runs are
`triage.storage.sources.SourceStates`, mixed in here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kernel.models import Author, Post, PostKind, Skipped, StoredPost
from triage.storage import ingest
from triage.storage.sources import SourceStates, utcnow
from triage.storage.tables import post_revisions, posts


class Store(SourceStates):
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
        skipped: Sequence[str | Skipped] = (),
        brand: str | None = None,
    ) -> ingest.PageResult:
        """Normalise, mask and insert-or-skip a page; edits become revisions; items that
        cannot be stored (and those the source skipped) go to quarantine. Never raises for one
        bad item (see `triage.storage.ingest`). `brand`: the brand the source listens for."""
        result = ingest.PageResult()
        now = utcnow()
        for item in skipped:
            content = item.content if isinstance(item, Skipped) else None
            ingest.add_quarantine(conn, fetched_by, content, str(item), now, result)
        if not batch:
            return result
        grouped = ingest.prepare(batch, fetched_by, now, result, conn)
        latest = {key: versions[-1] for key, versions in grouped.items()}
        earlier = {key: versions[:-1] for key, versions in grouped.items() if len(versions) > 1}
        rows = [_post_row(post, now, fetched_by, brand) for post in latest.values()]
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
        skipped: Sequence[str | Skipped] = (),
        brand: str | None = None,
    ) -> int:
        """Store a page of posts and, if given, the cursor after it, in one transaction."""
        return self.save_page_result(
            source_name, source_type, batch, cursor, skipped=skipped, brand=brand
        ).new

    def save_page_result(
        self,
        source_name: str,
        source_type: str,
        batch: Sequence[Post],
        cursor: dict[str, Any] | None,
        *,
        skipped: Sequence[str | Skipped] = (),
        brand: str | None = None,
    ) -> ingest.PageResult:
        with self.engine.begin() as conn:
            result = self.store_page(
                conn, batch, fetched_by=source_name, skipped=skipped, brand=brand
            )
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
            return find_post_in(conn, source, external_id)

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


def _post_row(post: Post, now: datetime, fetched_by: str, brand: str | None) -> dict[str, Any]:
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
        "brand": brand or post.brand,
    }


def find_post_in(conn: Connection, source: str, external_id: str) -> StoredPost | None:
    """`Store.find_post` on the caller's connection."""
    row = (
        conn.execute(
            select(posts).where(posts.c.source == source, posts.c.external_id == external_id)
        )
        .mappings()
        .first()
    )
    return stored_post_from_row(row) if row else None


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
            brand=row.get("brand"),
        ),
    )
