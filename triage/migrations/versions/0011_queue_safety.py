"""queue safety: log-in throttle, presence, item versions, idempotent replies

`login_throttle` counts failed log-ins per account and per client address (hashed keys);
`presence` says who has an item open; `queue_items.version` makes every action a conditional
update; `replies.idempotency_key` makes a double submit send once.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from triage.storage.tables import Id, UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locks", sa.Integer, nullable=False),
        sa.Column("locked_until", UTCDateTime),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_login_throttle"),
    )
    op.create_table(
        "presence",
        sa.Column("post_id", Id, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("activity", sa.Text, nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("post_id", "user_name", name="pk_presence"),
    )
    op.create_index("ix_presence_seen_at", "presence", ["seen_at"])
    with op.batch_alter_table("queue_items") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="0"))
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.Text))
        batch.create_unique_constraint("uq_replies_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.drop_constraint("uq_replies_idempotency_key", type_="unique")
        batch.drop_column("idempotency_key")
    with op.batch_alter_table("queue_items") as batch:
        batch.drop_column("version")
    op.drop_index("ix_presence_seen_at", table_name="presence")
    op.drop_table("presence")
    op.drop_table("login_throttle")
