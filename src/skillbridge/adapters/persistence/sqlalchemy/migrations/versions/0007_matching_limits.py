"""Matching limits: one open match per learner and mentor, mentor blocks, how long a mentorship lasted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10

- ``mentor_matches.accepted_at`` and ``completed_at``: when a mentorship became active and completed (a
  completion counts for badges only after a minimum duration). Stored mentorships get estimates: accepted
  at creation (active and completed ones), completed at their last change (completed ones).
- ``uq_mentor_matches_open_learner_mentor``: a learner holds at most one pending or active match with any
  one mentor. A pending request that duplicates an older open match of the same pair is cancelled first
  (two active ones of one pair stop the migration: an operator decides which to end).
- ``mentor_blocks``: a mentor's block of a learner (primary key the pair, learners indexed for the check
  made on every request).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAIR_INDEX = "uq_mentor_matches_open_learner_mentor"
PLACE_STATUSES = "status IN ('active', 'pending')"
DOMAIN_INDEX = "uq_mentor_matches_open_learner_domain"
OPEN_STATUSES = "status IN ('active', 'pending', 'waiting')"

# A pending request is a duplicate when the same pair already has an active match, or an older open one.
_CANCEL_DUPLICATES = """
UPDATE mentor_matches SET status = 'cancelled', expires_at = NULL
WHERE status = 'pending' AND EXISTS (
    SELECT 1 FROM mentor_matches AS other
    WHERE other.learner_id = mentor_matches.learner_id
      AND other.mentor_id = mentor_matches.mentor_id
      AND other.id <> mentor_matches.id
      AND (other.status = 'active'
           OR (other.status = 'pending'
               AND (other.created_at < mentor_matches.created_at
                    OR (other.created_at = mentor_matches.created_at AND other.id < mentor_matches.id))))
)
"""


def _partial_unique_index(name: str, columns: list[str], predicate: str) -> None:
    op.create_index(
        name,
        "mentor_matches",
        columns,
        unique=True,
        postgresql_where=sa.text(predicate),
        sqlite_where=sa.text(predicate),
    )


def upgrade() -> None:
    op.add_column("mentor_matches", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("mentor_matches", sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE mentor_matches SET accepted_at = created_at WHERE status IN ('active', 'completed')")
    op.execute("UPDATE mentor_matches SET completed_at = updated_at WHERE status = 'completed'")
    op.execute(_CANCEL_DUPLICATES)
    _partial_unique_index(PAIR_INDEX, ["learner_id", "mentor_id"], PLACE_STATUSES)
    op.create_table(
        "mentor_blocks",
        sa.Column("mentor_id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["users.id"], name="fk_mentor_blocks_mentor_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name="fk_mentor_blocks_learner_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("mentor_id", "learner_id", name="pk_mentor_blocks"),
    )
    op.create_index("ix_mentor_blocks_learner_id", "mentor_blocks", ["learner_id"])


def downgrade() -> None:
    op.drop_index("ix_mentor_blocks_learner_id", table_name="mentor_blocks")
    op.drop_table("mentor_blocks")
    op.drop_index(PAIR_INDEX, table_name="mentor_matches")
    # SQLite rebuilds the table in the batch, which would not carry the partial index's WHERE clause.
    op.drop_index(DOMAIN_INDEX, table_name="mentor_matches")
    with op.batch_alter_table("mentor_matches") as batch:
        batch.drop_column("completed_at")
        batch.drop_column("accepted_at")
    _partial_unique_index(DOMAIN_INDEX, ["learner_id", "domain"], OPEN_STATUSES)
