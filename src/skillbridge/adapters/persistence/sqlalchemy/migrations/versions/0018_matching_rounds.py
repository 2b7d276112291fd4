"""Matching rounds as records, and the indexes a round at scale reads by.

Revision ID: 0018
Revises: 0012
Create Date: 2026-12-07

- ``matching_rounds``: one row per round an admin started: its scope (a domain slug, or ``*`` for every
  domain), status (queued, running, done, failed), algorithm and weights, progress counters (requests
  considered, matches stored, batches written) moved in the same transaction as each batch of matches,
  timings and the result summary. A partial unique index keeps one open (queued or running) round per scope.
  The admin who started it is kept while their account exists (ON DELETE SET NULL).
- ``ix_mentor_matches_waiting_created_at_id``: the waiting requests oldest first, partial on status, so a
  round over 100,000 of them reads page after page by keyset instead of sorting them all for each page.
- ``ix_mentor_matches_open_mentor``: the open (pending, active) matches by mentor, for counting a mentor's
  taken places. Without it, with statistics taken before a large round filled the places, PostgreSQL counted
  them through ``uq_mentor_matches_open_learner_mentor`` (led by learner_id: a full index scan per mentor),
  65 s for one page of 5,000 mentors at 82,000 open matches instead of 0.5 s.

On PostgreSQL the table is reachable only by a connection acting for the system (admin operations and jobs
call ``act_for_system``), as ``failed_jobs`` is in 0011, with the same grants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "skillbridge_app"
_SYSTEM = "skillbridge_system_access()"
OPEN_ROUND_SQL = "status IN ('queued', 'running')"
WAITING_SQL = "status = 'waiting'"
PLACE_SQL = "status IN ('active', 'pending')"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "matching_rounds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("weights", _json(), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requests_considered", sa.Integer(), nullable=False),
        sa.Column("matches_stored", sa.Integer(), nullable=False),
        sa.Column("batches_written", sa.Integer(), nullable=False),
        sa.Column("total_score", sa.Double(), nullable=False),
        sa.Column("left_waiting", sa.Integer(), nullable=False),
        sa.Column("unassigned", _json(), nullable=False),
        sa.Column("engine", sa.String(length=100), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('done', 'failed', 'queued', 'running')", name=op.f("ck_matching_rounds_status")),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_matching_rounds_requested_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_rounds")),
    )
    op.create_index(op.f("ix_matching_rounds_requested_by"), "matching_rounds", ["requested_by"])
    op.create_index(op.f("ix_matching_rounds_created_at"), "matching_rounds", ["created_at"])
    op.create_index(
        "uq_matching_rounds_open_scope",
        "matching_rounds",
        ["scope"],
        unique=True,
        postgresql_where=sa.text(OPEN_ROUND_SQL),
        sqlite_where=sa.text(OPEN_ROUND_SQL),
    )
    op.create_index(
        "ix_mentor_matches_open_mentor",
        "mentor_matches",
        ["mentor_id"],
        postgresql_where=sa.text(PLACE_SQL),
        sqlite_where=sa.text(PLACE_SQL),
    )
    op.create_index(
        "ix_mentor_matches_waiting_created_at_id",
        "mentor_matches",
        ["created_at", "id"],
        postgresql_where=sa.text(WAITING_SQL),
        sqlite_where=sa.text(WAITING_SQL),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE matching_rounds ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY system ON matching_rounds FOR ALL TO {APP_ROLE} USING ({_SYSTEM}) WITH CHECK ({_SYSTEM})"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON matching_rounds TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY system ON matching_rounds")
        op.execute(f"REVOKE ALL ON matching_rounds FROM {APP_ROLE}")
    op.drop_index("ix_mentor_matches_waiting_created_at_id", table_name="mentor_matches")
    op.drop_index("ix_mentor_matches_open_mentor", table_name="mentor_matches")
    op.drop_table("matching_rounds")
