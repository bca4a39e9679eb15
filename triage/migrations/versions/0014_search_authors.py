"""search by author: the search index covers the author's handle and display name

The queue's search finds words in a post's text, its author's handle or display name, with
case and accents folded on both databases ("joão" finds posts by João), and `author:@handle`
finds an author's posts (`triage.storage.search`).

- SQLite: `posts_fts` gets the `author_handle` and `author_name` columns (rebuilt from posts).
- PostgreSQL: the GIN index `posts_fts_search` on the folded text, handle and name replaces
  `posts_fts_text`.
- Both: `posts_fts_author` on `(lower(author_handle), source)` for `author:` and the
  customer's other posts on the item page.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from alembic import op

from triage.storage.search import search_document_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = ("posts_fts_insert", "posts_fts_delete", "posts_fts_update")
_COLUMNS = "text, author_handle, author_name"
_NEW = "new.text, new.author_handle, new.author_name"
_OLD = "old.text, old.author_handle, old.author_name"


def _sqlite_fts(columns: str, new: str, old: str, of: str) -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE posts_fts USING fts5({columns}, content='posts', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
        f"INSERT INTO posts_fts(rowid, {columns}) VALUES (new.id, {new}); END",
        "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
        f"INSERT INTO posts_fts(posts_fts, rowid, {columns}) VALUES ('delete', old.id, {old}); "
        "END",
        f"CREATE TRIGGER posts_fts_update AFTER UPDATE OF {of} ON posts BEGIN "
        f"INSERT INTO posts_fts(posts_fts, rowid, {columns}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO posts_fts(rowid, {columns}) VALUES (new.id, {new}); END",
        "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
    ]


def _drop_sqlite_fts() -> None:
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS posts_fts")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_fts()
        for statement in _sqlite_fts(_COLUMNS, _NEW, _OLD, _COLUMNS):
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS posts_fts_text")
        op.execute(f"CREATE INDEX posts_fts_search ON posts USING gin ({search_document_sql()})")
    op.execute("CREATE INDEX posts_fts_author ON posts (lower(author_handle), source)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS posts_fts_author")
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_fts()
        for statement in _sqlite_fts("text", "new.text", "old.text", "text"):
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS posts_fts_search")
        op.execute("CREATE INDEX posts_fts_text ON posts USING gin (to_tsvector('simple', text))")
