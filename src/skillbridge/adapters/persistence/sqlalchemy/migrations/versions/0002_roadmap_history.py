"""Roadmaps: what each version changed, "my roadmaps" newest first from an index, and sane hours and levels.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

- ``roadmap_versions.change``: a short description of the change a version records ("created",
  "completed 2 modules, reordered"); existing rows get an empty one.
- ``roadmaps (user_id, created_at, id)`` replaces the index on ``user_id`` alone: it serves the same
  foreign-key lookups and the per-user listing in its order.
- checks: ``time_availability`` between 1 and 168 hours a week, ``skill_level`` one of the three levels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = "skill_level IN ('advanced', 'beginner', 'intermediate')"
HOURS = "time_availability BETWEEN 1 AND 168"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _roadmaps(*, upgraded: bool) -> sa.Table:
    """The ``roadmaps`` table before (``upgraded=False``) or after this revision.

    SQLite changes a table by copying it; handing the copy its definition (instead of reflecting the live
    table) lets ``alembic upgrade --sql`` write the script without a database.
    """
    table = sa.Table(
        "roadmaps",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=100), nullable=False),
        sa.Column("skill_level", sa.String(length=20), nullable=False),
        sa.Column("time_availability", sa.Integer(), nullable=False),
        sa.Column("modules", _json(), nullable=False),
        sa.Column("progress", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column("generator", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("prompt_version", sa.String(length=40), nullable=True),
        sa.Column("token_usage", _json(), nullable=True),
        sa.Column("low_bandwidth", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("repository", sa.String(length=140), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="ck_roadmaps_progress"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_roadmaps_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_roadmaps"),
        sa.Index("ix_roadmaps_domain", "domain"),
        sa.Index("ix_roadmaps_repository", "repository"),
    )
    if upgraded:
        table.append_constraint(sa.CheckConstraint(HOURS, name="ck_roadmaps_time_availability"))
        table.append_constraint(sa.CheckConstraint(LEVELS, name="ck_roadmaps_skill_level"))
        sa.Index("ix_roadmaps_user_id_created_at_id", table.c.user_id, table.c.created_at, table.c.id)
    else:
        sa.Index("ix_roadmaps_user_id", table.c.user_id)
    return table


def upgrade() -> None:
    with op.batch_alter_table("roadmap_versions") as batch:
        batch.add_column(sa.Column("change", sa.String(length=200), server_default="", nullable=False))
    with op.batch_alter_table("roadmaps", copy_from=_roadmaps(upgraded=False)) as batch:
        batch.drop_index("ix_roadmaps_user_id")
        batch.create_index("ix_roadmaps_user_id_created_at_id", ["user_id", "created_at", "id"])
        batch.create_check_constraint(op.f("ck_roadmaps_time_availability"), HOURS)
        batch.create_check_constraint(op.f("ck_roadmaps_skill_level"), LEVELS)


def downgrade() -> None:
    with op.batch_alter_table("roadmaps", copy_from=_roadmaps(upgraded=True)) as batch:
        batch.drop_constraint(op.f("ck_roadmaps_skill_level"), type_="check")
        batch.drop_constraint(op.f("ck_roadmaps_time_availability"), type_="check")
        batch.drop_index("ix_roadmaps_user_id_created_at_id")
        batch.create_index("ix_roadmaps_user_id", ["user_id"])
    with op.batch_alter_table("roadmap_versions") as batch:
        batch.drop_column("change")
