"""Community: when a notification was read, and full-text search of forum threads on PostgreSQL.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-03

- ``notifications.read_at``: when the recipient read it (``read`` stays, kept in step, for the
  ``(user_id, read, created_at)`` index); notifications read before this revision take ``updated_at``.
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
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_INDEX = "ix_forum_posts_search"
# Must stay identical to the search document of the forum repository (adapters/persistence/sqlalchemy).
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, content), 'B')"
)


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE notifications SET read_at = updated_at WHERE read")
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {SEARCH_INDEX} ON forum_posts USING gin (({SEARCH_DOCUMENT}))")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {SEARCH_INDEX}")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("read_at")
