"""quarantine, post_revisions, retained_counts

Items that cannot be stored go to `quarantine` instead of failing their page; edited posts keep
their earlier texts in `post_revisions`; retention deletes old posts but keeps their counts in
`retained_counts`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import Id, UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("payload", sa.Text),
        sa.Column("quarantined_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantine"),
    )
    op.create_index("ix_quarantine_source", "quarantine", ["source"])
    op.create_table(
        "post_revisions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "post_id",
            Id,
            sa.ForeignKey("posts.id", name="fk_post_revisions_post"),
            nullable=False,
        ),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("raw", sa.JSON),
        sa.Column("replaced_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_post_revisions"),
    )
    op.create_index("ix_post_revisions_post_id", "post_revisions", ["post_id"])
    op.create_table(
        "retained_counts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retained_counts"),
        sa.UniqueConstraint("day", "source", "route", name="uq_retained_counts_day_source_route"),
    )


def downgrade() -> None:
    op.drop_table("retained_counts")
    op.drop_index("ix_post_revisions_post_id", "post_revisions")
    op.drop_table("post_revisions")
    op.drop_index("ix_quarantine_source", "quarantine")
    op.drop_table("quarantine")
