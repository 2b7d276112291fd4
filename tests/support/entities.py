"""Builders of valid domain entities for tests: every field defaulted, any field overridable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.profile import Location, Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.accounts.user import User
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.schedule import ScheduledSession

#: A fixed instant the test data is laid out from.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def location(lat: float, lon: float, country: str | None = None, city: str | None = None) -> Location:
    return Location(point=GeoPoint(lat, lon), city=city, country=country)


def make_user(
    email: str | None = None,
    *,
    role: Role = Role.LEARNER,
    created_at: datetime = T0,
    profile: Profile | None = None,
    **overrides: Any,
) -> User:
    """A user; a mentor gets capacity 1 unless ``profile`` says otherwise."""
    default_profile = Profile(display_name="Test User", mentor_capacity=1 if role is Role.MENTOR else None)
    user = User(
        email=email or f"user-{uuid4().hex[:12]}@example.org",
        role=role,
        profile=profile or default_profile,
        created_at=created_at,
        updated_at=created_at,
        password_hash="$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
    )
    return replace(user, **overrides)


def make_mentor(
    name: str,
    *,
    skills: tuple[str, ...] = (),
    languages: tuple[str, ...] = ("en",),
    at: Location | None = None,
    hours: int = 5,
    capacity: int = 2,
    created_at: datetime = T0,
    **overrides: Any,
) -> User:
    """An active mentor called ``name`` (also the local part of their email)."""
    profile = Profile(
        display_name=name,
        skills=skills,
        location=at,
        hours_per_week=hours,
        languages=languages,
        mentor_capacity=capacity,
        timezone="Africa/Lagos",
        weekly_slots=(10, 11, 12),
        bio=f"{name} mentors learners.",
        github_username=name.lower(),
    )
    return make_user(
        f"{name.lower()}@mentors.example.org", role=Role.MENTOR, created_at=created_at, profile=profile, **overrides
    )


def make_session(
    user_id: UUID, *, family_id: UUID | None = None, issued_at: datetime = T0, token_hash: str | None = None
) -> RefreshSession:
    return RefreshSession(
        user_id=user_id,
        family_id=family_id or uuid4(),
        token_hash=token_hash or uuid4().hex + uuid4().hex,
        issued_at=issued_at,
        expires_at=issued_at + timedelta(days=14),
    )


def make_mentorship(
    learner_id: UUID,
    mentor_id: UUID | None,
    *,
    status: MatchStatus = MatchStatus.PENDING,
    domain: str | None = None,
    created_at: datetime = T0,
    **overrides: Any,
) -> Mentorship:
    """A mentorship; without ``domain`` each one gets its own, so they never clash on the one-open-request rule."""
    domain = domain or f"domain-{uuid4().hex[:8]}"
    mentorship = Mentorship(
        learner_id=learner_id,
        mentor_id=mentor_id,
        status=status,
        created_at=created_at,
        updated_at=created_at,
        learner_needs=LearnerNeeds(skills=("python",), hours_per_week=4, domain=domain),
        score=0.75,
        score_components={"skill": 0.5, "distance": 0.25},
        session_schedule=(
            ScheduledSession(time=created_at + timedelta(days=2), topic="kick-off", duration_minutes=60),
        ),
        expires_at=created_at + timedelta(days=7) if status is MatchStatus.PENDING else None,
    )
    return replace(mentorship, **overrides)


def make_audit(
    action: str, *, at: datetime = T0, subject: tuple[str, str] | None = None, **overrides: Any
) -> AuditEntry:
    subject_type, subject_id = subject if subject else (None, None)
    entry = AuditEntry(
        action=action, at=at, subject_type=subject_type, subject_id=subject_id, details={"reason": "test"}
    )
    return replace(entry, **overrides)
