"""What a sign-in session shows its owner, when it must end whatever its refreshes; verified emails.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Each refresh token now carries its session's (family's) start, copied on every rotation, so a session
has an absolute lifetime however often it is refreshed; and the user agent and coarse network of the
client that last used it, so ``GET /auth/sessions`` can say which device each session is. The start is
NULL on tokens issued before this revision: their session counts as started when they were issued.

``users.email_verified_at``: when the owner proved the address. Accounts made before this revision were
never asked to, and keep what they could do: they count as verified since they were created.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.add_column(sa.Column("family_started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("user_agent", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("client_network", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_column("client_network")
        batch.drop_column("user_agent")
        batch.drop_column("family_started_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_verified_at")
