"""posts (created_at, id) index: a queue view sorted by time left

`triage.queue.due` reads each route's open items oldest first (`ORDER BY posts.created_at,
posts.id LIMIT n`); without this index both databases sorted every open item of the route
for each page. With it they walk the posts in that order and stop after the page.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_posts_created_at_id", "posts", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_posts_created_at_id", table_name="posts")
