"""The mentor directory: what every signed-in user may search of the active mentors, past row-level security.

Revision ID: 0017
Revises: 0011
Create Date: 2026-12-07

PostgreSQL only (SQLite has no row-level security and keeps searching the tables).

- ``mentor_directory``: a view of the active mentors' rows, owned by the owner and so not bound by the
  policies of 0011, with no password hash, and empty when nobody acts (the rule of the policy that lets a
  signed-in user see mentors) unless the unit acts for the system. Searching the tables instead paid for
  the policies on every mentor and on every one of their skills (a nested check of the user's row): 12 ms
  for ``skills=python`` over 2,000 mentors, against 1 ms here.
- GIN indexes on the skills and the languages of the profile document of active mentors, which the
  directory's search filters with ``?|`` (any), ``?&`` (all) and ``?`` (one language).
"""

# ruff: noqa: S608 - every SQL text here is built from this module's constants, never from input
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "skillbridge_app"
_ACTIVE_MENTORS = "role = 'mentor' AND is_active"
_INDEXES = {"ix_users_mentor_skills": "skills", "ix_users_mentor_languages": "languages"}

# ``(SELECT ...)`` makes each check one InitPlan per statement, not a call per row.
_VIEW = f"""CREATE VIEW mentor_directory AS
    SELECT id, email, role, NULL::text AS password_hash, github_id, is_active, email_verified_at, profile,
           country, latitude, longitude, hours_per_week, mentor_capacity, created_at, updated_at, version
    FROM users
    WHERE {_ACTIVE_MENTORS}
      AND ((SELECT skillbridge_acting_user()) IS NOT NULL OR (SELECT skillbridge_system_access()))"""


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name, key in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON users USING gin ((profile -> '{key}')) WHERE {_ACTIVE_MENTORS}")
    op.execute(_VIEW)
    op.execute(f"GRANT SELECT ON mentor_directory TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP VIEW mentor_directory")
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")
