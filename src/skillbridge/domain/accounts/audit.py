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


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which audit entries to list: every filter set narrows (AND); ``since`` inclusive, ``until`` exclusive."""

    actor_id: UUID | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def admits(self, entry: AuditEntry) -> bool:
        """Whether ``entry`` passes every filter (the in-memory twin's reading of the query)."""
        return (
            (self.actor_id is None or entry.actor_id == self.actor_id)
            and (self.subject_type is None or entry.subject_type == self.subject_type)
            and (self.subject_id is None or entry.subject_id == self.subject_id)
            and (self.action is None or entry.action == self.action)
            and (self.since is None or entry.at >= self.since)
            and (self.until is None or entry.at < self.until)
        )
