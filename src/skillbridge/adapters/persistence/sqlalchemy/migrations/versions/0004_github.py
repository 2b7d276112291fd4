"""GitHub integration: received webhook deliveries, and the progress timeline's index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

- ``webhook_deliveries``: one row per received delivery, unique on ``(source, delivery_id)`` so a
  redelivery (or two copies arriving at once) is processed once; ``payload`` keeps what processing needs.
- ``progress_logs (roadmap_id, occurred_at, id)``: a roadmap's timeline, most recent first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMELINE_INDEX = "ix_progress_logs_roadmap_id_occurred_at_id"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("repository", sa.String(length=140), nullable=True),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('failed', 'processed', 'queued')", name="ck_webhook_deliveries_status"),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("source", "delivery_id", name="uq_webhook_deliveries_source_delivery_id"),
    )
    op.create_index("ix_webhook_deliveries_status", "webhook_deliveries", ["status"])
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])
    op.create_index(TIMELINE_INDEX, "progress_logs", ["roadmap_id", "occurred_at", "id"])


def downgrade() -> None:
    op.drop_index(TIMELINE_INDEX, table_name="progress_logs")
    op.drop_index("ix_webhook_deliveries_received_at", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_status", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
