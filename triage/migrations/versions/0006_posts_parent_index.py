"""posts (source, parent_id) index: find the brand's answers to a post (self-echo)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_posts_source_parent_id", "posts", ["source", "parent_id"])


def downgrade() -> None:
    op.drop_index("ix_posts_source_parent_id", table_name="posts")
