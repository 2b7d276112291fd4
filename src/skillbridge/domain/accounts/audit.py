"""Audit entries: who did what to whom, for the actions that matter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from skillbridge.domain.ids import uuid7


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action. ``details`` never holds secrets."""

    action: str
    at: datetime
    actor_id: UUID | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: UUID = field(default_factory=uuid7)  # time-ordered: entries of one instant keep their order
