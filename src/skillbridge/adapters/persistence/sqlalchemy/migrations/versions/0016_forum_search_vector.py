"""The forum's search document stored with each post, on PostgreSQL.

Revision ID: 0016
Revises: 0009
Create Date: 2026-12-06

``forum_posts.search_vector`` (PostgreSQL only): the weighted search document of migration 0005, now a
stored generated column with its GIN index (``ix_forum_posts_search_vector``) in place of the expression
index. A search ranks every matching thread with ``ts_rank``; with the expression index, PostgreSQL rebuilt
each match's document from its text to rank it (0.3 s for "python" over 3,000 matching threads); now it
reads the stored one. SQLite has neither (its search is a LIKE over the text).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The document of 0005, unchanged (title weight A, content weight B, the ``simple`` configuration).
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, content), 'B')"
)
OLD_INDEX = "ix_forum_posts_search"
NEW_INDEX = "ix_forum_posts_search_vector"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        f"ALTER TABLE forum_posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({SEARCH_DOCUMENT}) STORED"
    )
    op.execute(f"CREATE INDEX {NEW_INDEX} ON forum_posts USING gin (search_vector)")
    op.execute(f"DROP INDEX {OLD_INDEX}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {OLD_INDEX} ON forum_posts USING gin (({SEARCH_DOCUMENT}))")
    op.execute(f"DROP INDEX {NEW_INDEX}")
    op.execute("ALTER TABLE forum_posts DROP COLUMN search_vector")
