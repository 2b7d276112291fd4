"""Initial schema: every table of the platform.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Written out in full (not imported from the models) so that this revision keeps creating the same schema
whatever the models become; ``pending_model_differences`` checks the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_MATCH = "status IN ('active', 'pending')"

# Children before parents, so that dropping in this order never breaks a foreign key.
TABLES = (
    "audit_log",
    "refresh_tokens",
    "chat_messages",
    "forum_posts",
    "notifications",
    "progress_logs",
    "badges",
    "mentor_matches",
    "roadmap_versions",
    "roadmaps",
    "user_languages",
    "user_skills",
    "users",
)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), nullable=False)


def _user_fk(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Uuid(), nullable=nullable)


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _version() -> sa.Column[object]:
    return sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)


def _index(table: str, *columns: str, name: str | None = None, unique: bool = False) -> None:
    op.create_index(name or f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=unique)


def _create_users() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("github_id", sa.BigInteger(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("profile", _json(), nullable=False),
        sa.Column("country", sa.CHAR(length=2), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("hours_per_week", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("mentor_capacity", sa.Integer(), nullable=True),
        *_timestamps(),
        _version(),
        sa.CheckConstraint("role IN ('admin', 'learner', 'mentor')", name="ck_users_role"),
        sa.CheckConstraint("hours_per_week BETWEEN 0 AND 168", name="ck_users_hours_per_week"),
        sa.CheckConstraint(
            "mentor_capacity IS NULL OR mentor_capacity BETWEEN 1 AND 50", name="ck_users_mentor_capacity"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.UniqueConstraint("github_id", name="uq_users_github_id"),
    )
    _index("users", "role")
    _index("users", "country")
    _index("users", "hours_per_week")
    _index("users", "latitude", "longitude")
    _index("users", "created_at", "id")

    for table, column, length in (("user_skills", "skill", 50), ("user_languages", "language", 3)):
        op.create_table(
            table,
            _user_fk("user_id"),
            sa.Column(column, sa.String(length=length), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("user_id", column, name=f"pk_{table}"),
        )
        _index(table, column)


def _create_roadmaps() -> None:
    op.create_table(
        "roadmaps",
        _id(),
        _user_fk("user_id"),
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
        *_timestamps(),
        _version(),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="ck_roadmaps_progress"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_roadmaps_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_roadmaps"),
    )
    _index("roadmaps", "user_id")
    _index("roadmaps", "domain")
    _index("roadmaps", "repository")

    op.create_table(
        "roadmap_versions",
        _id(),
        sa.Column("roadmap_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("modules", _json(), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        _user_fk("changed_by", nullable=True),
        *_timestamps(),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="ck_roadmap_versions_progress"),
        sa.ForeignKeyConstraint(
            ["roadmap_id"], ["roadmaps.id"], name="fk_roadmap_versions_roadmap_id_roadmaps", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name="fk_roadmap_versions_changed_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_roadmap_versions"),
        sa.UniqueConstraint("roadmap_id", "version", name="uq_roadmap_versions_roadmap_id_version"),
    )
    _index("roadmap_versions", "changed_by")


def _create_mentor_matches() -> None:
    op.create_table(
        "mentor_matches",
        _id(),
        _user_fk("learner_id"),
        _user_fk("mentor_id"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("domain", sa.String(length=100), nullable=True),
        sa.Column("learner_needs", _json(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("score_components", _json(), nullable=False),
        sa.Column("session_schedule", _json(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("testimonial", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _version(),
        sa.CheckConstraint(
            "status IN ('active', 'cancelled', 'completed', 'expired', 'pending', 'rejected')",
            name="ck_mentor_matches_status",
        ),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="ck_mentor_matches_rating"),
        sa.CheckConstraint("learner_id <> mentor_id", name="ck_mentor_matches_distinct_people"),
        sa.ForeignKeyConstraint(["learner_id"], ["users.id"], name="fk_mentor_matches_learner_id_users"),
        sa.ForeignKeyConstraint(["mentor_id"], ["users.id"], name="fk_mentor_matches_mentor_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_mentor_matches"),
    )
    _index("mentor_matches", "learner_id")
    _index("mentor_matches", "mentor_id", "status")
    _index("mentor_matches", "status")
    _index("mentor_matches", "expires_at")
    op.create_index(
        "uq_mentor_matches_open_learner_domain",
        "mentor_matches",
        ["learner_id", "domain"],
        unique=True,
        postgresql_where=sa.text(OPEN_MATCH),
        sqlite_where=sa.text(OPEN_MATCH),
    )

    op.create_table(
        "chat_messages",
        _id(),
        sa.Column("match_id", sa.Uuid(), nullable=False),
        _user_fk("sender_id"),
        sa.Column("content", sa.Text(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["match_id"], ["mentor_matches.id"], name="fk_chat_messages_match_id_mentor_matches", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["sender_id"], ["users.id"], name="fk_chat_messages_sender_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_chat_messages"),
    )
    _index("chat_messages", "match_id", "created_at", "id")
    _index("chat_messages", "sender_id")


def _create_progress_and_badges() -> None:
    op.create_table(
        "badges",
        _id(),
        _user_fk("user_id"),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("criteria", _json(), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("awarded_by", nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_badges_user_id_users"),
        sa.ForeignKeyConstraint(["awarded_by"], ["users.id"], name="fk_badges_awarded_by_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_badges"),
        sa.UniqueConstraint("user_id", "type", name="uq_badges_user_id_type"),
    )
    _index("badges", "awarded_by")

    op.create_table(
        "progress_logs",
        _id(),
        _user_fk("user_id"),
        sa.Column("roadmap_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("details", _json(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_progress_logs_user_id_users"),
        sa.ForeignKeyConstraint(
            ["roadmap_id"], ["roadmaps.id"], name="fk_progress_logs_roadmap_id_roadmaps", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_progress_logs"),
        sa.UniqueConstraint(
            "roadmap_id", "event_type", "external_id", name="uq_progress_logs_roadmap_id_event_type_external_id"
        ),
    )
    _index("progress_logs", "user_id")
    _index("progress_logs", "event_type")
    _index("progress_logs", "occurred_at")


def _create_community() -> None:
    op.create_table(
        "notifications",
        _id(),
        _user_fk("user_id"),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("read", sa.Boolean(), server_default=sa.false(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "type IN ('badge', 'chat_message', 'forum_reply', 'match', 'progress_update', 'session_reminder')",
            name="ck_notifications_type",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_notifications_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    _index("notifications", "user_id", "read", "created_at")

    op.create_table(
        "forum_posts",
        _id(),
        _user_fk("user_id"),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("root_id", sa.Uuid(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        *_timestamps(),
        _version(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_forum_posts_user_id_users"),
        sa.ForeignKeyConstraint(["parent_id"], ["forum_posts.id"], name="fk_forum_posts_parent_id_forum_posts"),
        sa.ForeignKeyConstraint(["root_id"], ["forum_posts.id"], name="fk_forum_posts_root_id_forum_posts"),
        sa.PrimaryKeyConstraint("id", name="pk_forum_posts"),
    )
    _index("forum_posts", "user_id")
    _index("forum_posts", "category")
    _index("forum_posts", "parent_id")
    _index("forum_posts", "root_id")


def _create_security() -> None:
    op.create_table(
        "refresh_tokens",
        _id(),
        _user_fk("user_id"),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_refresh_tokens_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_refresh_tokens_token_hash"),
    )
    _index("refresh_tokens", "user_id")
    _index("refresh_tokens", "family_id")

    op.create_table(
        "audit_log",
        _id(),
        _user_fk("actor_id", nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("details", _json(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_audit_log_actor_id_users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    _index("audit_log", "actor_id")
    _index("audit_log", "action")
    _index("audit_log", "at")
    _index("audit_log", "subject_type", "subject_id", "at")


def upgrade() -> None:
    _create_users()
    _create_roadmaps()
    _create_mentor_matches()
    _create_progress_and_badges()
    _create_community()
    _create_security()


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it.
    for table in TABLES:
        op.drop_table(table)
