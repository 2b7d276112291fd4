"""The mentorship (a match between one learner and one mentor) as stored.

The full state machine arrives with the matching capability; the foundation needs the statuses to count a
mentor's open mentorships against their capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4


class MatchStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


#: Statuses that hold one of the mentor's capacity places.
OPEN_STATUSES = frozenset({MatchStatus.PENDING, MatchStatus.ACTIVE})


@dataclass(slots=True)
class Mentorship:
    """One learner-mentor pairing."""

    learner_id: UUID
    mentor_id: UUID
    status: MatchStatus
    created_at: datetime
    updated_at: datetime
    domain: str | None = None
    learner_needs: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    score_components: dict[str, float] = field(default_factory=dict)
    session_schedule: list[dict[str, Any]] = field(default_factory=list)
    rating: int | None = None
    testimonial: str | None = None
    version: int = 1
    id: UUID = field(default_factory=uuid4)
