"""decisions and cases; posts.classified_at

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import Id, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("classified_at", UTCDateTime))
        batch.create_index("ix_posts_classified_at", ["classified_at"])
    op.create_table(
        "decisions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("post_id", Id, nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("tier", sa.Integer),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("rules_tried", sa.JSON, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("signals", sa.JSON),
        sa.Column("sink", sa.String(64)),
        sa.Column("model_version", sa.String(128)),
        sa.Column("rules_version", sa.String(64)),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.Column("superseded_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_decisions_post"),
    )
    op.create_index("ix_decisions_post_id", "decisions", ["post_id"])
    op.create_index("ix_decisions_route_superseded_at", "decisions", ["route", "superseded_at"])
    op.create_table(
        "cases",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("post_id", Id, nullable=False),
        sa.Column("decision_id", Id, nullable=False),
        sa.Column("sink", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(191), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime),
        sa.Column("ticket_id", sa.String(191)),
        sa.Column("ticket_url", sa.Text),
        sa.Column("ticket_status", sa.String(64)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], name="fk_cases_post"),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name="fk_cases_decision"),
        sa.UniqueConstraint("idempotency_key", name="uq_cases_idempotency_key"),
    )
    op.create_index("ix_cases_status_next_attempt_at", "cases", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("cases")
    op.drop_table("decisions")
    with op.batch_alter_table("posts") as batch:
        batch.drop_index("ix_posts_classified_at")
        batch.drop_column("classified_at")
