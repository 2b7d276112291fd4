"""Background jobs: failed jobs kept, and the sessions the reminder job reads.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

- ``failed_jobs``: a job that failed for good (retries used up, or the broker could not take it), with its
  arguments, so an admin can see why and queue it again (``retried_at``).
- ``match_sessions``: one row per planned session of a mentorship (the sessions of
  ``mentor_matches.session_schedule``, filled here from the mentorships already stored), kept in step by
  the mentorship repository; ``starts_at`` is indexed for the reminder job, ``reminded_at`` marks a reminder
  sent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "failed_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("arguments", _json(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failed_jobs"),
    )
    op.create_index("ix_failed_jobs_failed_at", "failed_jobs", ["failed_at"])
    sessions = op.create_table(
        "match_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("match_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["match_id"], ["mentor_matches.id"], name="fk_match_sessions_match_id_mentor_matches", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_match_sessions"),
    )
    op.create_index("ix_match_sessions_match_id", "match_sessions", ["match_id"])
    op.create_index("ix_match_sessions_starts_at", "match_sessions", ["starts_at"])
    _backfill_sessions(sessions)


def _backfill_sessions(sessions: sa.Table) -> None:
    """Copy the sessions of the stored mentorships (offline ``--sql`` runs have no rows to read)."""
    if op.get_context().as_sql:
        return
    matches = sa.table("mentor_matches", sa.column("id", sa.Uuid()), sa.column("session_schedule", _json()))
    rows = []
    for match_id, schedule in op.get_bind().execute(sa.select(matches.c.id, matches.c.session_schedule)):
        document = json.loads(schedule) if isinstance(schedule, str) else schedule
        for session in document or []:
            starts_at = datetime.fromisoformat(session["time"])
            rows.append({"id": UUID(session["id"]), "match_id": match_id, "starts_at": starts_at, "reminded_at": None})
    if rows:
        op.bulk_insert(sessions, rows)


def downgrade() -> None:
    op.drop_index("ix_match_sessions_starts_at", table_name="match_sessions")
    op.drop_index("ix_match_sessions_match_id", table_name="match_sessions")
    op.drop_table("match_sessions")
    op.drop_index("ix_failed_jobs_failed_at", table_name="failed_jobs")
    op.drop_table("failed_jobs")
