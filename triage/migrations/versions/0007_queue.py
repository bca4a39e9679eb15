"""the review queue: users, web sessions, queue items, replies, corrections, audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import Id, UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user"),
    )
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_table(
        "queue_items",
        sa.Column("post_id", Id, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("claimed_by", sa.Text),
        sa.Column("claim_expires_at", UTCDateTime),
        sa.Column("assigned_to", sa.Text),
        sa.Column("updated_by", sa.Text),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("post_id", name="pk_queue_items"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_queue_items_post"),
    )
    op.create_index("ix_queue_items_status", "queue_items", ["status"])
    op.create_table(
        "replies",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("post_id", Id, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("sent_by", sa.Text, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_replies"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_replies_post"),
    )
    op.create_index("ix_replies_post_id", "replies", ["post_id"])
    op.create_table(
        "corrections",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("post_id", Id, nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_corrections_post"),
    )
    op.create_index("ix_corrections_post_id", "corrections", ["post_id"])
    op.create_index("ix_corrections_field", "corrections", ["field"])
    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("post_id", Id),
        sa.Column("detail", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_post_id", "audit_log", ["post_id"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor", "id"])


    op.create_index(
        "ix_decisions_route_superseded_at_post_id",
        "decisions",
        ["route", "superseded_at", "post_id"],
    )
    op.create_index("ix_decisions_superseded_at_post_id", "decisions", ["superseded_at", "post_id"])
    op.create_index(
        "ix_decisions_superseded_at_confidence_id",
        "decisions",
        ["superseded_at", "confidence", "id"],
    )
    _search_index()


#: Full-text search over post text, outside `tables.py` (neither is a plain table or index;
#: tests/storage/test_migrations.py skips the names starting with `posts_fts`).
_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE posts_fts USING fts5(text, content='posts', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN "
    "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
]
_PG_FTS = [
    "CREATE INDEX posts_fts_text ON posts USING gin (to_tsvector('simple', text))",
]


def _search_index() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_FTS if dialect == "sqlite" else _PG_FTS:
        op.execute(statement)


def downgrade() -> None:
    for name in (
        "ix_decisions_route_superseded_at_post_id",
        "ix_decisions_superseded_at_post_id",
        "ix_decisions_superseded_at_confidence_id",
    ):
        op.drop_index(name, "decisions")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("posts_fts_insert", "posts_fts_delete", "posts_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    else:
        op.execute("DROP INDEX IF EXISTS posts_fts_text")
    for table in ("audit_log", "corrections", "replies", "queue_items", "web_sessions", "users"):
        op.drop_table(table)
