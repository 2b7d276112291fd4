"""Consent (the terms version each account accepted, its choices with time and version); soft delete of roadmaps.

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-07

- ``users.terms_version``: the terms-and-privacy version the account last accepted (NULL: none yet). Read with
  the account on every request, so telling whether a consent call is due costs no statement. Accounts made
  before this revision accepted nothing recorded: they are asked at their next signed-in call.
- ``consents``: one row per account and kind (``terms``, ``email_digest``, ``product_analytics``): granted or
  not, the terms version in force when it was given, and when. Deleted with the account (ON DELETE CASCADE)
  and by its erasure. On PostgreSQL, bound by a row-level-security policy like the other personal tables.
- ``roadmaps.deleted_at``: a roadmap its owner deleted, restorable for the undo window and shown nowhere
  meanwhile; indexed for the retention job that removes it after the window.
- ``notifications.deleted_at``: a notification its recipient deleted, shown nowhere, removed by retention.
- ``skillbridge_purge_audit(before)`` (PostgreSQL, SECURITY DEFINER): the retention job's only way to remove
  old audit entries, since the application role still may not UPDATE or DELETE ``audit_log``; and
  ``skillbridge_pseudonymise_audit(person, traces)``, erasure's only change to the entries about a person.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "skillbridge_app"
KINDS = "kind IN ('email_digest', 'product_analytics', 'terms')"


# The one way audit entries are ever removed on PostgreSQL, where the application role has no DELETE on
# ``audit_log``: owned by the schema owner (SECURITY DEFINER), callable only by a connection acting for the
# system (the retention job's audited bypass), and never for the newest 30 days, whatever it is asked.
PURGE_AUDIT = """CREATE FUNCTION skillbridge_purge_audit(before timestamptz) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
    purged integer;
BEGIN
    IF NOT skillbridge_system_access() THEN
        RAISE EXCEPTION 'audit entries are removed by the retention job only' USING ERRCODE = '42501';
    END IF;
    IF before > now() - interval '30 days' THEN
        RAISE EXCEPTION 'audit entries are kept at least 30 days' USING ERRCODE = '22023';
    END IF;
    DELETE FROM audit_log WHERE at < before;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END $$"""


# Erasure's one change to audit entries (the application role has no UPDATE there either): in the entries
# the person made or that are about them, drop each ``details`` value holding one of ``traces`` (their email,
# name, GitHub login, in any case), such as an admin's reason naming them. Same rule as the domain's
# ``without_traces``; acting for the system only (erasure's audited bypass).
PSEUDONYMISE_AUDIT = """CREATE FUNCTION skillbridge_pseudonymise_audit(person uuid, traces text[]) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT skillbridge_system_access() THEN
        RAISE EXCEPTION 'audit entries are pseudonymised by erasure only' USING ERRCODE = '42501';
    END IF;
    UPDATE audit_log a
    SET details = coalesce(
        (SELECT jsonb_object_agg(d.key, d.value) FROM jsonb_each(a.details) d
         WHERE NOT EXISTS (SELECT 1 FROM unnest(traces) t
                           WHERE t <> '' AND position(lower(t) IN lower(d.value::text)) > 0)),
        '{}'::jsonb)
    WHERE (a.actor_id = person OR (a.subject_type = 'user' AND a.subject_id = person::text))
      AND EXISTS (SELECT 1 FROM unnest(traces) t WHERE t <> '' AND position(lower(t) IN lower(a.details::text)) > 0);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END $$"""


def upgrade() -> None:
    op.add_column("users", sa.Column("terms_version", sa.String(length=40), nullable=True))
    op.add_column("roadmaps", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_roadmaps_deleted_at"), "roadmaps", ["deleted_at"])
    op.add_column("notifications", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "consents",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_consents_kind")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_consents_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_consents")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE consents ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY own ON consents FOR ALL TO {APP_ROLE}"
        " USING (skillbridge_system_access() OR user_id = skillbridge_acting_user())"
        " WITH CHECK (skillbridge_system_access() OR user_id = skillbridge_acting_user())"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON consents TO {APP_ROLE}")
    op.execute(PURGE_AUDIT)
    op.execute("REVOKE ALL ON FUNCTION skillbridge_purge_audit(timestamptz) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION skillbridge_purge_audit(timestamptz) TO {APP_ROLE}")
    op.execute(PSEUDONYMISE_AUDIT)
    op.execute("REVOKE ALL ON FUNCTION skillbridge_pseudonymise_audit(uuid, text[]) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION skillbridge_pseudonymise_audit(uuid, text[]) TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION skillbridge_pseudonymise_audit(uuid, text[])")
        op.execute("DROP FUNCTION skillbridge_purge_audit(timestamptz)")
        op.execute(f"REVOKE ALL ON consents FROM {APP_ROLE}")
    op.drop_table("consents")
    op.drop_index(op.f("ix_roadmaps_deleted_at"), table_name="roadmaps")
    op.execute("ALTER TABLE roadmaps DROP COLUMN deleted_at")
    op.execute("ALTER TABLE notifications DROP COLUMN deleted_at")
    # Plain ALTER TABLE, on SQLite too (3.35+): a batch copy of ``users`` would break the views that read it.
    op.execute("ALTER TABLE users DROP COLUMN terms_version")
