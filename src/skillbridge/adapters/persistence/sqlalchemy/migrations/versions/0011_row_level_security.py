"""Row-level security in force: the application role, its grants, and a policy on every table of personal data.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-06

PostgreSQL only (SQLite gets the two views, which the queries of both backends read).

- ``skillbridge_app`` (NOLOGIN, no BYPASSRLS) is the group the API's and the worker's login roles join. It
  owns nothing: it may read and write the tables, never alter them, and on ``audit_log`` only read and
  append. The migrations run as the owner (``SKILLBRIDGE_MIGRATION_DATABASE_URL``), which RLS does not bind.
- Every policy reads two connection settings: ``skillbridge.user_id`` (the acting user, '' or unset when
  nobody acts: then nothing is reached) and ``skillbridge.system`` (non-empty: the unit of work acts for the
  system, a job or an admin operation, and reaches every row; the unit of work audits each such use).
- Two views, owned by the owner and so not bound by the policies, give what others may see of a person:
  ``public_user_names`` (the display name the forum prints beside a post) and ``open_mentor_places`` (the
  places each mentor's open mentorships take, which capacity checks count across other learners' matches).
- ``skillbridge_lock_users(ids)`` (SECURITY DEFINER) locks users' rows for the transaction and returns their
  mentor capacities: booking a mentor's place serialises on the mentor's row, which the learner may not
  update.
"""

# ruff: noqa: S608 - every SQL text here is built from this module's constants, never from input
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "skillbridge_app"

_ACTING = "skillbridge_acting_user()"
_SYSTEM = "skillbridge_system_access()"

# Table -> {policy name: (command, USING / WITH CHECK expression)}. Permissive policies of one command are
# ORed, so a table may add a wider read to its narrower write.
_POLICIES: dict[str, dict[str, tuple[str, str]]] = {
    "users": {
        "own": ("ALL", f"{_SYSTEM} OR id = {_ACTING}"),
        # Mentors are searchable by every signed-in user; each side of a mentorship (or a block) sees the other.
        "visible": (
            "SELECT",
            f"""{_ACTING} IS NOT NULL AND (
                role = 'mentor'
                OR EXISTS (SELECT 1 FROM mentor_matches m WHERE (m.learner_id = users.id AND m.mentor_id = {_ACTING})
                           OR (m.mentor_id = users.id AND m.learner_id = {_ACTING}))
                OR EXISTS (SELECT 1 FROM mentor_blocks b WHERE b.learner_id = users.id AND b.mentor_id = {_ACTING}))""",
        ),
    },
    "user_skills": {
        "own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}"),
        "visible": ("SELECT", "EXISTS (SELECT 1 FROM users u WHERE u.id = user_skills.user_id)"),
    },
    "user_languages": {
        "own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}"),
        "visible": ("SELECT", "EXISTS (SELECT 1 FROM users u WHERE u.id = user_languages.user_id)"),
    },
    "roadmaps": {
        "own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}"),
        # The learner's active mentor reads them (the use case narrows that to the mentorship's domain).
        "mentor_reads": (
            "SELECT",
            f"""EXISTS (SELECT 1 FROM mentor_matches m WHERE m.learner_id = roadmaps.user_id
                        AND m.mentor_id = {_ACTING} AND m.status = 'active')""",
        ),
    },
    "roadmap_versions": {
        "own": (
            "ALL",
            f"{_SYSTEM} OR EXISTS (SELECT 1 FROM roadmaps r WHERE r.id = roadmap_versions.roadmap_id"
            f" AND r.user_id = {_ACTING})",
        ),
        "readers": ("SELECT", "EXISTS (SELECT 1 FROM roadmaps r WHERE r.id = roadmap_versions.roadmap_id)"),
    },
    "mentor_matches": {"party": ("ALL", f"{_SYSTEM} OR learner_id = {_ACTING} OR mentor_id = {_ACTING}")},
    "match_sessions": {
        "party": ("ALL", f"{_SYSTEM} OR EXISTS (SELECT 1 FROM mentor_matches m WHERE m.id = match_sessions.match_id)"),
    },
    "mentor_blocks": {
        "mentor": ("ALL", f"{_SYSTEM} OR mentor_id = {_ACTING}"),
        # A learner's own requests must skip the mentors who blocked them.
        "learner_reads": ("SELECT", f"learner_id = {_ACTING}"),
    },
    "chat_messages": {
        "sender": (
            "ALL",
            f"{_SYSTEM} OR (sender_id = {_ACTING}"
            " AND EXISTS (SELECT 1 FROM mentor_matches m WHERE m.id = chat_messages.match_id))",
        ),
        "party_reads": ("SELECT", "EXISTS (SELECT 1 FROM mentor_matches m WHERE m.id = chat_messages.match_id)"),
    },
    "progress_logs": {
        "own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}"),
        "readers": ("SELECT", "EXISTS (SELECT 1 FROM roadmaps r WHERE r.id = progress_logs.roadmap_id)"),
    },
    "notifications": {
        "own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}"),
        # What one user does tells the other party (an accepted offer, a chat message, a reply).
        "signed_in_sends": ("INSERT", f"{_ACTING} IS NOT NULL"),
    },
    "badges": {
        "own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}"),
        "visible": ("SELECT", "EXISTS (SELECT 1 FROM users u WHERE u.id = badges.user_id)"),
    },
    "refresh_tokens": {"own": ("ALL", f"{_SYSTEM} OR user_id = {_ACTING}")},
    # Append-only (no UPDATE or DELETE grant); a user reads the entries they made and those about them.
    "audit_log": {
        "reads": (
            "SELECT",
            f"{_SYSTEM} OR actor_id = {_ACTING} OR (subject_type = 'user' AND subject_id = {_ACTING}::text)",
        ),
        "appends": ("INSERT", f"{_SYSTEM} OR actor_id IS NOT DISTINCT FROM {_ACTING}"),
    },
    "webhook_deliveries": {"system": ("ALL", _SYSTEM)},
    "failed_jobs": {"system": ("ALL", _SYSTEM)},
}

_PUBLIC_USER_NAMES = {
    "postgresql": "SELECT id, profile ->> 'display_name' AS display_name FROM users",
    "sqlite": "SELECT id, json_extract(profile, '$.display_name') AS display_name FROM users",
}
_OPEN_MENTOR_PLACES = (
    "SELECT id, mentor_id FROM mentor_matches WHERE mentor_id IS NOT NULL AND status IN ('active', 'pending')"
)


def _create_app_role() -> None:
    # Roles belong to the cluster, not the database: made once, by whichever migration run comes first.
    op.execute(
        f"""DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- a concurrent run made it first
        END $$"""
    )


def _grant() -> None:
    tables = ", ".join(_POLICIES) + ", forum_posts"
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {APP_ROLE}")
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {APP_ROLE}")
    op.execute(f"GRANT SELECT ON public_user_names, open_mentor_places TO {APP_ROLE}")


def _functions() -> None:
    op.execute(
        """CREATE FUNCTION skillbridge_acting_user() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
        $$ SELECT NULLIF(current_setting('skillbridge.user_id', true), '')::uuid $$"""
    )
    op.execute(
        """CREATE FUNCTION skillbridge_system_access() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
        $$ SELECT coalesce(current_setting('skillbridge.system', true), '') <> '' $$"""
    )


def _lock_function() -> None:
    op.execute(
        f"""CREATE FUNCTION skillbridge_lock_users(ids uuid[]) RETURNS TABLE (id uuid, mentor_capacity integer)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS
        $$ SELECT u.id, u.mentor_capacity FROM users u
           WHERE u.id = ANY(ids) AND ({_SYSTEM} OR {_ACTING} IS NOT NULL) ORDER BY u.id FOR UPDATE $$"""
    )
    op.execute("REVOKE ALL ON FUNCTION skillbridge_lock_users(uuid[]) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION skillbridge_lock_users(uuid[]) TO {APP_ROLE}")


def _policies() -> None:
    for table, policies in _POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        for name, (command, expression) in policies.items():
            if command == "INSERT":
                clause = f"WITH CHECK ({expression})"
            elif command == "SELECT":
                clause = f"USING ({expression})"
            else:
                clause = f"USING ({expression}) WITH CHECK ({expression})"
            op.execute(f"CREATE POLICY {name} ON {table} FOR {command} TO {APP_ROLE} {clause}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(f"CREATE VIEW public_user_names AS {_PUBLIC_USER_NAMES[dialect]}")
    op.execute(f"CREATE VIEW open_mentor_places AS {_OPEN_MENTOR_PLACES}")
    if dialect != "postgresql":
        return
    _create_app_role()
    _functions()
    _lock_function()
    _policies()
    _grant()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table, policies in _POLICIES.items():
            for name in policies:
                op.execute(f"DROP POLICY {name} ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {', '.join(_POLICIES)}, forum_posts FROM {APP_ROLE}")
        op.execute(f"REVOKE ALL ON public_user_names, open_mentor_places FROM {APP_ROLE}")
        op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
        op.execute("DROP FUNCTION skillbridge_lock_users(uuid[])")
        op.execute("DROP FUNCTION skillbridge_system_access()")
        op.execute("DROP FUNCTION skillbridge_acting_user()")
    op.execute("DROP VIEW open_mentor_places")
    op.execute("DROP VIEW public_user_names")
