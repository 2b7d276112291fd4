"""The relational schema: one declarative ORM model per table, for every table of the platform.

All tables exist from the first migration so later capabilities only add behaviour. Conventions:
UUID keys made in Python (``uuid4``), aware UTC timestamps, JSON documents (JSONB on PostgreSQL),
``created_at``/``updated_at`` on every table except the two pure link tables (their rows are replaced
with the user's, whose ``updated_at`` says when), a ``version`` counter on every mutable aggregate
(optimistic locking), an index on every foreign key and every filtered column, and named constraints
(see :data:`NAMING_CONVENTION`) so migrations can address them on every backend.

A foreign key whose column leads a composite index or unique constraint is covered by it and gets no
index of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    CHAR,
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.matching.mentorship import LEARNER_OPEN_STATUSES, OPEN_STATUSES, MatchStatus
from skillbridge.domain.matching.round_runs import OPEN_ROUND_STATUSES, RoundStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: A JSON document: JSONB on PostgreSQL, JSON text elsewhere. ``None`` is stored as SQL NULL.
JSON_DOCUMENT: TypeEngine[Any] = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

NOTIFICATION_TYPES = ("match", "progress_update", "session_reminder", "badge", "forum_reply", "chat_message")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, values: Iterable[str]) -> str:
    """SQL text of a check that ``column`` holds one of ``values`` (trusted constants only)."""
    listed = ", ".join(f"'{value}'" for value in sorted(values))
    return f"{column} IN ({listed})"


#: A learner's request still open (waiting, pending, active): at most one per learner and domain.
OPEN_MATCH_STATUS_SQL = _one_of("status", LEARNER_OPEN_STATUSES)
#: A match holding a mentor's place (pending, active): at most one per learner and mentor.
PLACE_STATUS_SQL = _one_of("status", OPEN_STATUSES)
#: Only a waiting request has no mentor yet.
MENTOR_SET_SQL = "(status = 'waiting' AND mentor_id IS NULL) OR (status <> 'waiting' AND mentor_id IS NOT NULL)"
THREAD_SQL = "parent_id IS NULL"
#: A request a matching round may take.
WAITING_STATUS_SQL = "status = 'waiting'"
#: The statuses of a matching round; the queued and running ones hold their scope.
ROUND_STATUSES = tuple(status.value for status in RoundStatus)
OPEN_ROUND_SQL = _one_of("status", (status.value for status in OPEN_ROUND_STATUSES))


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention and the project's column types."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        UUID: Uuid(),
        dict[str, Any]: JSON_DOCUMENT,
        float: Double(),
    }


class HasId:
    """A UUID primary key generated in Python."""

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4, sort_order=-10)


class Timestamps:
    """Creation and last-change times. Mappers set them from the entity; the defaults serve plain inserts."""

    created_at: Mapped[datetime] = mapped_column(default=_utcnow, sort_order=10)
    updated_at: Mapped[datetime] = mapped_column(default=_utcnow, onupdate=_utcnow, sort_order=10)


class Versioned:
    """The optimistic-locking counter of a mutable aggregate."""

    version: Mapped[int] = mapped_column(default=1, server_default=text("1"), sort_order=11)


class UserRow(HasId, Timestamps, Versioned, Base):
    """A user. ``profile`` is the whole profile document (the source of truth for the entity); the
    search columns beside it are copies kept in sync by the mapper so the mentor search can filter in SQL."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    github_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())
    email_verified_at: Mapped[datetime | None]
    # The terms-and-privacy version the account last accepted (NULL: none yet; migration 0012).
    terms_version: Mapped[str | None] = mapped_column(String(40))
    profile: Mapped[dict[str, Any]]
    country: Mapped[str | None] = mapped_column(CHAR(2), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    hours_per_week: Mapped[int] = mapped_column(default=0, server_default=text("0"), index=True)
    mentor_capacity: Mapped[int | None]

    __table_args__ = (
        CheckConstraint(_one_of("role", (role.value for role in Role)), name="role"),
        CheckConstraint("hours_per_week BETWEEN 0 AND 168", name="hours_per_week"),
        CheckConstraint("mentor_capacity IS NULL OR mentor_capacity BETWEEN 1 AND 50", name="mentor_capacity"),
        Index("ix_users_latitude_longitude", "latitude", "longitude"),
        Index("ix_users_created_at_id", "created_at", "id"),
        # The mentor list's order, over the active mentors only (migration 0009).
        Index(
            "ix_users_active_mentors_created_at_id",
            "created_at",
            "id",
            postgresql_where=text("role = 'mentor' AND is_active IS TRUE"),
            sqlite_where=text("role = 'mentor' AND is_active IS TRUE"),
        ),
    )


class UserSkillRow(Base):
    """One skill slug of a user (a copy of ``users.profile.skills`` for indexed search)."""

    __tablename__ = "user_skills"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class UserLanguageRow(Base):
    """One ISO 639 language of a user (a copy of ``users.profile.languages`` for indexed search)."""

    __tablename__ = "user_languages"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)


class RoadmapRow(HasId, Timestamps, Versioned, Base):
    """A learner's roadmap: modules of resources, progress, and how it was generated."""

    __tablename__ = "roadmaps"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"))
    domain: Mapped[str] = mapped_column(String(100), index=True)
    skill_level: Mapped[str] = mapped_column(String(20))
    time_availability: Mapped[int]
    modules: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOCUMENT)
    progress: Mapped[float] = mapped_column(default=0.0, server_default=text("0"))
    generator: Mapped[str] = mapped_column(String(40))
    model: Mapped[str | None] = mapped_column(String(100))
    prompt_version: Mapped[str | None] = mapped_column(String(40))
    token_usage: Mapped[dict[str, Any] | None]
    low_bandwidth: Mapped[bool] = mapped_column(default=False, server_default=false())
    language: Mapped[str] = mapped_column(String(8))
    repository: Mapped[str | None] = mapped_column(String(140), index=True)
    # Soft delete (migration 0012): set while the roadmap waits in its undo window.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)

    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("time_availability BETWEEN 1 AND 168", name="time_availability"),
        CheckConstraint(_one_of("skill_level", ("beginner", "intermediate", "advanced")), name="skill_level"),
        # A user's roadmaps, newest first; user_id leads (foreign key index).
        Index("ix_roadmaps_user_id_created_at_id", "user_id", "created_at", "id"),
    )


class RoadmapVersionRow(HasId, Timestamps, Base):
    """A snapshot of a roadmap's modules and progress, one per stored roadmap version."""

    __tablename__ = "roadmap_versions"

    roadmap_id: Mapped[UUID] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"))
    version: Mapped[int]
    modules: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOCUMENT)
    progress: Mapped[float]
    changed_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    change: Mapped[str] = mapped_column(String(200), default="", server_default="")

    __table_args__ = (
        UniqueConstraint("roadmap_id", "version"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
    )


class MentorMatchRow(HasId, Timestamps, Versioned, Base):
    """A mentorship: one learner, one mentor (none while waiting), a status, the score that paired them,
    and the sessions."""

    __tablename__ = "mentor_matches"

    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    mentor_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)
    domain: Mapped[str] = mapped_column(String(100))
    learner_needs: Mapped[dict[str, Any]]
    score: Mapped[float | None]
    score_components: Mapped[dict[str, Any]]
    session_schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOCUMENT)
    rating: Mapped[int | None]
    testimonial: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    accepted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(_one_of("status", (status.value for status in MatchStatus)), name="status"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("learner_id <> mentor_id", name="distinct_people"),
        CheckConstraint(MENTOR_SET_SQL, name="mentor_set"),
        # Counting a mentor's open mentorships filters on both columns; mentor_id leads (foreign key index).
        Index("ix_mentor_matches_mentor_id_status", "mentor_id", "status"),
        # A learner holds at most one open request per domain.
        Index(
            "uq_mentor_matches_open_learner_domain",
            "learner_id",
            "domain",
            unique=True,
            postgresql_where=text(OPEN_MATCH_STATUS_SQL),
            sqlite_where=text(OPEN_MATCH_STATUS_SQL),
        ),
        # A learner holds at most one pending or active match with any one mentor.
        Index(
            "uq_mentor_matches_open_learner_mentor",
            "learner_id",
            "mentor_id",
            unique=True,
            postgresql_where=text(PLACE_STATUS_SQL),
            sqlite_where=text(PLACE_STATUS_SQL),
        ),
        # A mentor's open places, counted per mentor (the pool, every round batch): led by mentor_id, so the
        # planner never scans the (learner_id, mentor_id) index above for it, as it did with statistics taken
        # before a round filled the places (65 s for a page of the pool at 82,000 open matches; migration 0018).
        Index(
            "ix_mentor_matches_open_mentor",
            "mentor_id",
            postgresql_where=text(PLACE_STATUS_SQL),
            sqlite_where=text(PLACE_STATUS_SQL),
        ),
        # A matching round pages the waiting requests oldest first (migration 0018).
        Index(
            "ix_mentor_matches_waiting_created_at_id",
            "created_at",
            "id",
            postgresql_where=text(WAITING_STATUS_SQL),
            sqlite_where=text(WAITING_STATUS_SQL),
        ),
    )


class MentorBlockRow(Base):
    """A mentor's block of a learner: that learner's requests never reach that mentor."""

    __tablename__ = "mentor_blocks"

    mentor_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


class BadgeRow(HasId, Timestamps, Base):
    """A badge awarded to a user; a user holds each type at most once."""

    __tablename__ = "badges"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(60))
    criteria: Mapped[dict[str, Any]]
    awarded_at: Mapped[datetime]
    awarded_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    __table_args__ = (UniqueConstraint("user_id", "type"),)


class ProgressLogRow(HasId, Timestamps, Base):
    """One progress event on a roadmap; ``external_id`` (a commit SHA, a delivery id) makes imports idempotent."""

    __tablename__ = "progress_logs"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    roadmap_id: Mapped[UUID] = mapped_column(ForeignKey("roadmaps.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(40), index=True)
    details: Mapped[dict[str, Any]]
    external_id: Mapped[str | None] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (
        UniqueConstraint("roadmap_id", "event_type", "external_id"),
        # A roadmap's timeline, most recent first.
        Index("ix_progress_logs_roadmap_id_occurred_at_id", "roadmap_id", "occurred_at", "id"),
    )


class NotificationRow(HasId, Timestamps, Base):
    """A notification for one user."""

    __tablename__ = "notifications"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    read: Mapped[bool] = mapped_column(default=False, server_default=false())
    read_at: Mapped[datetime | None]  # set with ``read`` (which the index keeps for the unread filter)
    deleted_at: Mapped[datetime | None]  # soft delete (migration 0012): hidden from every read

    __table_args__ = (
        CheckConstraint(_one_of("type", NOTIFICATION_TYPES), name="type"),
        Index("ix_notifications_user_id_read_created_at", "user_id", "read", "created_at"),
    )


class ForumPostRow(HasId, Timestamps, Versioned, Base):
    """A forum thread (no parent) or reply (``parent_id`` answered, ``root_id`` the thread)."""

    __tablename__ = "forum_posts"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    category: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[UUID | None] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    root_id: Mapped[UUID | None] = mapped_column(ForeignKey("forum_posts.id"), index=True)
    # Levels below the opening post (0 for a thread), set at insert: the nesting limit reads it.
    depth: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    is_deleted: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Statistics of a thread, kept on its opening post by the repository as replies come (NULL/0 on replies),
    # so the thread list reads them from one index instead of aggregating every reply.
    reply_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_activity_at: Mapped[datetime | None]

    __table_args__ = (
        # The thread list, most recently active first.
        Index(
            "ix_forum_posts_threads_last_activity",
            "last_activity_at",
            "id",
            postgresql_where=text(THREAD_SQL),
            sqlite_where=text(THREAD_SQL),
        ),
        # A thread's replies page by page, oldest first.
        Index("ix_forum_posts_root_id_created_at_id", "root_id", "created_at", "id"),
    )


class ChatMessageRow(HasId, Timestamps, Base):
    """A chat message inside a mentorship."""

    __tablename__ = "chat_messages"

    match_id: Mapped[UUID] = mapped_column(ForeignKey("mentor_matches.id", ondelete="CASCADE"))
    sender_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    content: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_chat_messages_match_id_created_at_id", "match_id", "created_at", "id"),)


class RefreshTokenRow(HasId, Timestamps, Base):
    """An issued refresh token, by hash (see :mod:`skillbridge.domain.accounts.sessions`)."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    family_started_at: Mapped[datetime | None]  # NULL on tokens older than revision 0010: issued_at
    user_agent: Mapped[str | None] = mapped_column(String(200))
    client_network: Mapped[str | None] = mapped_column(String(64))


class AuditLogRow(HasId, Timestamps, Base):
    """An audit entry. Kept when the actor is deleted (``actor_id`` becomes NULL)."""

    __tablename__ = "audit_log"

    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]]
    at: Mapped[datetime] = mapped_column(index=True)

    # Entries about one subject, read oldest first.
    __table_args__ = (Index("ix_audit_log_subject_type_subject_id_at", "subject_type", "subject_id", "at"),)


CONSENT_KINDS = ("terms", "email_digest", "product_analytics")


class ConsentRow(Base):
    """One account's choice of one kind: granted or not, under which terms version, when (migration 0012)."""

    __tablename__ = "consents"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    granted: Mapped[bool]
    version: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=_utcnow, onupdate=_utcnow)

    __table_args__ = (CheckConstraint(_one_of("kind", CONSENT_KINDS), name="kind"),)


WEBHOOK_DELIVERY_STATUSES = ("queued", "processed", "failed")


class WebhookDeliveryRow(HasId, Timestamps, Base):
    """A received webhook delivery; the unique ``(source, delivery_id)`` makes a redelivery a no-op.

    ``payload`` keeps only what processing needs (a push's commits), not the whole request body.
    """

    __tablename__ = "webhook_deliveries"

    source: Mapped[str] = mapped_column(String(20))
    delivery_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(40))
    repository: Mapped[str | None] = mapped_column(String(140))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    processed_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("source", "delivery_id"),
        CheckConstraint(_one_of("status", WEBHOOK_DELIVERY_STATUSES), name="status"),
    )


class MatchSessionRow(HasId, Base):
    """One planned session of a mentorship, kept in step with the mentorship's ``session_schedule`` by the
    mentorship repository: the reminder job finds the sessions about to start through ``starts_at``'s index
    instead of reading every schedule, and ``reminded_at`` makes each reminder go out once."""

    __tablename__ = "match_sessions"

    match_id: Mapped[UUID] = mapped_column(ForeignKey("mentor_matches.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None]


class FailedJobRow(HasId, Timestamps, Base):
    """A background job that failed for good: its name and arguments (to run it again) and why."""

    __tablename__ = "failed_jobs"

    name: Mapped[str] = mapped_column(String(100))
    arguments: Mapped[dict[str, Any]]
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int]
    failed_at: Mapped[datetime] = mapped_column(index=True)
    retried_at: Mapped[datetime | None]


class MatchingRoundRow(HasId, Timestamps, Base):
    """A matching round an admin started (:class:`~skillbridge.domain.matching.round_runs.MatchingRound`):
    its scope (a domain slug or ``*``), status, progress counters and result summary. At most one open
    (queued or running) round per scope, held by a partial unique index."""

    __tablename__ = "matching_rounds"

    scope: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    algorithm: Mapped[str] = mapped_column(String(16))
    weights: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOCUMENT)
    requested_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    requests_considered: Mapped[int]
    matches_stored: Mapped[int]
    batches_written: Mapped[int]
    total_score: Mapped[float]
    left_waiting: Mapped[int]
    unassigned: Mapped[dict[str, Any]]
    engine: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_one_of("status", ROUND_STATUSES), name="status"),
        Index(
            "uq_matching_rounds_open_scope",
            "scope",
            unique=True,
            postgresql_where=text(OPEN_ROUND_SQL),
            sqlite_where=text(OPEN_ROUND_SQL),
        ),
        Index("ix_matching_rounds_created_at", "created_at"),
    )


metadata = Base.metadata

#: Indexes and columns that exist on PostgreSQL only, made in SQL by a migration, of PostgreSQL features that
#: SQLite lacks: the forum's stored full-text document (migration 0016) and its GIN index. They are not
#: mapped (an ORM read on SQLite would ask for them), and schema comparison leaves them out.
POSTGRES_ONLY_INDEXES = frozenset(
    {"ix_forum_posts_search_vector", "ix_users_mentor_skills", "ix_users_mentor_languages"}
)
POSTGRES_ONLY_COLUMNS = frozenset({("forum_posts", "search_vector")})


def compared_with_models(object_: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    """Alembic's ``include_object`` hook: whether autogenerate compares this schema object with the models."""
    if type_ == "column":
        return (object_.table.name, name) not in POSTGRES_ONLY_COLUMNS
    return not (type_ == "index" and name in POSTGRES_ONLY_INDEXES)


class TwoFactorCredentialRow(Timestamps, Versioned, Base):
    """A user's TOTP secret (pending until ``enabled_at``), the last step used, and hashed recovery codes."""

    __tablename__ = "two_factor_credentials"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[datetime | None]
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    #: The sha256 hex digests of the unused recovery codes.
    recovery_codes: Mapped[list[str]] = mapped_column(JSON_DOCUMENT)


DIGEST_FREQUENCIES = ("daily", "off", "weekly")


class NotificationSettingsRow(Timestamps, Versioned, Base):
    """How a user wants to hear of each kind of notification, and their email digest.

    ``channels`` maps a notification type to ``in_app``, ``email`` or ``off`` (types left out: ``in_app``).
    ``digest_sent_for`` names the last period (a day or an ISO week) whose digest went out: the digest job
    claims a period by a conditional update of it, so each digest goes out once.
    """

    __tablename__ = "notification_settings"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    channels: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(8))
    digest_sent_for: Mapped[str | None] = mapped_column(String(10))
    digest_sent_at: Mapped[datetime | None]

    __table_args__ = (CheckConstraint(_one_of("digest", DIGEST_FREQUENCIES), name="digest"),)
