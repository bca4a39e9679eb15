"""sink breakers: each replica's open delivery breakers, for `social-triage cases`

A sink whose helpdesk failed several deliveries in a row is left alone for a cool-down
(triage/outbox_breaker.py); the replica that keeps the breaker writes a row here while it is
open, so `cases` (another process) can say so.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sink_breakers",
        sa.Column("sink", sa.Text, primary_key=True),
        sa.Column("replica", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("retry_at", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("sink_breakers")
