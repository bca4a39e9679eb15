"""decisions: model, rule and author strings are unbounded text

The embedded model's version string is 194 characters (encoder path, fingerprint, backend
recipe); as `varchar(128)` PostgreSQL refused every decision while SQLite, which does not
enforce lengths, stored them. Strings a component composes at run time have no natural bound,
so they are `text` on every engine.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_WIDENED = {
    "decisions": [("rule", 128), ("model_version", 128), ("rules_version", 64), ("decided_by", 128)],
    "cases": [("ticket_status", 64)],
}


def upgrade() -> None:
    for table, columns in _WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for name, length in columns:
                batch.alter_column(name, type_=sa.Text, existing_type=sa.String(length))


def downgrade() -> None:
    for table, columns in _WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for name, length in columns:
                batch.alter_column(name, type_=sa.String(length), existing_type=sa.Text)
