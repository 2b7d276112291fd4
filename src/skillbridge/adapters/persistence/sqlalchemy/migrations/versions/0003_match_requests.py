"""Mentorship lifecycle: requests that wait for a mentor, one open request per learner and domain.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

- ``mentor_matches.status`` gains ``waiting`` (a request no eligible mentor could take yet), whose
  ``mentor_id`` is NULL; every other status has a mentor (check ``mentor_set``).
- ``mentor_matches.domain`` becomes NOT NULL (rows without one get ``general``), so the unique index on
  open requests per learner and domain cannot be dodged with NULLs; the index now counts waiting
  requests as open too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "status IN ('active', 'cancelled', 'completed', 'expired', 'pending', 'rejected')"
NEW_STATUSES = "status IN ('active', 'cancelled', 'completed', 'expired', 'pending', 'rejected', 'waiting')"
OLD_OPEN = "status IN ('active', 'pending')"
NEW_OPEN = "status IN ('active', 'pending', 'waiting')"
MENTOR_SET = "(status = 'waiting' AND mentor_id IS NULL) OR (status <> 'waiting' AND mentor_id IS NOT NULL)"
OPEN_INDEX = "uq_mentor_matches_open_learner_domain"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _mentor_matches(*, upgraded: bool) -> sa.Table:
    """The ``mentor_matches`` table before (``upgraded=False``) or after this revision, without the partial
    unique index (dropped and created outside the batch, which would not carry its WHERE clause).
    """
    table = sa.Table(
        "mentor_matches",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_id", sa.Uuid(), nullable=upgraded),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("domain", sa.String(length=100), nullable=not upgraded),
        sa.Column("learner_needs", _json(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("score_components", _json(), nullable=False),
        sa.Column("session_schedule", _json(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("testimonial", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint(NEW_STATUSES if upgraded else OLD_STATUSES, name="ck_mentor_matches_status"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="ck_mentor_matches_rating"),
        sa.CheckConstraint("learner_id <> mentor_id", name="ck_mentor_matches_distinct_people"),
        sa.ForeignKeyConstraint(["learner_id"], ["users.id"], name="fk_mentor_matches_learner_id_users"),
        sa.ForeignKeyConstraint(["mentor_id"], ["users.id"], name="fk_mentor_matches_mentor_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_mentor_matches"),
        sa.Index("ix_mentor_matches_learner_id", "learner_id"),
        sa.Index("ix_mentor_matches_mentor_id_status", "mentor_id", "status"),
        sa.Index("ix_mentor_matches_status", "status"),
        sa.Index("ix_mentor_matches_expires_at", "expires_at"),
    )
    if upgraded:
        table.append_constraint(sa.CheckConstraint(MENTOR_SET, name="ck_mentor_matches_mentor_set"))
    return table


def _create_open_index(predicate: str) -> None:
    op.create_index(
        OPEN_INDEX,
        "mentor_matches",
        ["learner_id", "domain"],
        unique=True,
        postgresql_where=sa.text(predicate),
        sqlite_where=sa.text(predicate),
    )


def _drop_status_check(batch: BatchOperations) -> None:
    """Drop the status check. SQLite rebuilds the table from ``copy_from``, where it has its plain name;
    on PostgreSQL revision 0001 created it under the naming convention applied twice, so it goes by
    whichever name it has there."""
    if op.get_context().dialect.name == "sqlite":
        batch.drop_constraint(op.f("ck_mentor_matches_status"), type_="check")
        return
    for name in ("ck_mentor_matches_ck_mentor_matches_status", "ck_mentor_matches_status"):
        op.execute(f"ALTER TABLE mentor_matches DROP CONSTRAINT IF EXISTS {name}")


def upgrade() -> None:
    op.drop_index(OPEN_INDEX, table_name="mentor_matches")
    op.execute("UPDATE mentor_matches SET domain = 'general' WHERE domain IS NULL")
    with op.batch_alter_table("mentor_matches", copy_from=_mentor_matches(upgraded=False)) as batch:
        batch.alter_column("mentor_id", existing_type=sa.Uuid(), nullable=True)
        batch.alter_column("domain", existing_type=sa.String(length=100), nullable=False)
        _drop_status_check(batch)
        batch.create_check_constraint(op.f("ck_mentor_matches_status"), NEW_STATUSES)
        batch.create_check_constraint(op.f("ck_mentor_matches_mentor_set"), MENTOR_SET)
    _create_open_index(NEW_OPEN)


def downgrade() -> None:
    # A waiting request has no mentor and no place in the old schema: it is dropped (it holds no
    # mentorship yet, only the learner's wish, which they can send again).
    op.drop_index(OPEN_INDEX, table_name="mentor_matches")
    op.execute("DELETE FROM mentor_matches WHERE status = 'waiting'")
    with op.batch_alter_table("mentor_matches", copy_from=_mentor_matches(upgraded=True)) as batch:
        batch.drop_constraint(op.f("ck_mentor_matches_mentor_set"), type_="check")
        _drop_status_check(batch)
        batch.create_check_constraint(op.f("ck_mentor_matches_status"), OLD_STATUSES)
        batch.alter_column("domain", existing_type=sa.String(length=100), nullable=True)
        batch.alter_column("mentor_id", existing_type=sa.Uuid(), nullable=False)
    _create_open_index(OLD_OPEN)
