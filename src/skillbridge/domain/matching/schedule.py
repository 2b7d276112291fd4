"""Mentoring sessions planned inside an active mentorship.

Each session keeps the id it was given when added, so a calendar export gives it the same UID every time
and a participant removes exactly the session they mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from skillbridge.domain.clock import utc
from skillbridge.domain.errors import ErrorCollector
from skillbridge.domain.texts import N_

MAX_SESSIONS = 100
MAX_TOPIC_LENGTH = 200
MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 480


@dataclass(frozen=True, slots=True)
class ScheduledSession:
    """One planned session: when (UTC), about what, for how long."""

    time: datetime
    topic: str
    duration_minutes: int
    id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True, slots=True)
class SessionInput:
    """An unvalidated session as a participant sends it."""

    time: datetime
    topic: str
    duration_minutes: int = 60


def build_session(raw: SessionInput, path: str, errors: ErrorCollector) -> ScheduledSession | None:
    """Validate one session, adding its faults to ``errors`` under ``path``; None when it is invalid.

    Rules: the time carries a UTC offset (a bare local time would mean a different hour to each
    participant); the topic is 1-200 characters once trimmed; the duration 15-480 minutes.
    """
    ok = True
    if raw.time.tzinfo is None or raw.time.utcoffset() is None:
        errors.add(f"{path}.time", N_("give the time with its UTC offset, e.g. 2026-12-05T16:00:00Z"))
        ok = False
    topic = raw.topic.strip()
    if not topic or len(topic) > MAX_TOPIC_LENGTH:
        errors.add(
            f"{path}.topic",
            N_("a topic has 1 to {max_topic_length} characters"),
            {"max_topic_length": MAX_TOPIC_LENGTH},
        )
        ok = False
    if not MIN_DURATION_MINUTES <= raw.duration_minutes <= MAX_DURATION_MINUTES:
        errors.add(
            f"{path}.duration_minutes",
            N_("a session lasts {min_duration_minutes} to {max_duration_minutes} minutes"),
            {"min_duration_minutes": MIN_DURATION_MINUTES, "max_duration_minutes": MAX_DURATION_MINUTES},
        )
        ok = False
    if not ok:
        return None
    return ScheduledSession(time=utc(raw.time), topic=topic, duration_minutes=raw.duration_minutes)


def ordered(sessions: tuple[ScheduledSession, ...]) -> tuple[ScheduledSession, ...]:
    """Sessions by time, id breaking ties: the order every reader sees."""
    return tuple(sorted(sessions, key=lambda session: (session.time, session.id)))
