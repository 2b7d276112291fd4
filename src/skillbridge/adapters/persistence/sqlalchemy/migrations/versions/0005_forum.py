"""Community: when a notification was read, and full-text search of forum threads on PostgreSQL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

- ``notifications.read_at``: when the recipient read it (``read`` stays, kept in step, for the
  ``(user_id, read, created_at)`` index); notifications read before this revision take ``updated_at``.
- ``forum_posts.reply_count`` and ``forum_posts.last_activity_at``: a thread's statistics, kept on its
  opening post (filled from the replies already there), with ``ix_forum_posts_threads_last_activity``
  (opening posts only) serving the thread list most recently active first.
- ``ix_forum_posts_search`` (PostgreSQL only): a GIN index on the weighted search document of a post,
  title weight A, content weight B, ``simple`` configuration (no stemming: the forum is multilingual).
  The forum repository's search query uses the very same expression, so the planner can use the index.
  SQLite has no full-text index here: the forum's LIKE match there reads the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_INDEX = "ix_forum_posts_search"
THREADS_INDEX = "ix_forum_posts_threads_last_activity"
THREAD = "parent_id IS NULL"
BACKFILL_THREADS = """
UPDATE forum_posts SET
    reply_count = (SELECT count(*) FROM forum_posts AS reply WHERE reply.root_id = forum_posts.id),
    last_activity_at = coalesce(
        (SELECT max(reply.created_at) FROM forum_posts AS reply WHERE reply.root_id = forum_posts.id), created_at
    )
WHERE parent_id IS NULL
"""
# Must stay identical to the search document of the forum repository (adapters/persistence/sqlalchemy).
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, content), 'B')"
)


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE notifications SET read_at = updated_at WHERE read")
    # Plain ALTER TABLE ADD COLUMN (SQLite has it for a NOT NULL column with a default): no table copy,
    # so ``alembic upgrade --sql`` needs no database either.
    op.add_column("forum_posts", sa.Column("reply_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("forum_posts", sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL_THREADS)
    op.create_index(
        THREADS_INDEX,
        "forum_posts",
        ["last_activity_at", "id"],
        postgresql_where=sa.text(THREAD),
        sqlite_where=sa.text(THREAD),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {SEARCH_INDEX} ON forum_posts USING gin (({SEARCH_DOCUMENT}))")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {SEARCH_INDEX}")
    op.drop_index(THREADS_INDEX, table_name="forum_posts")
    with op.batch_alter_table("forum_posts") as batch:
        batch.drop_column("last_activity_at")
        batch.drop_column("reply_count")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("read_at")
