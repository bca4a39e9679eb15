"""poll_runs count skipped items and billed reads; source_state can be paused

`poll_runs.skipped`: items a poll could not store (malformed entries, bad replay lines),
shown by `sources` so a source that silently drops data is visible. `poll_runs.reads`: the
items the platform returned (what X bills), summed per month for a source's read budget.
`source_state.paused_until`: a source paused by its platform (X's usage cap, depleted
credits) is not polled before then, or until `sources resume NAME`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("poll_runs") as batch:
        batch.add_column(sa.Column("skipped", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("reads", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("source_state") as batch:
        batch.add_column(sa.Column("paused_until", UTCDateTime))


def downgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        batch.drop_column("paused_until")
    with op.batch_alter_table("poll_runs") as batch:
        batch.drop_column("reads")
        batch.drop_column("skipped")
