"""Explicit row <-> entity mapping.

Rows are written as plain column-value dicts (insert and update statements) and read back as ORM rows.
Every time is normalised to aware UTC on the way in and out: SQLite hands back naive datetimes, and
a SQLite column stores the wall-clock digits it is given, whatever the offset.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import msgspec

from skillbridge.adapters.persistence.sqlalchemy.tables import (
    AuditLogRow,
    FailedJobRow,
    ForumPostRow,
    MatchingRoundRow,
    MentorMatchRow,
    NotificationRow,
    ProgressLogRow,
    RefreshTokenRow,
    RoadmapRow,
    RoadmapVersionRow,
    UserRow,
    WebhookDeliveryRow,
)
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.profile import Location, Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.accounts.user import User
from skillbridge.domain.clock import utc
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.round_runs import MatchingRound, RoundStatus
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.matching.scoring import Algorithm, Weights
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.roadmaps.model import (
    Generation,
    Module,
    Resource,
    ResourceRole,
    ResourceType,
    Roadmap,
    RoadmapVersion,
    SkillLevel,
    TokenUsage,
)
from skillbridge.domain.texts import Text
from skillbridge.domain.vcs.webhooks import DeliveryStatus, WebhookDelivery

# ---------------------------------------------------------------------------------------------- users


def profile_to_document(profile: Profile) -> dict[str, Any]:
    """The JSON document stored in ``users.profile``."""
    location = profile.location
    return {
        "display_name": profile.display_name,
        "skills": list(profile.skills),
        "location": None
        if location is None
        else {
            "lat": location.point.lat,
            "lon": location.point.lon,
            "city": location.city,
            "country": location.country,
        },
        "timezone": profile.timezone,
        "hours_per_week": profile.hours_per_week,
        "weekly_slots": list(profile.weekly_slots),
        "languages": list(profile.languages),
        "github_username": profile.github_username,
        "bio": profile.bio,
        "mentor_capacity": profile.mentor_capacity,
    }


def profile_from_document(document: Mapping[str, Any]) -> Profile:
    """The profile a stored document holds (validated when it was written, so only rebuilt here)."""
    raw_location = document.get("location")
    location = (
        None
        if raw_location is None
        else Location(
            point=GeoPoint(float(raw_location["lat"]), float(raw_location["lon"])),
            city=raw_location.get("city"),
            country=raw_location.get("country"),
        )
    )
    return Profile(
        display_name=document.get("display_name"),
        skills=tuple(document.get("skills", ())),
        location=location,
        timezone=document.get("timezone"),
        hours_per_week=int(document.get("hours_per_week", 0)),
        weekly_slots=tuple(document.get("weekly_slots", ())),
        languages=tuple(document.get("languages", ())),
        github_username=document.get("github_username"),
        bio=document.get("bio"),
        mentor_capacity=document.get("mentor_capacity"),
    )


def user_to_values(user: User) -> dict[str, Any]:
    """Every column of the ``users`` row of ``user``, search copies of the profile included."""
    profile = user.profile
    location = profile.location
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "github_id": user.github_id,
        "is_active": user.is_active,
        "email_verified_at": utc(user.email_verified_at) if user.email_verified_at else None,
        "terms_version": user.terms_version,
        "profile": profile_to_document(profile),
        "country": location.country if location else None,
        "latitude": location.point.lat if location else None,
        "longitude": location.point.lon if location else None,
        "hours_per_week": profile.hours_per_week,
        "mentor_capacity": profile.mentor_capacity,
        "created_at": utc(user.created_at),
        "updated_at": utc(user.updated_at),
        "version": user.version,
    }


def user_skill_values(user: User) -> list[dict[str, Any]]:
    """The ``user_skills`` rows of ``user``."""
    return [{"user_id": user.id, "skill": skill} for skill in dict.fromkeys(user.profile.skills)]


def user_language_values(user: User) -> list[dict[str, Any]]:
    """The ``user_languages`` rows of ``user``."""
    return [{"user_id": user.id, "language": language} for language in dict.fromkeys(user.profile.languages)]


def user_from_row(row: UserRow, *, with_password_hash: bool = True, with_terms: bool = True) -> User:
    """The user a ``users`` row holds; the profile comes from its document. ``with_terms=False``: the row does
    not carry the accepted terms version (the mentor directory's), which is left ``None``."""
    return User(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        profile=profile_from_document(row.profile),
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        password_hash=row.password_hash if with_password_hash else None,
        github_id=row.github_id,
        is_active=row.is_active,
        version=row.version,
        email_verified_at=utc(row.email_verified_at) if row.email_verified_at else None,
        terms_version=row.terms_version if with_terms else None,
    )


def listed_mentor_from_row(row: UserRow) -> User:
    """A mentor as the mentor list gives them: without the password hash and the accepted terms version (which
    the directory view lacks: neither is another user's business)."""
    return user_from_row(row, with_password_hash=False, with_terms=False)


# ----------------------------------------------------------------------------------- refresh sessions


def refresh_session_to_values(session: RefreshSession) -> dict[str, Any]:
    """The ``refresh_tokens`` row of ``session``."""
    return {
        "id": session.id,
        "user_id": session.user_id,
        "family_id": session.family_id,
        "token_hash": session.token_hash,
        "issued_at": utc(session.issued_at),
        "expires_at": utc(session.expires_at),
        "rotated_at": utc(session.rotated_at) if session.rotated_at else None,
        "revoked_at": utc(session.revoked_at) if session.revoked_at else None,
        "family_started_at": utc(session.started_at),
        "user_agent": session.user_agent,
        "client_network": session.client_network,
        "created_at": utc(session.issued_at),
        "updated_at": utc(session.issued_at),
    }


def refresh_session_from_row(row: RefreshTokenRow) -> RefreshSession:
    """The session a ``refresh_tokens`` row holds."""
    return RefreshSession(
        id=row.id,
        user_id=row.user_id,
        family_id=row.family_id,
        token_hash=row.token_hash,
        issued_at=utc(row.issued_at),
        expires_at=utc(row.expires_at),
        rotated_at=utc(row.rotated_at) if row.rotated_at else None,
        revoked_at=utc(row.revoked_at) if row.revoked_at else None,
        family_started_at=utc(row.family_started_at or row.issued_at),
        user_agent=row.user_agent,
        client_network=row.client_network,
    )


# ------------------------------------------------------------------------------------------ mentorships


def learner_needs_to_document(needs: LearnerNeeds) -> dict[str, Any]:
    """The JSON document stored in ``mentor_matches.learner_needs``."""
    return {
        "skills": list(needs.skills),
        "hours_per_week": needs.hours_per_week,
        "remote_ok": needs.remote_ok,
        "domain": needs.domain,
    }


def learner_needs_from_document(document: dict[str, Any], domain: str) -> LearnerNeeds:
    """The needs a stored document holds (validated when they were made; not re-validated here)."""
    return LearnerNeeds(
        skills=tuple(document.get("skills", ())),
        hours_per_week=int(document.get("hours_per_week", 0)),
        remote_ok=bool(document.get("remote_ok", False)),
        domain=domain,
    )


def sessions_to_document(sessions: tuple[ScheduledSession, ...]) -> list[dict[str, Any]]:
    """The JSON list stored in ``mentor_matches.session_schedule``."""
    return [
        {
            "id": str(session.id),
            "time": utc(session.time).isoformat(),
            "topic": session.topic,
            "duration_minutes": session.duration_minutes,
        }
        for session in sessions
    ]


def sessions_from_document(document: list[dict[str, Any]]) -> tuple[ScheduledSession, ...]:
    """The sessions a stored list holds."""
    return tuple(
        ScheduledSession(
            id=UUID(item["id"]),
            time=utc(datetime.fromisoformat(item["time"])),
            topic=item["topic"],
            duration_minutes=int(item["duration_minutes"]),
        )
        for item in document
    )


def mentorship_to_values(mentorship: Mentorship) -> dict[str, Any]:
    """The ``mentor_matches`` row of ``mentorship``."""
    return {
        "id": mentorship.id,
        "learner_id": mentorship.learner_id,
        "mentor_id": mentorship.mentor_id,
        "status": mentorship.status.value,
        "domain": mentorship.domain,
        "learner_needs": learner_needs_to_document(mentorship.learner_needs),
        "score": mentorship.score,
        "score_components": dict(mentorship.score_components),
        "session_schedule": sessions_to_document(mentorship.session_schedule),
        "rating": mentorship.rating,
        "testimonial": mentorship.testimonial,
        "expires_at": utc(mentorship.expires_at) if mentorship.expires_at is not None else None,
        "accepted_at": utc(mentorship.accepted_at) if mentorship.accepted_at is not None else None,
        "completed_at": utc(mentorship.completed_at) if mentorship.completed_at is not None else None,
        "created_at": utc(mentorship.created_at),
        "updated_at": utc(mentorship.updated_at),
        "version": mentorship.version,
    }


def mentorship_from_row(row: MentorMatchRow) -> Mentorship:
    """The mentorship a ``mentor_matches`` row holds."""
    return Mentorship(
        id=row.id,
        learner_id=row.learner_id,
        mentor_id=row.mentor_id,
        status=MatchStatus(row.status),
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        learner_needs=learner_needs_from_document(row.learner_needs, row.domain),
        score=row.score,
        score_components={key: float(value) for key, value in row.score_components.items()},
        session_schedule=sessions_from_document(row.session_schedule),
        rating=row.rating,
        testimonial=row.testimonial,
        expires_at=utc(row.expires_at) if row.expires_at is not None else None,
        accepted_at=utc(row.accepted_at) if row.accepted_at is not None else None,
        completed_at=utc(row.completed_at) if row.completed_at is not None else None,
        version=row.version,
    )


# ------------------------------------------------------------------------------------------------ audit


def audit_entry_to_values(entry: AuditEntry) -> dict[str, Any]:
    """The ``audit_log`` row of ``entry``."""
    at = utc(entry.at)
    return {
        "id": entry.id,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "details": copy.deepcopy(entry.details),
        "at": at,
        "created_at": at,
        "updated_at": at,
    }


def audit_entry_from_row(row: AuditLogRow) -> AuditEntry:
    """The entry an ``audit_log`` row holds."""
    return AuditEntry(
        id=row.id,
        action=row.action,
        at=utc(row.at),
        actor_id=row.actor_id,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        details=copy.deepcopy(row.details),
    )


# --------------------------------------------------------------------------------------------- roadmaps


def _resource_to_document(resource: Resource) -> dict[str, Any]:
    return {
        "title": resource.title,
        "url": resource.url,
        "type": resource.type.value,
        "estimated_hours": resource.estimated_hours,
        "language": resource.language,
        "low_bandwidth": resource.low_bandwidth,
        "role": resource.role.value,
    }


def _resource_from_document(document: Mapping[str, Any]) -> Resource:
    return Resource(
        title=document["title"],
        url=document["url"],
        type=ResourceType(document["type"]),
        estimated_hours=float(document["estimated_hours"]),
        language=document.get("language", "en"),
        low_bandwidth=bool(document.get("low_bandwidth", True)),
        # Roadmaps stored before roles existed asked for every resource.
        role=ResourceRole(document.get("role", ResourceRole.CORE.value)),
    )


def modules_to_document(modules: tuple[Module, ...]) -> list[dict[str, Any]]:
    """The JSON document stored in ``roadmaps.modules`` and ``roadmap_versions.modules``."""
    return [
        {
            "id": module.id,
            "title": module.title,
            "summary": module.summary,
            "level": module.level.value,
            "estimated_hours": module.estimated_hours,
            "completed": module.completed,
            "completed_at": utc(module.completed_at).isoformat() if module.completed_at else None,
            "start_week": module.start_week,
            "end_week": module.end_week,
            "language_fallback": module.language_fallback,
            "resources": [_resource_to_document(resource) for resource in module.resources],
        }
        for module in modules
    ]


def modules_from_document(document: list[dict[str, Any]]) -> tuple[Module, ...]:
    """The modules a stored document holds.

    A document of today's shape is converted by msgspec, in C (a quarter of the time: this runs on every
    roadmap read); one it refuses (an older shape: no ``summary``, numbers stored as text, ...) is read
    field by field with the defaults below.
    """
    try:
        return msgspec.convert(document, type=tuple[Module, ...])
    except msgspec.ValidationError:
        return _modules_field_by_field(document)


def _modules_field_by_field(document: list[dict[str, Any]]) -> tuple[Module, ...]:
    return tuple(
        Module(
            id=item["id"],
            title=item["title"],
            summary=item.get("summary", ""),
            level=SkillLevel(item["level"]),
            estimated_hours=float(item["estimated_hours"]),
            resources=tuple(_resource_from_document(resource) for resource in item["resources"]),
            completed=bool(item.get("completed", False)),
            completed_at=utc(datetime.fromisoformat(item["completed_at"])) if item.get("completed_at") else None,
            start_week=int(item.get("start_week", 1)),
            end_week=int(item.get("end_week", 1)),
            language_fallback=bool(item.get("language_fallback", False)),
        )
        for item in document
    )


def _usage_to_document(usage: TokenUsage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "cached": usage.cached,
    }


def _usage_from_document(document: Mapping[str, Any] | None) -> TokenUsage | None:
    if document is None:
        return None
    return TokenUsage(
        prompt_tokens=int(document.get("prompt_tokens", 0)),
        completion_tokens=int(document.get("completion_tokens", 0)),
        total_tokens=int(document.get("total_tokens", 0)),
        cached=bool(document.get("cached", False)),
    )


def roadmap_to_values(roadmap: Roadmap) -> dict[str, Any]:
    """Every column of the ``roadmaps`` row of ``roadmap``."""
    return {
        "id": roadmap.id,
        "user_id": roadmap.user_id,
        "domain": roadmap.domain,
        "skill_level": roadmap.skill_level.value,
        "time_availability": roadmap.hours_per_week,
        "modules": modules_to_document(roadmap.modules),
        "progress": roadmap.progress,
        "generator": roadmap.generation.generator,
        "model": roadmap.generation.model,
        "prompt_version": roadmap.generation.prompt_version,
        "token_usage": _usage_to_document(roadmap.generation.token_usage),
        "low_bandwidth": roadmap.low_bandwidth,
        "language": roadmap.language,
        "repository": roadmap.repository,
        "deleted_at": utc(roadmap.deleted_at) if roadmap.deleted_at else None,
        "created_at": utc(roadmap.created_at),
        "updated_at": utc(roadmap.updated_at),
        "version": roadmap.version,
    }


def roadmap_from_row(row: RoadmapRow) -> Roadmap:
    """The roadmap a ``roadmaps`` row holds."""
    return Roadmap(
        id=row.id,
        user_id=row.user_id,
        domain=row.domain,
        skill_level=SkillLevel(row.skill_level),
        hours_per_week=row.time_availability,
        modules=modules_from_document(row.modules),
        generation=Generation(
            generator=row.generator,
            model=row.model,
            prompt_version=row.prompt_version,
            token_usage=_usage_from_document(row.token_usage),
        ),
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        low_bandwidth=row.low_bandwidth,
        language=row.language,
        progress=row.progress,
        repository=row.repository,
        version=row.version,
        deleted_at=utc(row.deleted_at) if row.deleted_at else None,
    )


def roadmap_version_to_values(snapshot: RoadmapVersion) -> dict[str, Any]:
    """The ``roadmap_versions`` row of ``snapshot``."""
    at = utc(snapshot.created_at)
    return {
        "id": snapshot.id,
        "roadmap_id": snapshot.roadmap_id,
        "version": snapshot.version,
        "modules": modules_to_document(snapshot.modules),
        "progress": snapshot.progress,
        "changed_by": snapshot.changed_by,
        "change": snapshot.change,
        "created_at": at,
        "updated_at": at,
    }


def roadmap_version_from_row(row: RoadmapVersionRow) -> RoadmapVersion:
    """The history entry a ``roadmap_versions`` row holds."""
    return RoadmapVersion(
        id=row.id,
        roadmap_id=row.roadmap_id,
        version=row.version,
        modules=modules_from_document(row.modules),
        progress=row.progress,
        change=row.change,
        created_at=utc(row.created_at),
        changed_by=row.changed_by,
    )


def progress_event_to_values(event: ProgressEvent) -> dict[str, Any]:
    """The ``progress_logs`` row of ``event``."""
    created = utc(event.created_at)
    return {
        "id": event.id,
        "user_id": event.user_id,
        "roadmap_id": event.roadmap_id,
        "event_type": event.event_type.value,
        "details": copy.deepcopy(event.details),
        "external_id": event.external_id,
        "occurred_at": utc(event.occurred_at),
        "created_at": created,
        "updated_at": created,
    }


def progress_event_from_row(row: ProgressLogRow) -> ProgressEvent:
    """The event a ``progress_logs`` row holds."""
    return ProgressEvent(
        id=row.id,
        user_id=row.user_id,
        roadmap_id=row.roadmap_id,
        event_type=EventType(row.event_type),
        details=copy.deepcopy(row.details),
        external_id=row.external_id,
        occurred_at=utc(row.occurred_at),
        created_at=utc(row.created_at),
    )


def webhook_delivery_to_values(delivery: WebhookDelivery) -> dict[str, Any]:
    """The ``webhook_deliveries`` row of ``delivery``."""
    received = utc(delivery.received_at)
    return {
        "id": delivery.id,
        "source": delivery.source,
        "delivery_id": delivery.delivery_id,
        "event": delivery.event,
        "repository": delivery.repository,
        "payload": copy.deepcopy(delivery.payload),
        "status": delivery.status.value,
        "received_at": received,
        "processed_at": None if delivery.processed_at is None else utc(delivery.processed_at),
        "created_at": received,
        "updated_at": received,
    }


def webhook_delivery_from_row(row: WebhookDeliveryRow) -> WebhookDelivery:
    """The delivery a ``webhook_deliveries`` row holds."""
    return WebhookDelivery(
        id=row.id,
        source=row.source,
        delivery_id=row.delivery_id,
        event=row.event,
        repository=row.repository,
        payload=copy.deepcopy(row.payload),
        status=DeliveryStatus(row.status),
        received_at=utc(row.received_at),
        processed_at=None if row.processed_at is None else utc(row.processed_at),
    )


# ---------------------------------------------------------------------------------------- notifications


def notification_to_values(notification: Notification) -> dict[str, Any]:
    """The ``notifications`` row of ``notification``."""
    created_at = utc(notification.created_at)
    read_at = None if notification.read_at is None else utc(notification.read_at)
    return {
        "id": notification.id,
        "user_id": notification.recipient_id,
        "type": notification.type.value,
        "content": notification.message,
        "data": _data_with_text(notification),
        "read": read_at is not None,
        "read_at": read_at,
        "deleted_at": None if notification.deleted_at is None else utc(notification.deleted_at),
        "created_at": created_at,
        "updated_at": read_at or created_at,
    }


# The message id and values of a system-worded notification ride in its ``data`` under this key (no column of
# their own): the entity's payload never shows it, and rows from before it simply have none.
_TEXT_KEY = "_text"


def _data_with_text(notification: Notification) -> dict[str, Any]:
    data = copy.deepcopy(notification.payload)
    if notification.text is not None:
        data[_TEXT_KEY] = {"message": notification.text.message, "params": dict(notification.text.params)}
    return data


def _text_of(data: dict[str, Any]) -> Text | None:
    stored = data.pop(_TEXT_KEY, None)
    if not isinstance(stored, dict) or not isinstance(stored.get("message"), str):
        return None
    params = stored.get("params")
    return Text(stored["message"], dict(params) if isinstance(params, dict) else {})


def notification_from_row(row: NotificationRow) -> Notification:
    """The notification a ``notifications`` row holds."""
    payload = copy.deepcopy(row.data)
    text = _text_of(payload)
    return Notification(
        id=row.id,
        recipient_id=row.user_id,
        type=NotificationType(row.type),
        message=row.content,
        payload=payload,
        text=text,
        created_at=utc(row.created_at),
        read_at=None if row.read_at is None else utc(row.read_at),
        deleted_at=None if row.deleted_at is None else utc(row.deleted_at),
    )


# ------------------------------------------------------------------------------------------------ forum


def forum_post_to_values(post: ForumPost) -> dict[str, Any]:
    """The ``forum_posts`` row of ``post``."""
    return {
        "id": post.id,
        "user_id": post.author_id,
        "category": post.category,
        "title": post.title,
        "content": post.content,
        "parent_id": post.parent_id,
        "root_id": post.root_id,
        "depth": post.depth,
        "is_deleted": post.is_deleted,
        "version": post.version,
        "created_at": utc(post.created_at),
        "updated_at": utc(post.updated_at),
        "reply_count": 0,
        "last_activity_at": utc(post.created_at) if post.is_thread else None,
    }


def forum_post_from_row(row: ForumPostRow) -> ForumPost:
    """The post a ``forum_posts`` row holds."""
    return ForumPost(
        id=row.id,
        author_id=row.user_id,
        category=row.category,
        title=row.title,
        content=row.content,
        parent_id=row.parent_id,
        root_id=row.root_id,
        depth=row.depth,
        is_deleted=row.is_deleted,
        version=row.version,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


# ------------------------------------------------------------------------------------------------ jobs


def failed_job_to_values(failed: FailedJob) -> dict[str, Any]:
    """The ``failed_jobs`` row of ``failed``."""
    return {
        "id": failed.id,
        "name": failed.name,
        "arguments": copy.deepcopy(failed.arguments),
        "error": failed.error,
        "attempts": failed.attempts,
        "failed_at": utc(failed.failed_at),
        "retried_at": None if failed.retried_at is None else utc(failed.retried_at),
        "created_at": utc(failed.failed_at),
        "updated_at": utc(failed.retried_at or failed.failed_at),
    }


def failed_job_from_row(row: FailedJobRow) -> FailedJob:
    """The failed job a ``failed_jobs`` row holds."""
    return FailedJob(
        id=row.id,
        name=row.name,
        arguments=copy.deepcopy(row.arguments),
        error=row.error,
        attempts=row.attempts,
        failed_at=utc(row.failed_at),
        retried_at=None if row.retried_at is None else utc(row.retried_at),
    )


# ------------------------------------------------------------------------------------------ matching rounds


def matching_round_to_values(matching_round: MatchingRound) -> dict[str, Any]:
    """The ``matching_rounds`` row of ``matching_round`` (its ``updated_at`` is set by the repository)."""
    weights = matching_round.weights
    return {
        "id": matching_round.id,
        "scope": matching_round.scope,
        "status": matching_round.status.value,
        "algorithm": matching_round.algorithm,
        "weights": None if weights is None else dataclasses.asdict(weights),
        "requested_by": matching_round.requested_by,
        "started_at": None if matching_round.started_at is None else utc(matching_round.started_at),
        "finished_at": None if matching_round.finished_at is None else utc(matching_round.finished_at),
        "requests_considered": matching_round.requests_considered,
        "matches_stored": matching_round.matches_stored,
        "batches_written": matching_round.batches_written,
        "total_score": matching_round.total_score,
        "left_waiting": matching_round.left_waiting,
        "unassigned": dict(matching_round.unassigned),
        "engine": matching_round.engine,
        "error": matching_round.error,
        "created_at": utc(matching_round.created_at),
    }


def matching_round_from_row(row: MatchingRoundRow) -> MatchingRound:
    """The matching round a ``matching_rounds`` row holds."""
    return MatchingRound(
        id=row.id,
        scope=row.scope,
        status=RoundStatus(row.status),
        algorithm=cast(Algorithm, row.algorithm),
        weights=None if row.weights is None else Weights(**row.weights),
        requested_by=row.requested_by,
        created_at=utc(row.created_at),
        started_at=None if row.started_at is None else utc(row.started_at),
        finished_at=None if row.finished_at is None else utc(row.finished_at),
        requests_considered=row.requests_considered,
        matches_stored=row.matches_stored,
        batches_written=row.batches_written,
        total_score=row.total_score,
        left_waiting=row.left_waiting,
        unassigned={str(reason): int(count) for reason, count in row.unassigned.items()},
        engine=row.engine,
        error=row.error,
    )
