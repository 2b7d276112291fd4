"""Two-factor credentials and notification settings.

Revision ID: 0013
Revises: 0017
Create Date: 2026-12-07

- ``two_factor_credentials``: one row per user who set up TOTP (pending until ``enabled_at``), with the
  step of the last accepted code (no code is accepted twice) and the hashes of the unused recovery codes.
- ``notification_settings``: per user, the channel of each notification type (in-app, email, off) and the
  email digest (daily, weekly, off), with the last period whose digest went out (each goes out once).

On PostgreSQL both get the grants and policies of 0011: each user reaches their own row; any signed-in
user may *read* another's notification settings, because whoever causes a notification (a mentor
accepting, a forum reply) stores it under their own identity and must know whether the recipient turned
that kind off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "skillbridge_app"
_ACTING = "skillbridge_acting_user()"
_SYSTEM = "skillbridge_system_access()"
_POLICIES: dict[str, dict[str, tuple[str, str]]] = {
    "two_factor_credentials": {"own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}")},
    "notification_settings": {
        "own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}"),
        "signed_in_reads": ("SELECT", f"{_ACTING} IS NOT NULL"),
    },
}


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "two_factor_credentials",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=True),
        sa.Column("recovery_codes", _json(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_two_factor_credentials_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_two_factor_credentials"),
    )
    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("channels", _json(), nullable=False),
        sa.Column("digest", sa.String(length=8), nullable=False),
        sa.Column("digest_sent_for", sa.String(length=10), nullable=True),
        sa.Column("digest_sent_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("digest IN ('daily', 'off', 'weekly')", name="ck_notification_settings_digest"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_notification_settings_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_notification_settings"),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policies in _POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name, (command, expression) in policies.items():
            clause = (
                f"USING ({expression})" if command == "SELECT" else f"USING ({expression}) WITH CHECK ({expression})"
            )
            op.execute(f"CREATE POLICY {name} ON {table} FOR {command} TO {APP_ROLE} {clause}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, policies in _POLICIES.items():
            for name in policies:
                op.execute(f"DROP POLICY {name} ON {table}")
            op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
    op.drop_table("notification_settings")
    op.drop_table("two_factor_credentials")
