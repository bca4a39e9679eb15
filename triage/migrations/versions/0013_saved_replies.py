"""saved replies: reply templates leads manage in the web app

`saved_replies` holds one template per row (title, language, channel, body with `{variables}`),
who wrote and last changed it; the audit log records every change.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import Id, UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_replies",
        sa.Column("id", Id, nullable=False, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_replies"),
    )
    op.create_index("ix_saved_replies_language_channel", "saved_replies", ["language", "channel"])


def downgrade() -> None:
    op.drop_index("ix_saved_replies_language_channel", table_name="saved_replies")
    op.drop_table("saved_replies")
