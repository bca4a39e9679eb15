"""delivery leases with an owner: `cases.claimed_by` names the worker holding a case

A worker renews the lease of the cases it holds (a heartbeat) and records their outcome only
while it still holds them; another worker takes a case over once its lease has run out.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("claimed_by", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("claimed_by")
