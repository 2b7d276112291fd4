"""A mentor's block of a learner: no further request from that learner reaches that mentor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class MentorBlock:
    """``mentor_id`` blocked ``learner_id`` at ``created_at``; at most one per pair."""

    mentor_id: UUID
    learner_id: UUID
    created_at: datetime
