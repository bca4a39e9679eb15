"""posts, source state and poll runs

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import Id, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(191), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("author_handle", sa.String(255), nullable=False),
        sa.Column("author_name", sa.String(255)),
        sa.Column("author_external_id", sa.String(191)),
        sa.Column("author_followers", sa.BigInteger),
        sa.Column("author_verified", sa.Boolean),
        sa.Column("author_is_brand", sa.Boolean, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(16)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
        sa.Column("conversation_id", sa.String(191)),
        sa.Column("parent_id", sa.String(191)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("query", sa.Text),
        sa.Column("fetched_by", sa.String(64), nullable=False),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_posts"),
        sa.UniqueConstraint("source", "external_id", name="uq_posts_source_external_id"),
    )
    op.create_index("ix_posts_ingested_at", "posts", ["ingested_at"])
    op.create_index("ix_posts_source_conversation_id", "posts", ["source", "conversation_id"])
    op.create_table(
        "source_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("cursor", sa.JSON),
        sa.Column("healthy", sa.Boolean, nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("last_poll_at", UTCDateTime),
        sa.Column("next_poll_at", UTCDateTime),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_source_state"),
    )
    op.create_table(
        "poll_runs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("fetched", sa.Integer, nullable=False),
        sa.Column("new", sa.Integer, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("rate_limit_wait_seconds", sa.Float),
        sa.PrimaryKeyConstraint("id", name="pk_poll_runs"),
    )
    op.create_index("ix_poll_runs_source_started_at", "poll_runs", ["source", "started_at"])


def downgrade() -> None:
    op.drop_table("poll_runs")
    op.drop_table("source_state")
    op.drop_table("posts")
