"""the learning loop: examples, corrections of examples, head versions, learn runs, post brand

`decisions.summary` is the one-sentence explanation per interface language;
`corrections import` stores labelled texts that are not posts in `examples` and their labels in
`corrections` (post_id or example_id); `learn` keeps every head it fits in `head_versions` and
each run in `learn_runs`; `posts.brand` is the brand a post is addressed to, for brand heads.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import Id, UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("brand", sa.Text))
    op.add_column("decisions", sa.Column("summary", sa.JSON))
    op.create_table(
        "examples",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lang", sa.String(16)),
        sa.Column("brand", sa.Text),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_examples"),
    )
    with op.batch_alter_table("corrections") as batch:
        batch.alter_column("post_id", existing_type=Id, nullable=True)
        batch.add_column(sa.Column("example_id", Id))
        batch.add_column(sa.Column("brand", sa.Text))
        batch.add_column(sa.Column("origin", sa.Text, nullable=False, server_default="queue"))
        batch.create_foreign_key("fk_corrections_example", "examples", ["example_id"], ["id"])
    op.create_table(
        "head_versions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("brand", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("encoder_version", sa.Text, nullable=False),
        sa.Column("metadata", sa.JSON, nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("promoted_at", UTCDateTime),
        sa.Column("retired_at", UTCDateTime),
        sa.Column("reason", sa.Text),
        sa.Column("run_id", Id),
        sa.Column("replaces", Id),
        sa.PrimaryKeyConstraint("id", name="pk_head_versions"),
    )
    op.create_index(
        "ix_head_versions_task_brand_status", "head_versions", ["task", "brand", "status"]
    )
    op.create_table(
        "learn_runs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("last_correction_id", Id),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_learn_runs"),
    )


def downgrade() -> None:
    op.drop_table("learn_runs")
    op.drop_index("ix_head_versions_task_brand_status", table_name="head_versions")
    op.drop_table("head_versions")
    with op.batch_alter_table("corrections") as batch:
        batch.drop_constraint("fk_corrections_example", type_="foreignkey")
        batch.drop_column("origin")
        batch.drop_column("brand")
        batch.drop_column("example_id")
        batch.alter_column("post_id", existing_type=Id, nullable=False)
    op.drop_table("examples")
    op.drop_column("decisions", "summary")
    op.drop_column("posts", "brand")
